"""The network planning pages (issue 14) at national scale: Ditjen's allocation plan with a
waiting request from every office and a central store short of blanks, the largest
province's rebalancing plan page, the rebalancing plans of every province from one read
of all 514 offices, and the rollup as the national allocator opens it.

The requests and the central store's stock are written inside a transaction that is
rolled back at the end, so a sized database stays exactly as seed_bulk left it (its counts
decide whether the next run reuses it).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blanko import access, services
from blanko.models import BlankRequest, Office
from config.tooling.benchmarking.machine import summary_ms
from config.tooling.benchmarking.pages import bench_user, measure_url
from config.tooling.bulk import staff_user
from layanan.supervision import rebalancing

# What the waiting requests ask, office by office: 500 to 2,400 blanks in hundreds; the
# central store holds half of the total, so the plan shares it out (the scarce case).
ASKED_STEPS = 20
CENTRAL_SHARE = 0.5


class _RolledBack(Exception):
    pass


def largest_province() -> str | None:
    """The province with the most offices (Jawa Timur's 38 when all 514 are seeded)."""
    counts = Counter(code[:2] for code in Office.objects.values_list("code", flat=True))
    return min(counts, key=lambda code: (-counts[code], code)) if counts else None


def _wait_for_allocation(offices: list[Office], allocator: User) -> dict:
    """One forwarded request per office, and a central store stocked with half of what
    they ask (bulk rows, as seed_bulk writes: the services would take minutes)."""
    today = timezone.localdate()
    author = staff_user()
    asked = [500 + 100 * (i % ASKED_STEPS) for i in range(len(offices))]
    BlankRequest.objects.bulk_create([
        BlankRequest(office=office, number=f"PB/{office.code}/{today.year}/BENCH",
                     status=BlankRequest.Status.FORWARDED, quantity=quantity,
                     forwarded_quantity=quantity, submitted_on=today, created_by=author)
        for office, quantity in zip(offices, asked, strict=True)
    ], batch_size=1000)
    free = int(sum(asked) * CENTRAL_SHARE)
    services.receive_into_central_store(quantity=free, reference="BENCH/PENGADAAN",
                                        by=allocator)
    return {"waiting_requests": len(offices), "asked": sum(asked), "central_free": free}


def every_province_plan() -> dict[str, rebalancing.Plan]:
    """The rebalancing plan of every province, from one read of all the offices'
    figures (the reads are the plan page's, for 514 offices instead of one province's)."""
    by_province: dict[str, list[rebalancing.OfficeFigures]] = defaultdict(list)
    for figures in rebalancing.province_figures(province_code=""):
        by_province[figures.code[:2]].append(figures)
    return {code: rebalancing.plan(group) for code, group in by_province.items()}


def _time_every_province(*, samples: int, warmup: int) -> dict:
    for _ in range(warmup):
        every_province_plan()
    with CaptureQueriesContext(connection) as captured:
        plans = every_province_plan()
    durations = []
    for _ in range(samples):
        started = time.perf_counter()
        every_province_plan()
        durations.append(time.perf_counter() - started)
    return {"provinces": len(plans),
            "offices": sum(len(plan.lines) for plan in plans.values()),
            "proposals": sum(len(plan.proposals) for plan in plans.values()),
            "queries": len(captured.captured_queries), **summary_ms(durations)}


def measure_network(*, samples: int = 30, warmup: int = 3, log=lambda text: None) -> dict:
    offices = list(Office.objects.order_by("code"))
    province = largest_province()
    if not offices or province is None:
        return {"skipped": "no office in the database"}
    result: dict = {}
    try:
        with transaction.atomic():
            allocator = bench_user(access.NATIONAL)
            coordinator = bench_user(access.PROVINCE, region=province)
            log(f"  network: {len(offices)} waiting requests")
            result["setup"] = _wait_for_allocation(offices, allocator)
            national, provincial = Client(), Client()
            national.force_login(allocator)
            provincial.force_login(coordinator)
            pages = {
                "allocation_plan": (national, reverse("layanan:allocation_plan")),
                "rollup_allocator": (national, reverse("layanan:rollup")),
                "rebalancing_plan": (provincial, reverse("layanan:rebalancing_plan",
                                                         kwargs={"province": province})),
            }
            for key, (client, url) in pages.items():
                log(f"  page {key}: {url}")
                result[key] = measure_url(client, url, samples=samples, warmup=warmup)
            result["rebalancing_plan"]["offices"] = Office.objects.filter(
                code__startswith=province).count()
            log("  rebalancing plans of every province, from one read")
            result["rebalancing_every_province"] = _time_every_province(
                samples=samples, warmup=warmup)
            raise _RolledBack
    except _RolledBack:
        pass
    return result
