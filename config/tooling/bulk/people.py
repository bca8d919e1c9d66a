"""Synthetic applicants and their requests, for `seed_bulk`.

Pure Python, no database: every function takes a `random.Random`, so a seed
gives the same data. Timestamps are POSIX seconds (UTC); business dates are
taken in Asia/Jakarta (UTC+7, no daylight saving).
"""

from __future__ import annotations

import datetime
import json
import random

from blanko.regions import all_regions
from layanan import rules
from layanan.models import ServiceRequest

Kind = ServiceRequest.Kind
Status = ServiceRequest.Status
Channel = ServiceRequest.Channel

DAY = 86_400.0
JAKARTA_OFFSET = 7 * 3600

KINDS = [Kind.NEW, Kind.DAMAGED, Kind.LOST, Kind.DATA_CHANGE, Kind.RELOCATION]
KIND_WEIGHTS = [35, 25, 15, 15, 10]
STATUSES = [Status.SUBMITTED, Status.VERIFIED, Status.PRINTED, Status.DELIVERED,
            Status.REJECTED, Status.CANCELLED]
# Requests older than a month are mostly closed; recent ones are spread over the workflow.
OLD_WEIGHTS = [2, 2, 2, 86, 5, 3]
RECENT_WEIGHTS = [25, 25, 15, 25, 5, 5]

MALE_NAMES = ["Ahmad", "Rizky", "Fajar", "Hendra", "Bayu", "Yusuf", "Arif", "Raja", "Teguh",
              "Budi", "Agus", "Dedi", "Eko", "Joko", "Rudi", "Andi", "Irfan", "Dimas", "Hadi",
              "Wahyu", "Fikri", "Galih", "Ilham", "Reza", "Yoga", "Rian", "Hasan", "Umar"]
FEMALE_NAMES = ["Siti", "Dewi", "Nur", "Putri", "Intan", "Wulan", "Melati", "Sari", "Aisyah",
                "Rina", "Ratna", "Yuni", "Fitri", "Indah", "Lina", "Maya", "Nia", "Rini",
                "Tuti", "Wati", "Ayu", "Citra", "Dina", "Eka", "Fatimah", "Laila", "Nadia"]
LAST_NAMES = ["Saputra", "Lestari", "Hidayat", "Rahmawati", "Pratama", "Syahputra", "Wijaya",
              "Handayani", "Nasution", "Siregar", "Matondang", "Kurniawan", "Simanjuntak",
              "Harahap", "Lubis", "Sembiring", "Ginting", "Tarigan", "Purba", "Sinaga",
              "Panjaitan", "Hutapea", "Wibowo", "Santoso", "Gunawan", "Setiawan", "Susanto",
              "Rahman", "Hakim", "Firmansyah", "Maulana", "Ramadhan", "Permana", "Putra",
              "Utami", "Wulandari", "Anggraini", "Susilo", "Halim", "Tanjung", "Daulay",
              "Pohan", "Batubara", "Manurung", "Sitompul", "Pangaribuan", "Pasaribu", "Rangkuti",
              "Ritonga", "Dalimunthe", "Marpaung", "Hasibuan", "Situmorang", "Napitupulu"]
CAUSES = ["print_failed", "encode_failed", "damaged", "invalid"]
CAUSE_LABELS = {"print_failed": "Gagal cetak", "encode_failed": "Gagal encode",
                "damaged": "Rusak", "invalid": "Invalid"}
REJECTIONS = ["Dokumen tidak sesuai", "Data KK tidak cocok", "NIK terdaftar di daerah lain",
              "Pemohon tidak hadir untuk perekaman"]


