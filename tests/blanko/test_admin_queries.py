"""Each admin list runs a fixed number of queries, whatever the number of rows.

Seen by an office's Administrator who is not a superuser: the scope filters and
permission checks of that role run too. A list cell that names a related row (an
office, a location, a user) would otherwise cost one query per row.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blanko import selectors, services
from blanko.models import MovementCause
from layanan.models import KeyDate
from tests.blanko.helpers import PARTNER_BINTAN, PARTNER_KARIMUN

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def adds(office, other_office, supervisor, receive) -> dict[str, Callable[[int], None]]:
    """Per changelist, a function that adds `n` more rows the Administrator sees."""
    serial = iter(range(1, 1_000))

    def movements_and_deliveries(n):
        for _ in range(n):
            receive(office, 5)

    def loans(n):
        for _ in range(n):
            number = next(serial)
            services.borrow_from_partner(office=office, partner_code=PARTNER_BINTAN,
                                         quantity=3, reference=f"470/P/{number}", by=supervisor)
            services.lend_to_partner(office=office, partner_code=PARTNER_KARIMUN, quantity=1,
                                     reference=f"470/K/{number}", by=supervisor)
            services.lend_to_office(lender=office, borrower=other_office, quantity=1,
                                    reference=f"470/O/{number}", by=supervisor)

    def stock_counts(n):
        for _ in range(n):
            counted = selectors.stock_on_hand(office=office) - 1
            services.record_stock_count(office=office, counted_quantity=counted, by=supervisor,
                                        reason="selisih")

    def destructions(n):
        for _ in range(n):
            services.spoil_blank(office=office, by=supervisor, cause=MovementCause.DAMAGED)
            services.destroy_spoiled(office=office, quantity=1, number=f"BA/{next(serial)}",
                                     by=supervisor)

    closed = [datetime.date(2020, 1, 1)]

    def month_closes(n):
        for _ in range(n):
            services.close_month(office=office, month=closed[-1], by=supervisor)
            closed.append((closed[-1] + datetime.timedelta(days=31)).replace(day=1))

    def key_dates(n):
        for _ in range(n):
            KeyDate.objects.create(name=f"Pilkada {next(serial)}", date=datetime.date(2030, 1, 1),
                                   office=office)

    receive(office, 500)
    return {
        "admin:blanko_movement_changelist": movements_and_deliveries,
        "admin:blanko_delivery_changelist": movements_and_deliveries,
        "admin:blanko_loan_changelist": loans,
        "admin:blanko_stockcount_changelist": stock_counts,
        "admin:blanko_destruction_changelist": destructions,
        "admin:blanko_monthclose_changelist": month_closes,
        "admin:blanko_balance_changelist": lambda n: None,  # three rows per office
        "admin:blanko_location_changelist": lambda n: None,
        "admin:layanan_keydate_changelist": key_dates,
    }


@pytest.mark.parametrize("name", [
    "admin:blanko_movement_changelist",
    "admin:blanko_delivery_changelist",
    "admin:blanko_loan_changelist",
    "admin:blanko_stockcount_changelist",
    "admin:blanko_destruction_changelist",
    "admin:blanko_monthclose_changelist",
    "admin:blanko_balance_changelist",
    "admin:blanko_location_changelist",
    "admin:layanan_keydate_changelist",
])
def test_an_admin_list_runs_as_many_queries_for_many_rows_as_for_one(
    name, adds, admin_client, django_assert_max_num_queries
):
    url = reverse(name)
    adds[name](1)
    page_queries(admin_client, url)  # warms the per-process caches (content types)
    one_row = page_queries(admin_client, url)
    adds[name](8)
    with django_assert_max_num_queries(one_row):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 2


def test_the_loan_change_page_lists_its_shipments_without_a_query_each(
    office, other_office, supervisor, other_supervisor, receive, admin_client,
    django_assert_max_num_queries,
):
    receive(office, 50)
    loan = services.lend_to_office(lender=office, borrower=other_office, quantity=10,
                                   reference="470/KIRIM", by=supervisor)
    services.confirm_receipt(shipment=loan.shipments.get(), quantity=10, by=other_supervisor)
    url = reverse("admin:blanko_loan_change", args=[loan.pk])
    page_queries(admin_client, url)
    one_shipment = page_queries(admin_client, url)
    for _ in range(4):  # each repayment travels as a shipment of its own
        services.repay_loan(loan=loan, quantity=1, by=other_supervisor)
    with django_assert_max_num_queries(one_shipment):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Pengembalian") >= 4
