"""Page latency through Django's test client: median and p95, and the query count.

Staff pages are measured on the busiest office (the one with the most requests),
as an operator, a supervisor or a national viewer of it, the role each page is for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from blanko import access
from blanko.models import Office, StaffProfile
from config.tooling.benchmarking.machine import summary_ms
from layanan.models import ServiceRequest

NAME_QUERY = "siregar"


@dataclass(frozen=True)
class Page:
    key: str
    role: str | None  # None: anonymous
    url: Callable[[Office, dict], str]
    # A search is posted (issue 10): a NIK never goes into a URL, the benchmark's either.
    data: Callable[[dict], dict] | None = None


def _month(context: dict) -> dict:
    """The last complete month, whose report a supervisor prints."""
    first = timezone.localdate().replace(day=1)
    if first.month == 1:
        return {"year": first.year - 1, "month": 12}
    return {"year": first.year, "month": first.month - 1}


PAGES = [
    Page("dashboard", access.SUPERVISOR,
         lambda office, ctx: reverse("layanan:dashboard", kwargs={"code": office.code})),
    Page("print_queue", access.OPERATOR,
         lambda office, ctx: reverse("layanan:queue", kwargs={"code": office.code})),
    Page("search_nik", access.OPERATOR,
         lambda office, ctx: reverse("layanan:list", kwargs={"code": office.code}),
         data=lambda ctx: {"q": ctx["nik"]}),
    Page("search_name", access.OPERATOR,
         lambda office, ctx: reverse("layanan:list", kwargs={"code": office.code}),
         data=lambda ctx: {"q": NAME_QUERY}),
    Page("monthly_report", access.SUPERVISOR,
         lambda office, ctx: reverse("layanan:report",
                                     kwargs={"code": office.code, **_month(ctx)})),
    Page("public_stock", None, lambda office, ctx: reverse("layanan:public_stock")),
    Page("national_rollup", access.VIEWER, lambda office, ctx: reverse("layanan:rollup")),
]


def busiest_office() -> Office | None:
    row = (
        ServiceRequest.objects.values("office").annotate(n=Count("id")).order_by("-n", "office")
        .first()
    )
    if row is None:
        return Office.objects.order_by("code").first()
    return Office.objects.get(pk=row["office"])


def bench_user(role: str, office: Office | None = None, *, region: str = "") -> User:
    """A user with one role: at the office, over a region (a province coordinator), or
    national (a viewer, or any role given neither an office nor a region)."""
    national = role == access.VIEWER or (office is None and not region)
    at = None if national or region else office
    username = f"bench-{role.lower()}-{at.code if at else region or 'n'}"
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=role)])
    StaffProfile.objects.update_or_create(
        user=user, defaults={"office": at, "region_code": "" if national else region,
                             "national": national},
    )
    return User.objects.get(pk=user.pk)


def _sample_nik(office: Office) -> str:
    requests = ServiceRequest.objects.filter(office=office).order_by("id")
    count = requests.count()
    found = requests.values_list("nik", flat=True)[count // 2 : count // 2 + 1]
    return next(iter(found), "2172010101900001")


def measure_pages(*, samples: int = 30, warmup: int = 3, log=lambda text: None) -> dict:
    """Each page's latency and query count on the busiest office."""
    office = busiest_office()
    if office is None:
        return {"skipped": "no office in the database"}
    context = {"nik": _sample_nik(office)}
    result: dict = {
        "office": {"code": office.code, "name": office.name,
                   "requests": ServiceRequest.objects.filter(office=office).count()},
        "samples": samples,
        "name_query": NAME_QUERY,
    }
    clients: dict[str | None, Client] = {}
    for page in PAGES:
        try:
            url = page.url(office, context)
        except NoReverseMatch:
            result[page.key] = {"skipped": "URL not present in this version (not routed yet)"}
            continue
        client = clients.get(page.role)
        if client is None:
            client = clients[page.role] = Client()
            if page.role:
                client.force_login(bench_user(page.role, office))
        data = page.data(context) if page.data else None
        log(f"  page {page.key}: {'POST ' if data else ''}{url}")
        result[page.key] = measure_url(client, url, data=data, samples=samples, warmup=warmup)
        if data:
            result[page.key]["method"] = "POST, then GET of the results"
    return result


def measure_url(client: Client, url: str, *, data: dict | None = None, samples: int,
                warmup: int) -> dict:
    def fetch():
        # A search is posted, then its results are read by a GET (Post/Redirect/Get):
        # both are what the clerk waits for.
        return client.get(url) if data is None else client.post(url, data, follow=True)

    for _ in range(warmup):
        fetch()
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    queries = len(captured.captured_queries)
    durations = []
    statuses = set()
    for _ in range(samples):
        started = time.perf_counter()
        response = fetch()
        durations.append(time.perf_counter() - started)
        statuses.add(response.status_code)
    return {"url": url, "status": sorted(statuses), "queries": queries, **summary_ms(durations)}