def local_date(ts: float) -> datetime.date:
    return datetime.date.fromordinal(719163 + int((ts + JAKARTA_OFFSET) // DAY))


def date_start_ts(day: datetime.date) -> float:
    """The UTC timestamp of local midnight of a business date."""
    return (day.toordinal() - 719163) * DAY - JAKARTA_OFFSET


def districts_by_regency() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for region in all_regions().values():
        if region.level == "district":
            found.setdefault(region.code[:4], []).append(region.code)
    return found


class NikMaker:
    """Valid, unique NIKs: district code, DDMMYY (+40 for women), serial from 0001."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.districts = districts_by_regency()

    def make(self, office_code: str, born: datetime.date, female: bool) -> str:
        districts = self.districts.get(office_code) or [f"{office_code}01"]
        day = born.day + (40 if female else 0)
        while True:
            district = self.rng.choice(districts)
            nik = f"{district}{day:02d}{born:%m%y}{self.rng.randint(1, 9999):04d}"
            if nik not in self.used:
                self.used.add(nik)
                return nik


def office_hours_ts(rng: random.Random, start: float, end: float) -> float:
    """A random moment between start and end, inside 08:00-15:30 local time when possible."""
    day = local_date(start + rng.random() * (end - start))
    ts = date_start_ts(day) + 8 * 3600 + rng.random() * 7.5 * 3600
    return min(max(ts, start), end)


def _birth_date(rng: random.Random, kind: str, on: datetime.date) -> tuple[datetime.date, bool]:
    """A birth date for an applicant on date `on`; True when the card waits for 17."""
    if kind == Kind.NEW and rng.random() < 0.1:
        born = on - datetime.timedelta(days=rng.randint(16 * 366 + 3, 17 * 365 - 3))
        birthday = rules.seventeenth_birthday(born)
        if birthday > on and rules.earliest_registration(born) <= on:
            return born, True
    low, high = (17, 21) if kind == Kind.NEW else (18, 69)
    return on - datetime.timedelta(days=rng.randint(low * 366, high * 365)), False


def plan_request(rng: random.Random, nik_maker: NikMaker, *, office_code: str,
                 submitted: float, end: float, forced: int | None, staff_id: int) -> dict:
    """One request with its planned status and transition times (not yet clipped to now)."""
    if forced is not None:
        kind, channel = KINDS[forced % 5], [Channel.COUNTER, Channel.ONLINE][forced % 2]
        status = STATUSES[forced % 6]
    else:
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        channel = Channel.COUNTER if rng.random() < 0.7 else Channel.ONLINE
        weights = OLD_WEIGHTS if end - submitted > 30 * DAY else RECENT_WEIGHTS
        status = rng.choices(STATUSES, weights)[0]
    on = local_date(submitted)
    born, waits = _birth_date(rng, kind, on)
    female = rng.random() < 0.5
    first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    disaster = kind != Kind.NEW and rng.random() < 0.03
    replaces = kind in (Kind.DAMAGED, Kind.LOST, Kind.DATA_CHANGE) and rng.random() < 0.1
    return {
        "nik": nik_maker.make(office_code, born, female),
        "kk": f"{office_code}{rng.randint(10**11, 10**12 - 1)}",
        "name": f"{first} {rng.choice(LAST_NAMES)}",
        "birth_date": born, "sex": "F" if female else "M",
        "married": kind != Kind.NEW and rng.random() < 0.6,
        "phone": f"08{rng.randint(11, 99)}{rng.randint(10**7, 10**8 - 1)}",
        "kind": kind, "channel": channel, "disaster": disaster, "replaces": replaces,
        "police": f"LP/{rng.randint(1, 999)}/{on.year}/POLRES" if kind == Kind.LOST else "",
        "tier": rules.priority_tier(kind=kind, disaster_victim=disaster,
                                    replaces_suket=replaces),
        "printable_from": rules.seventeenth_birthday(born) if waits else None,
        "documents": json.dumps(dict.fromkeys(rules.required_documents(kind), True)),
        "status": status, "submitted": submitted,
        "created_by": staff_id if channel == Channel.COUNTER else None,
        "verified": None, "printed": None, "delivered": None, "closed": None,
        "spoiled": None, "cause": "", "rejection": "",
    }


def run_timeline(rng: random.Random, req: dict, end: float) -> None:
    """Fills the transition times of a request and clips its status to what fits before end."""
    target = req["status"]
    req["status"] = Status.SUBMITTED
    if target in (Status.REJECTED, Status.CANCELLED) and rng.random() < 0.5:
        at = req["submitted"] + rng.uniform(0.05, 4) * DAY
        if at < end:
            req["status"], req["closed"] = target, at
            if target == Status.REJECTED:
                req["rejection"] = rng.choice(REJECTIONS)
        return
    if target == Status.SUBMITTED:
        return
    verified = req["submitted"] + rng.uniform(0.05, 3) * DAY
    if verified >= end:
        return
    req["status"], req["verified"] = Status.VERIFIED, verified
    if target in (Status.REJECTED, Status.CANCELLED):
        at = verified + rng.uniform(0.05, 4) * DAY
        if at < end:
            req["status"], req["closed"] = target, at
            if target == Status.REJECTED:
                req["rejection"] = rng.choice(REJECTIONS)
        return
    if target == Status.VERIFIED:
        return
    printed = verified + rng.uniform(0.05, 5) * DAY
    if req["printable_from"] is not None:
        printed = max(printed, date_start_ts(req["printable_from"]) + 9 * 3600)
    if printed >= end:
        return
    req["status"], req["printed"] = Status.PRINTED, printed
    if rng.random() < 0.04:
        req["spoiled"] = printed - rng.uniform(60, 1800)
        req["cause"] = rng.choice(CAUSES)
    if target == Status.PRINTED:
        return
    delivered = printed + rng.uniform(0.05, 7) * DAY
    if delivered < end:
        req["status"], req["delivered"] = Status.DELIVERED, delivered
        req["closed"] = delivered


def unprint(req: dict) -> None:
    """Takes a planned print back (the office ran out of movement budget): it waits."""
    req["status"] = Status.VERIFIED
    req["printed"] = req["delivered"] = req["closed"] = req["spoiled"] = None
    req["cause"] = ""
