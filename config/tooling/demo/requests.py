"""Demo service requests for 2020: the July backlog and the rush before the Pilkada.

Called by `seed_demo` after the ledger story. Deterministic and
idempotent: nothing is added when the office already has requests.
"""

from __future__ import annotations

import datetime
import itertools
import zoneinfo

from django.db import transaction

from layanan import services
from layanan.models import KeyDate, ServiceRequest
from layanan.rules import required_documents

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
Kind = ServiceRequest.Kind
Channel = ServiceRequest.Channel

FIRST_NAMES = ["Ahmad", "Siti", "Rizky", "Dewi", "Fajar", "Nur", "Hendra", "Putri", "Bayu",
               "Intan", "Yusuf", "Wulan", "Arif", "Melati", "Raja", "Sari", "Teguh", "Aisyah"]
LAST_NAMES = ["Saputra", "Lestari", "Hidayat", "Rahmawati", "Pratama", "Syahputra", "Wijaya",
              "Handayani", "Nasution", "Siregar", "Matondang", "Kurniawan"]
DISTRICTS = ["217201", "217202", "217203", "217204"]


def nik_for(number: int, *, born: datetime.date, female: bool) -> str:
    day = born.day + (40 if female else 0)
    return f"{DISTRICTS[number % 4]}{day:02d}{born:%m%y}{number % 9000 + 1:04d}"


def moment(day: datetime.date, minutes: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(8, 0), JAKARTA) + datetime.timedelta(
        minutes=minutes
    )


def _plan():
    """(submitted on, kind, flags, channel, fate) for each demo request."""
    kinds = itertools.cycle([Kind.NEW, Kind.NEW, Kind.DAMAGED, Kind.NEW, Kind.LOST,
                             Kind.DATA_CHANGE, Kind.NEW, Kind.RELOCATION, Kind.DAMAGED])
    plan = []
    # July-August 2020: the store is empty; verified requests pile up.
    for n in range(36):
        day = datetime.date(2020, 7, 1) + datetime.timedelta(days=n * 59 // 36)
        fate = "delivered" if n < 24 else ("printed" if n < 28 else "verified")
        plan.append((day, next(kinds), n % 11 == 3, n % 13 == 5, Channel.COUNTER
                     if n % 3 else Channel.ONLINE, fate))
    # 1-8 December 2020: the rush before the Pilkada of 9 December.
    fates = itertools.cycle(["delivered", "printed", "verified", "verified", "submitted",
                             "delivered", "verified", "spoiled", "rejected", "cancelled",
                             "submitted", "verified"])
    for n in range(48):
        day = datetime.date(2020, 12, 1) + datetime.timedelta(days=n // 7)
        plan.append((day, next(kinds), n % 10 == 4, n % 9 == 2,
                     Channel.ONLINE if n % 4 == 0 else Channel.COUNTER, next(fates)))
    return plan


@transaction.atomic
def seed_requests(*, offices, users, stdout=None) -> int:
    office = offices["2172"]
    if ServiceRequest.objects.filter(office=office).exists():
        return 0
    operator = users["petugas"]
    print_day = datetime.date(2020, 12, 8)
    for number, (day, kind, disaster, suket, channel, fate) in enumerate(_plan(), start=1):
        female = number % 2 == 1  # FIRST_NAMES alternates male and female names
        if kind == Kind.NEW:
            born = datetime.date(2003, 1, 1) + datetime.timedelta(days=number * 9 % 330)
            if fate in ("verified", "submitted") and number % 4 == 0:
                # Registered early: turns 17 on Pilkada day, printed from then on.
                born = datetime.date(2003, 12, 9)
        else:
            born = datetime.date(1960, 1, 1) + datetime.timedelta(days=number * 331 % 14_000)
        name = f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {LAST_NAMES[number % len(LAST_NAMES)]}"
        at = moment(day, number * 7 % 420)
        request = services.submit_request(
            office=office, nik=nik_for(number, born=born, female=female), full_name=name,
            kind=kind, channel=channel, by=operator if channel == Channel.COUNTER else None,
            married=kind != Kind.NEW and number % 5 != 0, disaster_victim=disaster,
            replaces_suket=suket and kind != Kind.NEW,
            police_report_number=f"STPL/{number}/VII/2020/Polresta TPI" if kind == Kind.LOST
            else "",
            phone=f"0812{number:08d}" if number % 2 else "", at=at,
        )
        if fate in ("cancelled", "submitted"):
            if fate == "cancelled":
                services.cancel_request(request=request, by=operator, reason="Pemohon membatalkan",
                                        at=at + datetime.timedelta(hours=2))
            continue
        if fate == "rejected":
            services.reject_request(request=request, by=operator,
                                    reason="KK tidak sesuai dengan data kependudukan",
                                    at=at + datetime.timedelta(hours=3))
            continue
        request = services.verify_request(
            request=request, by=operator, biometrics_recorded=True,
            documents=dict.fromkeys(required_documents(kind), True),
            at=at + datetime.timedelta(hours=1),
        )
        if fate == "verified":
            continue
        printed_at = moment(max(day, print_day), 300 + number)
        if fate == "spoiled":
            services.record_spoiled_print(request=request, by=operator, cause="encode_failed",
                                          at=printed_at)
            continue
        services.print_card(request=request, by=operator, at=printed_at)
        if fate == "delivered":
            services.deliver_request(request=request, by=operator,
                                     at=printed_at + datetime.timedelta(hours=2))
    count = ServiceRequest.objects.filter(office=office).count()
    if stdout is not None:
        stdout.write(f"{count} permohonan demo dicatat.")
    return count


# The date the story is about: the dashboard forecasts the shortfall up to it.
DEMO_KEY_DATES = (("Pilkada 9 Desember 2020", datetime.date(2020, 12, 9)),)


def seed_key_dates(*, offices, users, stdout=None) -> int:
    """Key dates for every office; idempotent, and an edited one is left alone."""
    created = 0
    for name, day in DEMO_KEY_DATES:
        _, was_created = KeyDate.objects.get_or_create(name=name, date=day, office=None)
        created += was_created
    return created
