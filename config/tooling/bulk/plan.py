"""One office's synthetic year: requests, their events and prints, and a valid ledger.

The ledger is built so that `verify_ledger` accepts it: receipts at the start of
each period cover every draw in that period, so the store never goes below zero,
each movement carries the balances after it, and the final counts become the
Balance rows. Rows are mutable lists whose first item (the id) is filled in
later, once every office's rows are sorted by time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from config.tooling.bulk import people
from config.tooling.bulk.people import DAY, local_date
from layanan.models import ServiceRequest

Status = ServiceRequest.Status
CHANNEL_LABELS = {value: str(label) for value, label in ServiceRequest.Channel.choices}


@dataclass
class OfficeRefs:
    id: int
    code: str
    stock: int
    spoiled: int
    issued: int
    destroyed: int
    ditjen: int
    province: int


@dataclass
class OfficePlan:
    requests: list = field(default_factory=list)
    events: list = field(default_factory=list)
    movements: list = field(default_factory=list)
    prints: list = field(default_factory=list)
    deliveries: list = field(default_factory=list)
    destructions: list = field(default_factory=list)
    counters: list = field(default_factory=list)
    stock: int = 0
    spoiled: int = 0


def _periods(count: int, start: float, end: float) -> list[float]:
    step = (end - start) / count
    return [start + k * step for k in range(count)]


def _request_rows(plan: OfficePlan, office: OfficeRefs, reqs: list[dict], staff: int) -> None:
    per_day: dict = {}
    for req in reqs:
        day = local_date(req["submitted"])
        per_day[day] = sequence = per_day.get(day, 0) + 1
        reg = f"{office.code}-{day:%y%m%d}-{sequence:04d}"
        req["reg"] = reg
        row = [None, office.id, reg, req["nik"], req["kk"], req["name"], req["birth_date"],
               req["sex"], req["married"], req["phone"], "", req["kind"], req["disaster"],
               req["replaces"], req["police"], req["channel"], req["status"], req["tier"],
               req["printable_from"], req["documents"],
               req["verified"] is not None, req["rejection"], None, req["submitted"],
               req["verified"], req["printed"], req["delivered"], req["closed"],
               req["created_by"]]
        req["row"] = row
        plan.requests.append(row)
        events = plan.events
        events.append([None, row, "", Status.SUBMITTED, req["submitted"], req["created_by"],
                       CHANNEL_LABELS[req["channel"]]])
        last = Status.SUBMITTED
        if req["verified"] is not None:
            events.append([None, row, last, Status.VERIFIED, req["verified"], staff, ""])
            last = Status.VERIFIED
        if req["spoiled"] is not None:
            events.append([None, row, last, Status.VERIFIED, req["spoiled"], staff,
                           f"Cetak rusak ({people.CAUSE_LABELS[req['cause']]}); blanko dicatat "
                           "rusak, dapat dicetak ulang."])
        if req["printed"] is not None:
            events.append([None, row, last, Status.PRINTED, req["printed"], staff, ""])
            last = Status.PRINTED
        if req["delivered"] is not None:
            events.append([None, row, last, Status.DELIVERED, req["delivered"], staff, ""])
        elif req["status"] in (Status.REJECTED, Status.CANCELLED):
            events.append([None, row, last, req["status"], req["closed"], staff,
                           req["rejection"]])
    plan.counters.extend((office.id, "REG", f"{day:%y%m%d}", n) for day, n in per_day.items())


def plan_office(rng: random.Random, nik_maker: people.NikMaker, office: OfficeRefs, *,
                movements: int, requests: int, start: float, end: float, staff: int,
                forced_from: int) -> OfficePlan:
    """The office's requests and exactly `movements` ledger movements between start and end."""
    plan = OfficePlan()
    submitted = sorted(people.office_hours_ts(rng, start, end - 600) for _ in range(requests))
    reqs = []
    for index, ts in enumerate(submitted):
        forced = forced_from + index if forced_from + index < 30 else None
        req = people.plan_request(rng, nik_maker, office_code=office.code, submitted=ts,
                                  end=end, forced=forced, staff_id=staff)
        people.run_timeline(rng, req, end)
        reqs.append(req)
    receipts = max(1, min(24, movements // 60)) if movements else 0
    budget = movements - receipts - max(0, receipts - 1)
    printed = sorted((r for r in reqs if r["printed"] is not None), key=lambda r: r["printed"])
    draws = len(printed) + sum(1 for r in printed if r["spoiled"] is not None)
    for req in reversed(printed):
        if draws <= budget:
            break
        draws -= 2 if req["spoiled"] is not None else 1
        people.unprint(req)
    _request_rows(plan, office, reqs, staff)
    if not receipts:
        return plan

    # Ledger events as (ts, order, kind, extra); receipts sort first at the same moment.
    events: list[tuple] = []
    for req in reqs:
        if req["spoiled"] is not None:
            events.append((req["spoiled"], 1, "spoil", req))
        if req["printed"] is not None:
            events.append((req["printed"], 1, "issue", req))
    orphans = max(0, budget - draws)
    orphan_span_start = start + 60
    for _ in range(orphans):
        ts = orphan_span_start + rng.random() * (end - 60 - orphan_span_start)
        events.append((ts, 1, "spoil" if rng.random() < 0.03 else "issue", None))
    bounds = _periods(receipts, start, end)
    spoil_by_period = [0] * receipts
    for ts, _order, kind, _req in events:
        if kind == "spoil":
            spoil_by_period[min(receipts - 1, int((ts - start) / (end - start) * receipts))] += 1
    # Destroy before each new receipt when something has been spoiled since the last one.
    destroy_at = []
    waiting = 0
    for k in range(receipts - 1):
        waiting += spoil_by_period[k]
        if waiting:
            destroy_at.append(bounds[k + 1] - 1)
            waiting = 0
    # Fill the movements the unused destructions would have taken with plain draws.
    for _ in range(receipts - 1 - len(destroy_at)):
        ts = orphan_span_start + rng.random() * (end - 60 - orphan_span_start)
        events.append((ts, 1, "issue", None))
    draws_by_period = [0] * receipts
    for ts, _order, _kind, _req in events:
        draws_by_period[min(receipts - 1, int((ts - start) / (end - start) * receipts))] += 1
    for k, ts in enumerate(bounds):
        quantity = draws_by_period[k] + rng.randint(5, 20 + draws_by_period[k] // 10)
        events.append((ts, 0, "receipt", quantity))
    events.extend((ts, 2, "destroy", None) for ts in destroy_at)
    events.sort(key=lambda event: (event[0], event[1]))
    _ledger_rows(rng, plan, office, events, staff)
    return plan


def _ledger_rows(rng: random.Random, plan: OfficePlan, office: OfficeRefs, events: list,
                 staff: int) -> None:
    stock = spoiled = 0
    receipt_no = destroy_no = 0
    for ts, _order, kind, extra in events:
        day = local_date(ts)
        if kind == "receipt":
            receipt_no += 1
            stock += extra
            province = rng.random() < 0.3
            reason = "receipt_province" if province else "receipt_ditjen"
            source = office.province if province else office.ditjen
            bast = f"BAST/{office.code}/{receipt_no:03d}/{day.year}"
            row = [None, source, office.stock, extra, reason, "", day, ts, staff, bast, "",
                   None, stock]
            plan.deliveries.append([None, office.id, source, bast, day, extra, row])
        elif kind == "destroy" and spoiled == 0:
            # Everything spoiled in the period came after the destruction: draw instead
            # (each receipt carries at least 5 spare blanks).
            stock -= 1
            row = [None, office.stock, office.issued, 1, "issue", "", day, ts, staff, "", "",
                   stock, None]
        elif kind == "destroy":
            destroy_no += 1
            number = f"BA/{office.code}/{destroy_no:03d}/{day.year}"
            row = [None, office.spoiled, office.destroyed, spoiled, "destroy", "", day, ts,
                   staff, number, "", 0, None]
            plan.destructions.append([None, office.id, number, day, spoiled, row])
            spoiled = 0
        elif kind == "issue":
            stock -= 1
            reference = extra["reg"] if extra else ""
            row = [None, office.stock, office.issued, 1, "issue", "", day, ts, staff, reference,
                   "", stock, None]
            if extra:
                plan.prints.append([None, extra["row"], "success", row, ts, staff])
        else:  # spoil
            stock -= 1
            spoiled += 1
            cause = extra["cause"] if extra else rng.choice(people.CAUSES)
            reference = extra["reg"] if extra else ""
            row = [None, office.stock, office.spoiled, 1, "spoil", cause, day, ts, staff,
                   reference, "", stock, spoiled]
            if extra:
                plan.prints.append([None, extra["row"], "spoiled", row, extra["spoiled"], staff])
        plan.movements.append(row)
    assert stock >= 0 and spoiled >= 0, "bulk ledger went below zero"
    plan.stock, plan.spoiled = stock, spoiled


__all__ = ["DAY", "OfficePlan", "OfficeRefs", "plan_office"]
