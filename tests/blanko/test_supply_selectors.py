"""Reads of the supply cycle: lead times (hand-computed medians), blanks still to come
from Ditjen, the central store's free stock, the lists of requests."""

from __future__ import annotations

import datetime

import pytest

from blanko import access, selectors, services
from blanko.models import BlankRequest
from tests.factories import OfficeFactory, make_user
from tests.helpers import noon, today

# verify_ledger is clean after every test of the supply cycle.
pytestmark = pytest.mark.usefixtures("ledger_clean_after")

Status = BlankRequest.Status


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


@pytest.fixture
def coordinator(db):
    return make_user(access.PROVINCE, None, username="kepri_uji", office__region="21")


@pytest.fixture
def allocator(db):
    return make_user(access.NATIONAL, None, username="ditjen_uji", office__national=True)


@pytest.fixture
def central_stocked(allocator):
    services.receive_into_central_store(quantity=100_000, reference="KONTRAK/1", by=allocator,
                                        occurred_on=days_ago(500))
    return services.central_office()


@pytest.fixture
def cycle(coordinator, allocator, central_stocked):
    """Runs a request from its submission to its receipt, on the days given."""

    def run(office, supervisor, *, asked: int, received: list[int] | None = None,
            quantity: int = 100) -> BlankRequest:
        request = services.request_blanks(office=office, quantity=quantity, by=supervisor,
                                          at=noon(days_ago(asked)))
        services.forward_blank_request(blank_request=request, by=coordinator,
                                       at=noon(days_ago(asked)))
        services.allocate_blanks(blank_request=request, quantity=quantity, by=allocator,
                                 at=noon(days_ago(asked)))
        sent = services.dispatch_blanks(blank_request=request, quantity=quantity,
                                        reference=f"BAST/{request.number}", by=allocator,
                                        occurred_on=days_ago(asked))
        for index, day in enumerate(received or []):
            # Several receipts: all but the last take one blank, the last the rest.
            left = quantity - index if index == len(received) - 1 else 1
            services.confirm_receipt(shipment=sent, quantity=left, by=supervisor,
                                     occurred_on=days_ago(day))
        return request

    return run


# --- Lead time ---------------------------------------------------------------------------------


@pytest.fixture
def tanjungpinang_history(office, supervisor, cycle):
    """Three requests of the last year (30, 20 and 10 days), an old one (100 days, 400
    days ago) and one still waiting."""
    cycle(office, supervisor, asked=100, received=[70])
    cycle(office, supervisor, asked=60, received=[40])
    cycle(office, supervisor, asked=30, received=[20])
    cycle(office, supervisor, asked=400, received=[300])
    cycle(office, supervisor, asked=10)
    return office


def test_the_lead_time_is_the_median_over_the_last_years_received_requests(
    tanjungpinang_history
):
    # [30, 20, 10]: the request of 400 days ago and the one still waiting do not count.
    assert selectors.lead_time_days(office=tanjungpinang_history) == 20.0
    found = selectors.lead_times(offices=[tanjungpinang_history])[tanjungpinang_history.pk]
    assert found == selectors.LeadTime(days=20.0, source="measured", requests=3)


def test_an_even_count_takes_the_mean_of_the_middle_two(tanjungpinang_history, supervisor,
                                                        cycle):
    cycle(tanjungpinang_history, supervisor, asked=200, received=[155])
    # [45, 30, 20, 10] -> (30 + 20) / 2
    assert selectors.lead_time_days(office=tanjungpinang_history) == 25.0


def test_only_the_first_receipt_counts(office, supervisor, cycle):
    cycle(office, supervisor, asked=50, received=[45, 5])
    assert selectors.lead_time_days(office=office) == 5.0


