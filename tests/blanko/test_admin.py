"""The admin never writes a movement: ledger tables are read-only, add pages call services."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.test import RequestFactory
from django.urls import reverse

from blanko import selectors, services
from blanko.models import (
    Balance,
    Delivery,
    Destruction,
    Loan,
    Location,
    MonthClose,
    Movement,
    Office,
    StockCount,
)
from blanko.services.posting import today
from tests.blanko.helpers import PARTNER_BINTAN, ledger_snapshot, previous_month_day

Kind = Location.Kind


@pytest.fixture
def admin_client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.mark.parametrize("model", [Movement, Balance, Location])
def test_ledger_tables_have_no_add_change_or_delete_even_for_a_superuser(root, model):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = root
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


def test_a_post_to_a_movement_change_page_is_refused(stocked, root, admin_client_for):
    client = admin_client_for(root)
    movement = Movement.objects.get()
    url = reverse("admin:blanko_movement_change", args=[movement.pk])
    assert client.get(url).status_code == 200  # viewing is fine
    before = ledger_snapshot()
    response = client.post(url, {"quantity": 5, "reason": "issue", "reference": "ubah"})
    assert response.status_code == 403
    delete = client.post(reverse("admin:blanko_movement_delete", args=[movement.pk]),
                         {"post": "yes"})
    assert delete.status_code == 403
    assert client.get(reverse("admin:blanko_movement_add")).status_code == 403
    assert ledger_snapshot() == before
    assert Movement.objects.get().reference == movement.reference


def test_a_post_to_a_balance_change_page_is_refused(stocked, root, admin_client_for):
    client = admin_client_for(root)
    stock = services.office_location(stocked, Kind.STOCK)
    url = reverse("admin:blanko_balance_change", args=[stock.pk])
    response = client.post(url, {"quantity": 9_999})
    assert response.status_code == 403
    assert selectors.stock_on_hand(office=stocked) == 100


def test_the_movement_list_shows_only_the_administrators_offices(
    stocked, other_office, administrator, admin_client_for, receive
):
    receive(other_office, 7)
    response = admin_client_for(administrator).get(reverse("admin:blanko_movement_changelist"))
    assert response.status_code == 200
    assert [m.to_location.office for m in response.context["cl"].result_list] == [stocked]


def test_the_location_list_shows_only_the_administrators_offices_and_shared_ones(
    office, other_office, administrator, admin_client_for
):
    response = admin_client_for(administrator).get(reverse("admin:blanko_location_changelist"))
    assert response.status_code == 200
    offices = {location.office for location in response.context["cl"].result_list}
    assert office in offices and other_office not in offices


def delivery_data(office, **overrides):
    data = {"office": office.pk, "source": "ditjen", "bast_number": "470/0112/DUK/I/2020",
            "received_on": today().isoformat(), "quantity": "2000",
            "serial_start": "2172-20-000001", "serial_end": "2172-20-002000", "note": ""}
    data.update(overrides)
    return data


def test_the_delivery_add_page_receives_through_the_service(
    office, administrator, admin_client_for
):
    client = admin_client_for(administrator)
    url = reverse("admin:blanko_delivery_add")
    page = client.get(url)
    assert page.status_code == 200
    assert "Nomor BAST" in page.content.decode()
    response = client.post(url, delivery_data(office))
    assert response.status_code == 302
    assert response.url == reverse("admin:blanko_delivery_changelist")
    delivery = Delivery.objects.get()
    assert (delivery.bast_number, delivery.quantity, delivery.office) == (
        "470/0112/DUK/I/2020", 2_000, office)
    movement = delivery.movement
    assert (movement.reason, movement.recorded_by) == (
        Movement.Reason.RECEIPT_DITJEN, administrator)
    assert selectors.stock_on_hand(office=office) == 2_000
    assert LogEntry.objects.filter(user=administrator).count() == 1


def test_the_delivery_add_page_shows_a_duplicate_bast_in_indonesian_and_writes_nothing(
    office, administrator, admin_client_for
):
    client = admin_client_for(administrator)
    url = reverse("admin:blanko_delivery_add")
    client.post(url, delivery_data(office))
    before = ledger_snapshot()
    response = client.post(url, delivery_data(office, bast_number="470/0112/duk/i/2020"))
    assert response.status_code == 200
    assert "sudah pernah dicatat untuk Ditjen Dukcapil" in response.content.decode()
    assert ledger_snapshot() == before


def test_the_delivery_add_page_shows_a_future_date_on_the_form(
    office, administrator, admin_client_for
):
    client = admin_client_for(administrator)
    tomorrow = today() + datetime.timedelta(days=1)
    response = client.post(reverse("admin:blanko_delivery_add"),
                           delivery_data(office, received_on=tomorrow.isoformat()))
    assert response.status_code == 200
    assert "tidak boleh di masa depan" in response.content.decode()
    assert not Delivery.objects.exists()


def test_an_administrator_cannot_receive_for_another_office(
    office, other_office, administrator, admin_client_for
):
    response = admin_client_for(administrator).post(reverse("admin:blanko_delivery_add"),
                                                    delivery_data(other_office))
    assert response.status_code == 200
    assert response.context["form"].errors["office"]
    assert not Delivery.objects.exists()


def test_an_operator_has_no_delivery_add_page(office, operator, admin_client_for):
    operator.is_staff = True
    operator.save()
    response = admin_client_for(operator).get(reverse("admin:blanko_delivery_add"))
    assert response.status_code == 403


def test_the_loan_add_page_records_a_partner_loan(office, administrator, admin_client_for):
    response = admin_client_for(administrator).post(reverse("admin:blanko_loan_add"), {
        "office": office.pk, "direction": "borrow", "partner_code": PARTNER_BINTAN,
        "quantity": "1000", "reference": "470/215", "occurred_on": today().isoformat(),
    })
    assert response.status_code == 302
    loan = Loan.objects.get()
    assert (loan.borrower_office, loan.lender_partner.code) == (office, "PARTNER-2101")
    assert selectors.stock_on_hand(office=office) == 1_000


def test_the_loan_add_page_lends_to_an_office_in_transit(
    stocked, other_office, administrator, admin_client_for
):
    response = admin_client_for(administrator).post(reverse("admin:blanko_loan_add"), {
        "office": stocked.pk, "direction": "lend", "partner_office": other_office.pk,
        "quantity": "30", "reference": "470/9", "occurred_on": today().isoformat(),
    })
    assert response.status_code == 302
    assert Loan.objects.get().shipments.get().remaining == 30
    assert selectors.office_balances(office=stocked)["transit"] == 30


def test_the_loan_add_page_shows_insufficient_stock(office, administrator, admin_client_for):
    before = ledger_snapshot()
    response = admin_client_for(administrator).post(reverse("admin:blanko_loan_add"), {
        "office": office.pk, "direction": "lend", "partner_code": PARTNER_BINTAN,
        "quantity": "5", "reference": "470/9", "occurred_on": today().isoformat(),
    })
    assert response.status_code == 200
    assert "tidak mencukupi" in response.content.decode()
    assert ledger_snapshot() == before


def test_the_stock_count_add_page_records_an_adjustment(stocked, administrator,
                                                        admin_client_for):
    client = admin_client_for(administrator)
    url = reverse("admin:blanko_stockcount_add")
    missing = client.post(url, {"office": stocked.pk, "counted_quantity": "97", "reason": ""})
    assert "alasan wajib diisi" in missing.content.decode()
    assert not StockCount.objects.exists()
    response = client.post(url, {"office": stocked.pk, "counted_quantity": "97",
                                 "reason": "3 hilang"})
    assert response.status_code == 302
    assert StockCount.objects.get().movement.quantity == 3
    assert selectors.stock_on_hand(office=stocked) == 97


def test_the_destruction_add_page_destroys_spoiled_blanks(
    stocked, operator, administrator, admin_client_for
):
    services.spoil_blank(office=stocked, by=operator, cause=Movement.Cause.DAMAGED, quantity=4)
    client = admin_client_for(administrator)
    data = {"office": stocked.pk, "number": "BA-PMS/01", "destroyed_on": today().isoformat(),
            "quantity": "4", "witnesses": "Inspektorat"}
    assert client.post(reverse("admin:blanko_destruction_add"), data).status_code == 302
    assert Destruction.objects.get().movement.to_location.kind == Kind.DESTROYED
    again = client.post(reverse("admin:blanko_destruction_add"), data)
    assert "sudah dipakai" in again.content.decode()
    assert Destruction.objects.count() == 1


def test_the_month_close_add_page_closes_a_month(office, administrator, admin_client_for):
    client = admin_client_for(administrator)
    url = reverse("admin:blanko_monthclose_add")
    assert client.get(url).status_code == 200
    current = client.post(url, {"office": office.pk, "month": today().isoformat()})
    assert "sudah berakhir" in current.content.decode()
    response = client.post(url, {"office": office.pk, "month": previous_month_day().isoformat()})
    assert response.status_code == 302
    assert MonthClose.objects.get().month == previous_month_day(1)


def test_the_office_add_page_creates_locations(administrator, admin_client_for):
    response = admin_client_for(administrator).post(reverse("admin:blanko_office_add"),
                                                    {"code": "2101", "name": ""})
    assert response.status_code == 302
    office = Office.objects.get(code="2101")
    assert office.name == "Kabupaten Bintan"
    assert Balance.objects.filter(location__office=office).count() == 3


def test_the_delivery_add_page_shows_a_locked_date_on_the_date_field(
    office, supervisor, administrator, admin_client_for
):
    services.close_month(office=office, month=datetime.date(2020, 10, 1), by=supervisor)
    before = ledger_snapshot()
    response = admin_client_for(administrator).post(
        reverse("admin:blanko_delivery_add"), delivery_data(office, received_on="2019-12-31"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "sudah ditutup" in " ".join(errors["received_on"])
    assert ledger_snapshot() == before


def test_the_destruction_add_page_shows_a_date_before_e_ktp_on_the_date_field(
    stocked, operator, administrator, admin_client_for
):
    services.spoil_blank(office=stocked, by=operator, cause=Movement.Cause.DAMAGED, quantity=1)
    before = ledger_snapshot()
    response = admin_client_for(administrator).post(reverse("admin:blanko_destruction_add"), {
        "office": stocked.pk, "number": "BA/LAMA", "destroyed_on": "2010-12-31", "quantity": "1",
    })
    assert response.status_code == 200
    assert "Januari 2011" in " ".join(response.context["form"].errors["destroyed_on"])
    assert ledger_snapshot() == before
