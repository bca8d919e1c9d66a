"""National-scale synthetic data: `seed_bulk` writes offices, a valid ledger and requests.

Offices are real kab/kota (blanko.regions); activity is skewed the way cities
are (a few large, many small). Each office gets a year of requests through
every status, kind and channel, with their events and prints, and a ledger of
receipts, draws, ruined prints and destructions that `verify_ledger` accepts.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from blanko.models import Balance, Delivery, Destruction, Location, Movement, Office
from blanko.regions import Region, regencies
from blanko.services.offices import ditjen_source, province_source
from config.tooling.bulk import load, people, writer
from config.tooling.bulk.plan import DAY, OfficeRefs, plan_office
from layanan.models import CardPrint, RequestEvent, ServiceRequest

STAFF_USERNAME = "bulk-seed"

class BulkDataExists(Exception):
    pass


def pick_regions(count: int) -> list[Region]:
    """`count` kab/kota spread over the country (every one when count >= 514)."""
    every = regencies()
    if count >= len(every):
        return every
    step = len(every) / count
    return [every[int(i * step)] for i in range(count)]


def split(total: int, weights: list[float]) -> list[int]:
    """Splits total by weights; the shares add up to total exactly."""
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    shares = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def create_offices(regions: list[Region]) -> list[OfficeRefs]:
    """The bulk twin of blanko.services.create_office: same locations and balances."""
    labels = dict(Location.Kind.choices)
    with transaction.atomic():
        offices = Office.objects.bulk_create(
            [Office(code=r.code, name=r.name) for r in regions], batch_size=1000
        )
        locations = Location.objects.bulk_create(
            [Location(code=f"{o.code}-{kind.upper()}", name=f"{labels[kind]} {o.name}",
                      kind=kind, office=o)
             for o in offices for kind in Location.OFFICE_KINDS],
            batch_size=2000,
        )
        Balance.objects.bulk_create(
            [Balance(location=loc, quantity=0) for loc in locations if loc.has_balance],
            batch_size=2000,
        )
    by_office = {(loc.office_id, loc.kind): loc.pk for loc in locations}
    ditjen = ditjen_source().pk
    provinces = {code: province_source(code).pk for code in {o.code[:2] for o in offices}}
    K = Location.Kind
    return [
        OfficeRefs(id=o.pk, code=o.code, stock=by_office[o.pk, K.STOCK],
                   spoiled=by_office[o.pk, K.SPOILED], issued=by_office[o.pk, K.ISSUED],
                   destroyed=by_office[o.pk, K.DESTROYED], ditjen=ditjen,
                   province=provinces[o.code[:2]])
        for o in offices
    ]


def staff_user() -> User:
    user, created = User.objects.get_or_create(
        username=STAFF_USERNAME,
        defaults={"first_name": "Data", "last_name": "Massal", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _assign_ids(rows: list, time_index: int, table: str) -> None:
    rows.sort(key=lambda row: row[time_index])
    first = writer.next_id(table)
    for offset, row in enumerate(rows):
        row[0] = first + offset


def seed_bulk(*, offices: int, movements: int, requests: int, days: int = 365,
              seed: int = 20201209, reset: bool = False, progress: bool = True,
              log: Callable[[str], None] = print) -> dict:
    """Writes the data set; refuses when ledger or request data exist, unless reset."""
    # Millions of small lists: the cyclic GC would rescan them all again and again.
    gc.disable()
    try:
        return _seed(offices=offices, movements=movements, requests=requests, days=days,
                     seed=seed, reset=reset, progress=progress, log=log)
    finally:
        gc.enable()


def _seed(*, offices: int, movements: int, requests: int, days: int, seed: int, reset: bool,
          progress: bool, log: Callable[[str], None]) -> dict:
    started = time.monotonic()
    if reset:
        writer.reset_data()
    elif Office.objects.exists() or Movement.objects.exists() or ServiceRequest.objects.exists():
        raise BulkDataExists(
            "Database sudah berisi kantor, mutasi atau permohonan. Pakai --reset untuk "
            "mengosongkan tabel blanko dan layanan terlebih dahulu."
        )
    rng = random.Random(seed)
    staff = staff_user().pk
    refs = create_offices(pick_regions(offices))
    ranks = list(range(1, len(refs) + 1))
    rng.shuffle(ranks)
    weights = [rank ** -0.6 for rank in ranks]
    movement_shares, request_shares = split(movements, weights), split(requests, weights)
    end = timezone.now().timestamp() - 60
    start = end - days * DAY
    nik_maker = people.NikMaker(rng)
    tables: dict[str, list] = {name: [] for name in (
        "requests", "events", "movements", "prints", "deliveries", "destructions", "counters")}
    balances: dict[int, int] = {}
    forced = 0
    bar = tqdm(refs, desc="rencana", unit="kantor", file=sys.stderr, disable=not progress)
    for office, n_mov, n_req in zip(bar, movement_shares, request_shares, strict=True):
        plan = plan_office(rng, nik_maker, office, movements=n_mov, requests=n_req,
                           start=start, end=end, staff=staff, forced_from=forced)
        forced += n_req
        for name in tables:
            tables[name].extend(getattr(plan, name))
        balances[office.stock], balances[office.spoiled] = plan.stock, plan.spoiled
    _assign_ids(tables["requests"], 23, ServiceRequest._meta.db_table)
    _assign_ids(tables["events"], 4, RequestEvent._meta.db_table)
    _assign_ids(tables["movements"], 7, Movement._meta.db_table)
    _assign_ids(tables["prints"], 4, CardPrint._meta.db_table)
    _assign_ids(tables["deliveries"], 4, Delivery._meta.db_table)
    _assign_ids(tables["destructions"], 3, Destruction._meta.db_table)
    counts = load.load(tables, progress)
    with transaction.atomic():
        rows = list(Balance.objects.filter(location_id__in=balances))
        for balance in rows:
            balance.quantity = balances[balance.location_id]
        Balance.objects.bulk_update(rows, ["quantity", "updated_at"], batch_size=1000)
    writer.analyze()
    counts["offices"] = len(refs)
    counts["seconds"] = round(time.monotonic() - started, 1)
    log(" ".join(f"{key}={value}" for key, value in counts.items()))
    return counts