def test_an_office_without_requests_takes_its_provinces_median(
    tanjungpinang_history, other_office, third_office, third_supervisor, cycle
):
    cycle(third_office, third_supervisor, asked=90, received=[50])
    # Province 21: Tanjungpinang's [30, 20, 10] and Lingga's [40] -> (20 + 30) / 2.
    assert selectors.lead_times(offices=[other_office])[other_office.pk] == (
        selectors.LeadTime(days=25.0, source="province", requests=4))
    assert selectors.lead_time_days(office=other_office) == 25.0


def test_an_office_alone_in_its_province_takes_its_field(tanjungpinang_history):
    jakarta = OfficeFactory(code="3171", name="Kota Jakarta Utara")
    jakarta.lead_time_days = 45
    jakarta.save(update_fields=["lead_time_days"])
    assert selectors.lead_times(offices=[jakarta])[jakarta.pk] == selectors.LeadTime(
        days=45.0, source="default", requests=0)
    assert selectors.lead_time_days(office=jakarta) == 45.0


def test_a_past_lead_time_counts_only_what_was_received_by_then(tanjungpinang_history):
    # On the day 50 days ago: the request of 100 days ago (30 days) was received, and the
    # one of 400 days ago (100 days) was within the year ending then; the one of 60 days
    # ago came 40 days ago. Median of [100, 30].
    found = selectors.lead_times(offices=[tanjungpinang_history], as_of=days_ago(50))
    assert found[tanjungpinang_history.pk] == selectors.LeadTime(65.0, "measured", 2)


def test_lead_times_of_many_offices_take_one_query(
    tanjungpinang_history, other_office, third_office, django_assert_num_queries
):
    offices = [tanjungpinang_history, other_office, third_office]
    with django_assert_num_queries(1):
        found = selectors.lead_times(offices=offices)
    assert [found[office.pk].source for office in offices] == [
        "measured", "province", "province"]


# --- Blanks still to come from Ditjen ---------------------------------------------------------


@pytest.fixture
def on_its_way(office, supervisor, coordinator, allocator, central_stocked):
    """Asked 20 days ago, forwarded 19, 6,000 allocated 18, 4,000 dispatched 10 days ago,
    2,500 of them received 5 days ago."""
    request = services.request_blanks(office=office, quantity=12_000, by=supervisor,
                                      at=noon(days_ago(20)))
    services.forward_blank_request(blank_request=request, by=coordinator,
                                   at=noon(days_ago(19)))
    services.allocate_blanks(blank_request=request, quantity=6_000, by=allocator,
                             at=noon(days_ago(18)))
    sent = services.dispatch_blanks(blank_request=request, quantity=4_000, reference="BAST/1",
                                    by=allocator, occurred_on=days_ago(10))
    services.confirm_receipt(shipment=sent, quantity=2_500, by=supervisor,
                             occurred_on=days_ago(5))
    return request


@pytest.mark.parametrize(("ago", "expected"), [
    (19, 0), (18, 6_000), (11, 6_000), (6, 6_000), (5, 3_500), (1, 3_500), (0, 3_500)])
def test_what_ditjen_still_sends_is_allocated_less_received_on_each_day(
    on_its_way, office, other_office, ago, expected
):
    found = selectors.incoming_from_ditjen(office_ids=[office.pk, other_office.pk],
                                           as_of=days_ago(ago), today=today())
    assert found == {office.pk: expected, other_office.pk: 0}


def test_what_ditjen_still_sends_takes_fixed_queries(on_its_way, office, other_office,
                                                     django_assert_num_queries):
    ids = [office.pk, other_office.pk]
    with django_assert_num_queries(1):
        selectors.incoming_from_ditjen(office_ids=ids, as_of=today(), today=today())
    with django_assert_num_queries(2):
        selectors.incoming_from_ditjen(office_ids=ids, as_of=days_ago(6), today=today())


