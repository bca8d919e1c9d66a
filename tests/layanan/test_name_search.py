"""The name search: the same answer as ILIKE, read from the office's own trigram keys."""

from __future__ import annotations

import copy

import pytest
from django.db import connection

from blanko import access
from layanan import selectors
from layanan.models import ServiceRequest
from tests.factories import make_user
from tests.layanan.helpers import submit

pytestmark = pytest.mark.django_db

NAMES = ["Budi Siregar", "Siti Nurhaliza Siregar", "Ahmad Sirait", "Nasir Hutagalung",
         "Dewi Sartika", "Andi Nur", "O'Neil Situmorang", "Ni Luh Putu Ayu"]
QUERIES = ["siregar", "SIREGAR", "sir", "ir", "r", "regar sir", "budi siregar",
           "nur", "o'neil", "'n", "putu ayu", "utu a", "zzz", "%", "_", "ar s", "Dewi  Sartika",
           "siregar%", "sïregar", "٢١٧", "nasir hutagalung x"]


@pytest.fixture
def names(office, other_office, operator):
    elsewhere = make_user(access.OPERATOR, other_office, username="petugas_lain")
    for name in NAMES:
        submit(office, operator, full_name=name)
        submit(other_office, elsewhere, full_name=name)  # must never show


@pytest.mark.parametrize("query", QUERIES)
def test_the_name_search_finds_what_ilike_finds_in_the_office_only(names, office, query):
    found = selectors.search_requests(office=office, query=query)
    expected = ServiceRequest.objects.filter(office=office,
                                             full_name__icontains=" ".join(query.split()))
    assert sorted(found.values_list("pk", flat=True)) == sorted(
        expected.values_list("pk", flat=True))
    assert {request.office_id for request in found} <= {office.pk}


def test_a_name_search_reads_only_the_offices_trigram_keys(postgres_only, names, office):
    """At 1M requests the search read every office's matches (or all of the office's
    names); the plan now starts from the office's own keys."""
    # Enough rows, and fresh statistics, for the planner to choose as on a big table.
    template = ServiceRequest.objects.filter(office=office).first()
    fillers = []
    for n in range(4000):
        filler = copy.copy(template)
        filler.pk = None
        filler.registration_number = f"{office.code}-900101-{n:05d}"
        filler.nik = f"21720101019{n:05d}"
        filler.full_name = f"Warga Pengisi {n}"
        filler.status = ServiceRequest.Status.CANCELLED
        fillers.append(filler)
    ServiceRequest.objects.bulk_create(fillers)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE layanan_servicerequest")
        # 4,000 rows are too few for the planner to prefer the key index every time: in
        # full runs it chose a sequential scan once, and once an index leading with
        # office_id. What this test proves is that the query's expression matches the
        # office's key index, so that index can serve it: the other roads are closed for
        # this test (the DROPs are rolled back with its transaction).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'layanan_servicerequest' "
            "AND indexdef LIKE '%USING btree (office_id%' "
            "AND indexdef NOT LIKE 'CREATE UNIQUE%'")
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
    query = selectors.search_requests(office=office, query="siregar")
    plan = query.explain()
    assert query.count() == 2
    assert "request_office_name_keys" in plan, plan
    assert f"{{{office.pk}:ega,{office.pk}:gar" in plan, plan
    with connection.cursor() as cursor:
        cursor.execute("SELECT request_name_pattern_keys(%s, %s)", [office.pk, "Si regar"])
        assert cursor.fetchone()[0] == [f"{office.pk}:ega", f"{office.pk}:gar",
                                        f"{office.pk}:reg"]
