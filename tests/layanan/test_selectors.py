"""Reads: the print queue in serving order, why a row waits, search, status, public stock."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blanko import access
from layanan import rules, selectors, services
from layanan.models import ServiceRequest
from tests.factories import make_user
from tests.helpers import today
from tests.layanan.helpers import adult_nik, born_years_ago, make_nik, submit, verified, verify

Kind = ServiceRequest.Kind
Status = ServiceRequest.Status

pytestmark = pytest.mark.django_db


def at(minutes: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=minutes)


def test_the_print_queue_serves_by_tier_then_oldest_submission(office, operator, other_office,
                                                               other_operator):
    tier4_old = verified(office, operator, at=at(500))
    tier1_new = verified(office, operator, kind=Kind.NEW, at=at(10),
                         nik=make_nik(born_years_ago(20)))
    tier3 = verified(office, operator, replaces_suket=True, at=at(400))
    tier2 = verified(office, operator, disaster_victim=True, at=at(5))
    tier1_old = verified(office, operator, kind=Kind.NEW, at=at(300),
                         nik=make_nik(born_years_ago(18)))
    tier4_new = verified(office, operator, at=at(1))
    # Not in the queue: not verified yet, already printed or closed, another office.
    submit(office, operator, at=at(600))
    services.cancel_request(request=verified(office, operator, at=at(700)), by=operator)
    verified(other_office, other_operator, kind=Kind.NEW, nik=make_nik(born_years_ago(19)))
    queue = list(selectors.print_queue(office=office))
    assert queue == [tier1_old, tier1_new, tier2, tier3, tier4_old, tier4_new]


def test_the_same_submission_time_is_served_in_registration_order(office, operator):
    moment = at(60)
    first = verified(office, operator, at=moment)
    second = verified(office, operator, at=moment)
    assert list(selectors.print_queue(office=office)) == [first, second]


def test_waiting_by_tier_counts_only_requests_printable_today(office, operator):
    verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(20)))
    verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(17, days=-20)))
    verified(office, operator, disaster_victim=True)
    verified(office, operator)
    verified(office, operator)
    submit(office, operator)
    assert selectors.waiting_by_tier(office=office, today=today()) == {1: 1, 2: 1, 4: 2}
    later = today() + datetime.timedelta(days=20)
    assert selectors.waiting_by_tier(office=office, today=later) == {1: 2, 2: 1, 4: 2}


def test_the_queue_counts_are_its_length_and_the_waiting_by_tier_in_one_query(
    office, operator, other_office, django_assert_num_queries
):
    verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(20)))
    verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(17, days=-20)))
    verified(office, operator, disaster_victim=True)
    verified(office, operator)
    submit(office, operator)
    verified(other_office, make_user(access.OPERATOR, other_office))
    for day in (today(), today() + datetime.timedelta(days=20)):
        with django_assert_num_queries(1):
            counts = selectors.queue_counts(office=office, today=day)
        assert counts.verified == selectors.print_queue(office=office).count() == 4
        assert counts.printable_by_tier == selectors.waiting_by_tier(office=office, today=day)


def test_queue_rows_give_the_reason_a_row_cannot_print_now(office, operator):
    young = verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(17, days=-20)))
    first_timer = verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(20)))
    tier4 = verified(office, operator)
    queue = selectors.print_queue(office=office)
    birthday = today() + datetime.timedelta(days=20)

    rows = dict(selectors.queue_rows(office=office, requests=queue, stock=0, today=today()))
    assert rows[young].code == "too_young"
    assert rows[young].message == f"Belum 17 tahun; dapat dicetak mulai {birthday:%d-%m-%Y}."
    assert rows[first_timer].code == rows[tier4].code == "no_stock"
    assert rows[tier4].message == "Stok blanko habis."

    rows = dict(selectors.queue_rows(office=office, requests=queue, stock=1, today=today()))
    assert rows[first_timer] is None
    assert rows[tier4].code == "reserved"
    assert rows[tier4].message == (
        "Dicadangkan untuk prioritas lebih tinggi: stok 1, 1 pemohon prioritas lebih tinggi "
        "menunggu.")
    rows = dict(selectors.queue_rows(office=office, requests=queue, stock=2, today=today()))
    assert rows[first_timer] is None and rows[tier4] is None
    assert rows[young].code == "too_young"


def test_higher_tier_waiting_excludes_the_request_itself_and_lower_tiers(office, operator):
    tier2 = verified(office, operator, disaster_victim=True)
    verified(office, operator, disaster_victim=True)
    verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(20)))
    tier4 = verified(office, operator)
    assert selectors.higher_tier_waiting(request=tier2, today=today()) == 1
    assert selectors.higher_tier_waiting(request=tier4, today=today()) == 3


def test_printable_q_and_rules_printable_on_are_the_same_rule(office, operator):
    verified(office, operator)
    verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(17, days=-20)))
    verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(17)))  # today
    submit(office, operator)
    requests = list(ServiceRequest.objects.all())
    for day in (today(), today() + datetime.timedelta(days=19),
                today() + datetime.timedelta(days=20)):
        in_sql = set(ServiceRequest.objects.filter(selectors.printable_q(today=day)))
        in_python = {r for r in requests if r.status == Status.VERIFIED
                     and rules.printable_on(printable_from=r.printable_from, day=day)}
        assert in_sql == in_python
    assert len(in_sql) == 3


def test_printable_q_reads_another_status_field(office, operator):
    request = verified(office, operator)
    annotated = ServiceRequest.objects.annotate(state=F("status"))
    assert list(annotated.filter(selectors.printable_q(today=today(), status_field="state"))
                ) == [request]


def test_request_blocker_agrees_with_the_queue_rows(office, operator, give_stock):
    give_stock(office, 2)
    verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(20)))
    verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(17, days=-20)))
    verified(office, operator, disaster_victim=True)
    verified(office, operator)
    queue = selectors.print_queue(office=office)
    rows = selectors.queue_rows(office=office, requests=queue, stock=2, today=today())
    assert [blocker and blocker.code for _request, blocker in rows] == [
        None, "too_young", None, "reserved"]
    for request, blocker in rows:
        assert selectors.request_blocker(request=request) == blocker
        assert selectors.request_blocker(request=request, stock=0).code in (
            "too_young", "no_stock")


def test_a_request_that_is_not_verified_waits_for_no_blank(office, operator,
                                                          django_assert_num_queries):
    request = submit(office, operator)
    with django_assert_num_queries(0):
        assert selectors.request_blocker(request=request) is None


# Search


def test_search_by_registration_number(office, operator):
    wanted = submit(office, operator)
    submit(office, operator)
    found = list(selectors.search_requests(office=office, query=wanted.registration_number))
    assert found == [wanted]


@pytest.mark.parametrize("spelling", ["{nik}", " {nik} ", "{a} {b} {c} {d}", "{a}.{b}.{c}.{d}"])
def test_search_by_whole_nik(office, operator, spelling):
    nik = adult_nik()
    wanted = submit(office, operator, nik=nik)
    submit(office, operator)
    query = spelling.format(nik=nik, a=nik[:4], b=nik[4:8], c=nik[8:12], d=nik[12:])
    assert list(selectors.search_requests(office=office, query=query)) == [wanted]


@pytest.mark.parametrize("query", ["siti", "RAHMA", "Siti   Rahmawati", "wati"])
def test_search_by_part_of_the_name(office, operator, query):
    wanted = submit(office, operator, full_name="Siti Rahmawati")
    submit(office, operator, full_name="Budi Santoso")
    assert list(selectors.search_requests(office=office, query=query)) == [wanted]


def test_search_stays_in_the_office(office, operator, other_office, other_operator):
    nik = adult_nik()
    submit(other_office, other_operator, nik=nik, full_name="Siti Batam")
    assert list(selectors.search_requests(office=office, query=nik)) == []
    assert list(selectors.search_requests(office=office, query="Siti")) == []


def test_an_empty_search_lists_every_request_newest_first(office, operator):
    older = submit(office, operator, at=at(100))
    newer = submit(office, operator, at=at(1))
    assert list(selectors.search_requests(office=office, query="  ")) == [newer, older]


# The public status check


def test_the_status_check_needs_the_number_and_the_last_4_nik_digits(office, operator):
    request = submit(office, operator)
    number, last4 = request.registration_number, request.nik[-4:]
    assert selectors.request_status(registration_number=f" {number} ",
                                    nik_last4=last4) == request
    wrong_digits = f"{(int(last4) + 1) % 10_000:04d}"
    for registration_number, digits in [
        (number, wrong_digits), (number + "9", last4), ("2172-000000-0001", last4),
        (number, last4[:3]), (number, "abcd"), (number, "１２３４"), (number, request.nik[-5:]),
        (number, ""), ("", last4), (None, None), (number, request.nik),
    ]:
        assert selectors.request_status(registration_number=registration_number,
                                        nik_last4=digits) is None


# The public stock page


def test_public_stock_gives_each_offices_stock_queue_and_update_time(office, operator,
                                                                      other_office, give_stock):
    give_stock(office, 7)
    verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(20)))
    verified(office, operator)
    verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(17, days=-9)))
    submit(office, operator)
    rows = {o.code: o for o in selectors.public_stock()}
    assert list(rows) == sorted(rows)
    assert (rows["2172"].stock, rows["2172"].queue_length) == (7, 2)
    assert (rows["2171"].stock, rows["2171"].queue_length) == (0, 0)
    assert rows["2172"].updated_at is not None
    assert rows["2172"].updated_at >= rows["2171"].updated_at


def test_the_public_queue_length_drops_when_a_card_is_printed(office, operator, give_stock):
    give_stock(office, 2)
    request = verify(submit(office, operator), operator)
    assert {o.code: o.queue_length for o in selectors.public_stock()}["2172"] == 1
    services.print_card(request=request, by=operator)
    row = {o.code: o for o in selectors.public_stock()}["2172"]
    assert (row.stock, row.queue_length) == (1, 0)


def test_the_queue_counts_read_only_columns_of_the_verified_requests_index(
    postgres_only, office, operator
):
    """At 1M requests the age test with the status in its FILTER sent the count to the
    table's rows (3 ms for the busiest office); within the index alone it took 0.5."""
    verified(office, operator)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE layanan_servicerequest")
        # A few rows would be read from the table whatever the query: closed roads.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    with CaptureQueriesContext(connection) as queries:
        selectors.queue_counts(office=office, today=today())
    (sql,) = [query["sql"] for query in queries.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using request_verified_office" in plan, plan