def test_a_refused_or_received_request_sends_nothing_more(on_its_way, office, supervisor,
                                                          coordinator, allocator):
    refused = services.request_blanks(office=office, quantity=500, by=supervisor)
    services.forward_blank_request(blank_request=refused, by=coordinator)
    services.allocate_blanks(blank_request=refused, quantity=0, by=allocator, note="Kosong")
    found = selectors.incoming_from_ditjen(office_ids=[office.pk], as_of=today(),
                                           today=today())
    assert found == {office.pk: 3_500}


# --- The central store and the lists --------------------------------------------------------------


def test_the_free_stock_is_the_store_less_what_is_promised(on_its_way, office, supervisor,
                                                           coordinator, allocator):
    # 100,000 procured; 6,000 allocated of which 4,000 left the store.
    assert selectors.central_stock() == {"stock": 96_000, "allocated_undispatched": 2_000,
                                         "free": 94_000, "in_transit": 1_500}
    other = services.request_blanks(office=office, quantity=94_000, by=supervisor)
    services.forward_blank_request(blank_request=other, by=coordinator)
    services.allocate_blanks(blank_request=other, quantity=94_000, by=allocator)
    assert selectors.central_stock()["free"] == 0


def test_the_central_store_figures_take_two_queries(on_its_way, django_assert_num_queries):
    with django_assert_num_queries(2):
        selectors.central_stock()


def test_the_lists_of_requests_filter_by_office_and_status(
    on_its_way, office, supervisor, other_office, other_supervisor, coordinator,
    django_assert_num_queries
):
    waiting = services.request_blanks(office=office, quantity=5, by=supervisor)
    withdrawn = services.request_blanks(office=office, quantity=5, by=supervisor)
    services.cancel_blank_request(blank_request=withdrawn, by=supervisor)
    elsewhere = services.request_blanks(office=other_office, quantity=5, by=other_supervisor)
    with django_assert_num_queries(1):
        rows = [(r.number, r.office.code, r.created_by.username)
                for r in selectors.blank_requests(offices=[office])]
    assert [number for number, _, _ in rows] == [
        withdrawn.number, waiting.number, on_its_way.number]
    assert [r.pk for r in selectors.open_blank_requests(office=office)] == [
        waiting.pk, on_its_way.pk]
    assert list(selectors.blank_requests(statuses=[Status.SUBMITTED])) == [elsewhere, waiting]
    assert on_its_way.age_days(today()) == 20


def test_the_brief_open_requests_are_the_same_requests_with_their_dates(
    on_its_way, office, supervisor, django_assert_num_queries
):
    waiting = services.request_blanks(office=office, quantity=5, by=supervisor)
    with django_assert_num_queries(1):
        brief = [(r.pk, r.number, r.submitted_on)
                 for r in selectors.open_blank_requests(office=office, brief=True)]
    assert brief == [(r.pk, r.number, r.submitted_on)
                     for r in selectors.open_blank_requests(office=office)]
    assert [pk for pk, _, _ in brief] == [waiting.pk, on_its_way.pk]


def test_the_shipments_towards_an_office_are_those_still_in_transit_to_it(
    on_its_way, office, other_office, supervisor, other_supervisor, allocator,
    django_assert_num_queries
):
    # On its way: the rest of BAST/1 (1,500) and a loan from Batam; the loan the office
    # sends itself is not towards it.
    services.receive_allocation(office=other_office, quantity=500, reference="BAST/BTM",
                                by=other_supervisor, occurred_on=days_ago(3))
    services.receive_allocation(office=office, quantity=200, reference="BAST/TPI",
                                by=supervisor, occurred_on=days_ago(3))
    services.lend_to_office(lender=other_office, borrower=office, quantity=60,
                            reference="PJ/BTM/1", by=other_supervisor)
    services.lend_to_office(lender=office, borrower=other_office, quantity=40,
                            reference="PJ/TPI/1", by=supervisor)
    with django_assert_num_queries(1):
        towards = [(s.letter, s.remaining)
                   for s in selectors.shipments_towards(office=office)]
    assert sorted(towards) == [("BAST/1", 1_500), ("PJ/BTM/1", 60)]
