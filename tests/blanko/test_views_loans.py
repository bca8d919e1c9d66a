"""The supervisor's loan pages: the list, lending, partners, receipt, cancel, repay,
due date; who may use them; what a refused or repeated form writes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blanko import services
from blanko.models import Loan, Movement, Shipment
from tests.blanko.helpers import (
    PARTNER_BINTAN,
    form_errors,
    ledger_snapshot,
    messages_of,
    previous_month_day,
    refused,
    url,
)
from tests.helpers import today

Reason = Movement.Reason





@pytest.fixture
def lent(stocked, other_office, supervisor):
    """40 blanks lent by the office to the other office, still in transit."""
    return services.lend_to_office(lender=stocked, borrower=other_office, quantity=40,
                                   reference="470/215/BTM", by=supervisor)


@pytest.fixture
def shipment(lent):
    return lent.shipments.get()


@pytest.fixture
def borrowed(office, supervisor):
    """10 blanks borrowed last month from Kabupaten Bintan (outside SiBlanko), due
    three days after."""
    day = previous_month_day(10)
    return services.borrow_from_partner(
        office=office, partner_code=PARTNER_BINTAN, quantity=10, reference="470/BTN/1",
        by=supervisor, occurred_on=day, due_on=day + datetime.timedelta(days=3))


def lend_data(borrower, **overrides) -> dict:
    data = {"borrower": borrower.pk, "quantity": "30", "reference": "470/88/TPI",
            "occurred_on": today().isoformat(), "due_on": "", "note": "",
            "key": "kunci-pinjam-1"}
    data.update(overrides)
    return data


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_what_is_owed_each_way_with_age_due_date_and_transit(
    client, supervisor, other_supervisor, shipment, borrowed, office, other_office
):
    services.confirm_receipt(shipment=shipment, quantity=25, by=other_supervisor)
    services.repay_loan(loan=borrowed, quantity=4, by=supervisor)
    client.force_login(supervisor)
    response = client.get(url("loan_list", office))
    assert response.status_code == 200

    [owed] = response.context["borrowed"]["rows"]
    assert owed.loan == borrowed
    assert owed.counterpart == "Disdukcapil Kabupaten Bintan"
    assert (owed.loan.delivered_quantity, owed.loan.repaid_quantity, owed.loan.outstanding) == (
        10, 4, 6)
    assert owed.age_days == (today() - borrowed.opened_on).days
    assert owed.overdue  # due last month, 6 still owed
    assert (owed.records_repayment, owed.repayable) == (True, 6)
    assert response.context["borrowed"]["outstanding"] == 6

    [given] = response.context["lent"]["rows"]
    assert given.counterpart == "Kota Batam"
    assert (given.loan.delivered_quantity, given.in_transit, given.loan.outstanding) == (
        25, 15, 25)
    assert not given.overdue  # no due date
    assert not given.records_repayment  # the borrower in SiBlanko pays back
    assert given.sets_due_date

    assert [s.pk for s in response.context["outgoing"]] == [shipment.pk]
    assert response.context["incoming"] == []
    html = response.content.decode()
    assert "Lewat jatuh tempo" in html
    assert 'class="table-danger"' in html
    assert url("loan_repay", office, borrowed.pk) in html
    assert url("shipment_cancel", office, shipment.pk) in html
    assert url("shipment_receive", office, shipment.pk) not in html  # the sender confirms nothing

    # The borrower sees the rest of the shipment waiting for its confirmation.
    client.force_login(other_supervisor)
    theirs = client.get(url("loan_list", other_office))
    assert [s.pk for s in theirs.context["incoming"]] == [shipment.pk]
    assert url("shipment_receive", other_office, shipment.pk) in theirs.content.decode()
    [their_loan] = theirs.context["borrowed"]["rows"]
    assert (their_loan.counterpart, their_loan.repayable) == ("Kota Tanjungpinang", 25)


def test_numbers_are_written_the_indonesian_way(client, supervisor, office, receive):
    receive(office, 5_000)
    services.lend_to_partner(office=office, partner_code=PARTNER_BINTAN, quantity=1_500,
                             reference="470/BESAR", by=supervisor)
    client.force_login(supervisor)
    html = client.get(url("loan_list", office)).content.decode()
    assert 'data-testid="loans-lent-total">1.500<' in html


def test_settled_loans_show_only_when_asked(client, supervisor, borrowed, office):
    services.repay_loan(loan=borrowed, quantity=10, by=supervisor)
    client.force_login(supervisor)
    assert client.get(url("loan_list", office)).context["borrowed"]["rows"] == []
    [line] = client.get(url("loan_list", office), {"semua": "1"}).context["borrowed"]["rows"]
    assert (line.loan.status, line.age_days, line.overdue, line.repayable) == (
        Loan.Status.SETTLED, None, False, 0)


def _list_queries(client, office) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("loan_list", office))
    assert response.status_code == 200
    return len(queries)


def test_the_list_runs_the_same_queries_whatever_the_number_of_loans(
    client, supervisor, stocked, other_office, third_office
):
    services.lend_to_partner(office=stocked, partner_code=PARTNER_BINTAN, quantity=1,
                             reference="470/1", by=supervisor)
    client.force_login(supervisor)
    client.get(url("loan_list", stocked))  # warm the session (its renewal writes once)
    one = _list_queries(client, stocked)
    for number, borrower in enumerate([other_office, third_office, other_office], start=2):
        services.lend_to_office(lender=stocked, borrower=borrower, quantity=2,
                                reference=f"470/{number}", by=supervisor)
    services.borrow_from_partner(office=stocked, partner_code="2102", quantity=3,
                                 reference="470/9", by=supervisor)
    several = _list_queries(client, stocked)
    assert several == one
    assert several <= 10
    assert len(client.get(url("loan_list", stocked)).context["outgoing"]) == 3


# --- Who may use the pages --------------------------------------------------------------------


def every_page(office, loan_pk: int, shipment_pk: int) -> list[str]:
    return [url("loan_list", office), url("loan_lend", office), url("loan_partner", office),
            url("shipment_receive", office, shipment_pk),
            url("shipment_cancel", office, shipment_pk),
            url("loan_repay", office, loan_pk), url("loan_due_date", office, loan_pk)]


def test_anonymous_users_are_sent_to_the_login_page(client, office):
    response = client.get(url("loan_list", office))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_operators_and_viewers_get_403_and_write_nothing(
    client, request, role, office, other_office, other_supervisor, borrowed, receive
):
    receive(other_office, 50)
    incoming = services.lend_to_office(lender=other_office, borrower=office, quantity=5,
                                       reference="470/MASUK", by=other_supervisor)
    client.force_login(request.getfixturevalue(role))
    before = ledger_snapshot()
    pages = every_page(office, borrowed.pk, incoming.shipments.get().pk)
    for page in pages:
        assert client.get(page).status_code == 403, page
    for page in pages[1:]:  # the forms
        assert client.post(page, {"quantity": "1", "reason": "x", "key": "k",
                                  "occurred_on": today().isoformat()}).status_code == 403, page
    assert ledger_snapshot() == before


def test_a_supervisor_of_another_office_gets_404(client, supervisor, other_supervisor,
                                                  borrowed, shipment, office):
    client.force_login(other_supervisor)
    before = ledger_snapshot()
    pages = every_page(office, borrowed.pk, shipment.pk)
    for page in pages:
        assert client.get(page).status_code == 404, page
    for page in pages[1:]:  # the forms
        assert client.post(page, {"quantity": "1", "reason": "x", "key": "k"}
                           ).status_code == 404, page
    assert ledger_snapshot() == before


def test_another_offices_objects_are_404_under_ones_own_code(
    client, supervisor, other_supervisor, lent, shipment, office, other_office
):
    """The lender neither confirms its own shipment nor repays what the borrower owes;
    the borrower does not set the lender's due date."""
    client.force_login(supervisor)
    assert client.get(url("shipment_receive", office, shipment.pk)).status_code == 404
    assert client.get(url("loan_repay", office, lent.pk)).status_code == 404
    client.force_login(other_supervisor)
    assert client.get(url("loan_due_date", other_office, lent.pk)).status_code == 404
    assert client.get(url("loan_repay", other_office, lent.pk)).status_code == 200


# --- Lending to an office ---------------------------------------------------------------------


def test_a_supervisor_lends_to_another_office(client, supervisor, stocked, other_office):
    client.force_login(supervisor)
    form = client.get(url("loan_lend", stocked)).context["form"]
    assert stocked not in form.fields["borrower"].queryset
    assert other_office in form.fields["borrower"].queryset
    due = (today() + datetime.timedelta(days=30)).isoformat()
    response = client.post(url("loan_lend", stocked),
                           lend_data(other_office, due_on=due, note="untuk Pilkada"))
    assert response.status_code == 302
    assert response.url == url("loan_list", stocked)
    loan = Loan.objects.get()
    assert (loan.lender_office, loan.borrower_office, loan.quantity) == (
        stocked, other_office, 30)
    assert (loan.reference, loan.due_on.isoformat(), loan.note) == (
        "470/88/TPI", due, "untuk Pilkada")
    assert loan.shipments.get().remaining == 30
    assert messages_of(response) == [
        "Pinjaman 30 blanko ke Kota Batam tercatat (surat 470/88/TPI). Blanko dalam "
        "perjalanan sampai Kota Batam mengonfirmasi penerimaan."]


def test_a_double_submitted_loan_is_posted_once(client, supervisor, stocked, other_office):
    client.force_login(supervisor)
    first = client.post(url("loan_lend", stocked), lend_data(other_office))
    second = client.post(url("loan_lend", stocked), lend_data(other_office))
    assert (first.status_code, second.status_code) == (302, 302)
    assert Loan.objects.count() == 1
    assert Movement.objects.filter(reason=Reason.LOAN_OUT).count() == 1
    assert Shipment.objects.count() == 1


def test_a_key_sent_again_with_other_data_is_refused_and_renewed(
    client, supervisor, stocked, other_office
):
    client.force_login(supervisor)
    client.post(url("loan_lend", stocked), lend_data(other_office))
    before = ledger_snapshot()
    response = client.post(url("loan_lend", stocked), lend_data(other_office, quantity="31"))
    assert response.status_code == 200
    assert form_errors(response) == [
        "Formulir ini sudah pernah dikirim dengan isian yang lain. Periksa daftar pinjaman; "
        "bila ini memang transaksi baru, kirim sekali lagi."]
    assert ledger_snapshot() == before
    renewed = response.context["form"]["key"].value()
    assert renewed and renewed != "kunci-pinjam-1"
    again = client.post(url("loan_lend", stocked),
                        lend_data(other_office, quantity="31", key=renewed))
    assert again.status_code == 302
    assert list(Loan.objects.values_list("quantity", flat=True)) == [31, 30]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"quantity": "0"}, "Pastikan nilai ini lebih besar dari atau sama dengan 1."),
    ({"quantity": "tiga"}, "Masukkan keseluruhan angka bilangan."),
    ({"quantity": "101"}, "Stok di Gudang stok Kota Tanjungpinang tidak mencukupi: "
                          "tersedia 100, dibutuhkan 101."),
    ({"reference": "   "}, "Bidang ini tidak boleh kosong."),
    ({"reference": "470/К"}, "Nomor surat pinjaman hanya boleh berisi huruf Latin"),
    ({"occurred_on": "2099-01-01"}, "Tanggal transaksi tidak boleh di masa depan."),
    ({"occurred_on": "31/02/2020"}, "Masukkan tanggal yang valid."),
    ({"due_on": "2020-01-01"}, "Jatuh tempo (01/01/2020) tidak boleh sebelum tanggal"),
])
def test_bad_loan_input_is_refused_in_indonesian_and_writes_nothing(
    client, supervisor, stocked, other_office, overrides, message
):
    client.force_login(supervisor)
    before = ledger_snapshot()
    response = client.post(url("loan_lend", stocked), lend_data(other_office, **overrides))
    assert response.status_code == 200
    assert any(text.startswith(message) for text in form_errors(response)), form_errors(response)
    assert message.split(" (")[0] in response.content.decode()
    assert ledger_snapshot() == before


def test_an_office_cannot_choose_itself_as_borrower(client, supervisor, stocked, other_office):
    client.force_login(supervisor)
    before = ledger_snapshot()
    response = client.post(url("loan_lend", stocked), lend_data(stocked))
    assert response.status_code == 200
    assert "borrower" in response.context["form"].errors
    assert ledger_snapshot() == before


def test_a_form_sent_without_its_key_is_refused_and_given_one(
    client, supervisor, stocked, other_office
):
    client.force_login(supervisor)
    data = lend_data(other_office)
    del data["key"]
    before = ledger_snapshot()
    response = client.post(url("loan_lend", stocked), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Formulir ini tidak lengkap. Periksa isiannya, lalu kirim sekali lagi."]
    assert response.context["form"]["key"].value()
    assert ledger_snapshot() == before


def test_an_unknown_or_huge_number_in_the_url_is_a_404(client, supervisor, office):
    client.force_login(supervisor)
    for name in ("loan_repay", "loan_due_date", "shipment_receive", "shipment_cancel"):
        for pk in (999_999, 2**70):
            assert client.get(url(name, office, pk)).status_code == 404, (name, pk)


# --- Partners outside SiBlanko ----------------------------------------------------------------


def partner_data(**overrides) -> dict:
    data = {"direction": "borrow", "partner_code": PARTNER_BINTAN, "quantity": "1000",
            "reference": "470/215/BTN", "occurred_on": today().isoformat(),
            "due_on": "", "note": "", "key": "kunci-mitra-1"}
    data.update(overrides)
    return data


def test_a_supervisor_borrows_from_and_lends_to_a_partner(client, supervisor, office):
    client.force_login(supervisor)
    page = client.get(url("loan_partner", office), {"arah": "lend"})
    form = page.context["form"]
    assert form["direction"].value() == "lend"
    codes = dict(form.fields["partner_code"].choices)
    assert codes["2171"] == "2171 · Kota Batam"  # not in SiBlanko in this test
    assert office.code not in codes  # Tanjungpinang uses SiBlanko: an office loan

    due = (today() + datetime.timedelta(days=60)).isoformat()
    response = client.post(url("loan_partner", office), partner_data(due_on=due))
    assert response.status_code == 302
    assert messages_of(response) == [
        "Pinjaman 1.000 blanko dari Disdukcapil Kabupaten Bintan tercatat (surat "
        "470/215/BTN); stok bertambah."]
    loan = Loan.objects.get()
    assert (loan.borrower_office, loan.lender_partner.code, loan.due_on.isoformat()) == (
        office, f"PARTNER-{PARTNER_BINTAN}", due)

    response = client.post(url("loan_partner", office), partner_data(
        direction="lend", quantity="200", reference="470/9", key="kunci-mitra-2"))
    assert response.status_code == 302
    lent = Loan.objects.get(reference="470/9")
    assert (lent.lender_office, lent.borrower_partner.code) == (
        office, f"PARTNER-{PARTNER_BINTAN}")
    stock = Movement.objects.filter(loan__isnull=False).values_list("reason", "quantity")
    assert sorted(stock) == [(Reason.LOAN_IN, 1000), (Reason.LOAN_OUT, 200)]


def test_a_double_submitted_partner_loan_is_posted_once(client, supervisor, office):
    client.force_login(supervisor)
    for _ in range(2):
        assert client.post(url("loan_partner", office), partner_data()).status_code == 302
    assert Loan.objects.count() == 1
    assert Movement.objects.filter(reason=Reason.LOAN_IN).count() == 1


@pytest.mark.parametrize("code", ["9999", "21", "2172", ""])
def test_a_partner_must_be_a_kab_kota_outside_siblanko(client, supervisor, office, code):
    client.force_login(supervisor)
    before = ledger_snapshot()
    response = client.post(url("loan_partner", office), partner_data(partner_code=code))
    assert response.status_code == 200
    assert response.context["form"].errors["partner_code"]
    assert ledger_snapshot() == before


def test_the_direction_of_a_partner_loan_must_be_chosen(client, supervisor, office):
    client.force_login(supervisor)
    assert client.get(url("loan_partner", office)).context["form"]["direction"].value() is None
    before = ledger_snapshot()
    response = client.post(url("loan_partner", office), partner_data(direction=""))
    assert response.context["form"].errors["direction"] == ["Bidang ini tidak boleh kosong."]
    assert ledger_snapshot() == before


def test_lending_to_a_partner_more_than_is_on_hand_is_refused(client, supervisor, stocked):
    client.force_login(supervisor)
    before = ledger_snapshot()
    response = client.post(url("loan_partner", stocked),
                           partner_data(direction="lend", quantity="101"))
    assert form_errors(response) == [
        "Stok di Gudang stok Kota Tanjungpinang tidak mencukupi: tersedia 100, dibutuhkan 101."]
    assert ledger_snapshot() == before


# --- Confirming receipt -----------------------------------------------------------------------


def receive_data(**overrides) -> dict:
    data = {"quantity": "25", "occurred_on": today().isoformat(), "key": "kunci-terima-1"}
    data.update(overrides)
    return data


def test_the_receiver_confirms_part_of_a_shipment(client, other_supervisor, shipment,
                                                  other_office):
    client.force_login(other_supervisor)
    page = client.get(url("shipment_receive", other_office, shipment.pk))
    assert page.status_code == 200
    assert page.context["form"]["quantity"].value() == 40  # what is still in transit
    response = client.post(url("shipment_receive", other_office, shipment.pk), receive_data())
    assert response.status_code == 302
    assert response.url == url("loan_list", other_office)
    assert messages_of(response) == [
        "Penerimaan 25 blanko dari Kota Tanjungpinang dikonfirmasi; stok bertambah."]
    shipment.refresh_from_db()
    assert (shipment.received_quantity, shipment.remaining, shipment.status) == (
        25, 15, Shipment.Status.IN_TRANSIT)
    assert client.get(url("shipment_receive", other_office, shipment.pk)
                      ).context["form"]["quantity"].value() == 15


def test_a_double_submitted_receipt_is_posted_once(client, other_supervisor, shipment,
                                                   other_office):
    client.force_login(other_supervisor)
    for _ in range(2):
        response = client.post(url("shipment_receive", other_office, shipment.pk),
                               receive_data(quantity="40"))
        assert response.status_code == 302
    assert Movement.objects.filter(reason=Reason.LOAN_IN).count() == 1
    shipment.refresh_from_db()
    assert (shipment.received_quantity, shipment.status) == (40, Shipment.Status.RECEIVED)


def test_receiving_more_than_is_in_transit_is_refused(client, other_supervisor, shipment,
                                                      other_office):
    client.force_login(other_supervisor)
    before = ledger_snapshot()
    response = client.post(url("shipment_receive", other_office, shipment.pk),
                           receive_data(quantity="41"))
    assert response.status_code == 200
    assert form_errors(response) == [
        "Jumlah diterima (41) melebihi yang masih dalam perjalanan (40)."]
    assert ledger_snapshot() == before


def test_a_receipt_cannot_be_dated_before_the_shipment_left(
    client, supervisor, other_supervisor, stocked, other_office
):
    sent = today() - datetime.timedelta(days=1)
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                                   reference="470/KEMARIN", by=supervisor, occurred_on=sent)
    client.force_login(other_supervisor)
    before = ledger_snapshot()
    response = client.post(url("shipment_receive", other_office, loan.shipments.get().pk),
                           receive_data(occurred_on=(sent - datetime.timedelta(days=1))
                                        .isoformat(), quantity="5"))
    assert form_errors(response) == [
        f"Tanggal terima tidak boleh sebelum tanggal kirim ({sent:%d/%m/%Y})."]
    assert ledger_snapshot() == before


def test_a_finished_shipment_shows_no_receipt_form(client, other_supervisor, shipment,
                                                   other_office):
    services.confirm_receipt(shipment=shipment, quantity=40, by=other_supervisor)
    client.force_login(other_supervisor)
    response = client.get(url("shipment_receive", other_office, shipment.pk))
    assert response.status_code == 200
    assert "tidak ada yang perlu dikonfirmasi" in response.content.decode()
    assert "<form" not in response.content.decode().split('id="konten"')[1].split("</main>")[0]


# --- Cancelling a shipment --------------------------------------------------------------------


@pytest.mark.parametrize("side", ["sender", "receiver"])
def test_either_side_cancels_what_is_still_in_transit(
    client, request, side, shipment, office, other_office, other_supervisor
):
    services.confirm_receipt(shipment=shipment, quantity=10, by=other_supervisor)
    user, at = ((request.getfixturevalue("supervisor"), office) if side == "sender"
                else (other_supervisor, other_office))
    client.force_login(user)
    page = client.get(url("shipment_cancel", at, shipment.pk))
    assert page.status_code == 200
    assert "kembali ke stok Kota Tanjungpinang" in page.content.decode()
    response = client.post(url("shipment_cancel", at, shipment.pk), {"reason": "truk mogok"})
    assert response.status_code == 302
    assert response.url == url("loan_list", at)
    assert messages_of(response) == [
        "Pengiriman dibatalkan: 30 blanko kembali ke stok Kota Tanjungpinang."]
    cancel = Movement.objects.get(reason=Reason.TRANSIT_CANCEL)
    assert (cancel.quantity, cancel.note, cancel.recorded_by) == (30, "truk mogok", user)


def test_a_double_submitted_cancel_is_posted_once(client, supervisor, shipment, office):
    client.force_login(supervisor)
    first = client.post(url("shipment_cancel", office, shipment.pk), {"reason": "salah kirim"})
    before = ledger_snapshot()
    second = client.post(url("shipment_cancel", office, shipment.pk), {"reason": "salah kirim"})
    assert first.status_code == 302
    assert second.status_code == 200
    assert form_errors(second) == ["Tidak ada blanko dalam perjalanan untuk dibatalkan."]
    assert second.context["shipment"].status == Shipment.Status.CANCELLED
    assert ledger_snapshot() == before
    assert Movement.objects.filter(reason=Reason.TRANSIT_CANCEL).count() == 1


def test_a_cancel_needs_a_reason(client, supervisor, shipment, office):
    client.force_login(supervisor)
    before = ledger_snapshot()
    response = client.post(url("shipment_cancel", office, shipment.pk), {"reason": ""})
    assert form_errors(response) == ["Bidang ini tidak boleh kosong."]
    assert ledger_snapshot() == before


# --- Repaying ---------------------------------------------------------------------------------


def repay_data(**overrides) -> dict:
    data = {"quantity": "4", "reference": "", "occurred_on": today().isoformat(),
            "key": "kunci-kembali-1"}
    data.update(overrides)
    return data


def test_the_borrower_repays_a_partner_in_part(client, supervisor, borrowed, office):
    client.force_login(supervisor)
    page = client.get(url("loan_repay", office, borrowed.pk))
    assert page.context["form"]["quantity"].value() == 10
    response = client.post(url("loan_repay", office, borrowed.pk), repay_data())
    assert response.status_code == 302
    assert messages_of(response) == [
        "Pengembalian 4 blanko ke Disdukcapil Kabupaten Bintan tercatat; stok berkurang."]
    borrowed.refresh_from_db()
    assert (borrowed.repaid_quantity, borrowed.outstanding, borrowed.status) == (
        4, 6, Loan.Status.OPEN)
    movement = Movement.objects.get(reason=Reason.REPAYMENT_OUT)
    assert movement.reference == "470/BTN/1"  # the loan's letter when none is given


def test_the_lender_records_what_a_partner_pays_back(client, supervisor, stocked):
    loan = services.lend_to_partner(office=stocked, partner_code=PARTNER_BINTAN, quantity=20,
                                    reference="470/KE-BTN", by=supervisor)
    client.force_login(supervisor)
    response = client.post(url("loan_repay", stocked, loan.pk),
                           repay_data(quantity="20", reference="470/BALIK"))
    assert response.status_code == 302
    assert messages_of(response) == [
        "Pengembalian 20 blanko dari Disdukcapil Kabupaten Bintan tercatat; stok bertambah."]
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SETTLED


def test_an_office_repays_another_office_through_transit(
    client, other_supervisor, shipment, other_office, office
):
    services.confirm_receipt(shipment=shipment, quantity=40, by=other_supervisor)
    client.force_login(other_supervisor)
    response = client.post(url("loan_repay", other_office, shipment.loan_id),
                           repay_data(quantity="15"))
    assert response.status_code == 302
    assert messages_of(response) == [
        "Pengembalian 15 blanko dikirim ke Kota Tanjungpinang; tercatat diterima setelah "
        "Kota Tanjungpinang mengonfirmasi."]
    repayment = Shipment.objects.get(kind=Shipment.Kind.REPAYMENT)
    assert (repayment.sender, repayment.receiver, repayment.remaining) == (
        other_office, office, 15)
    # What is on its way is no longer repayable.
    page = client.get(url("loan_repay", other_office, shipment.loan_id))
    assert page.context["line"].repayable == 25


def test_a_double_submitted_repayment_is_posted_once(client, supervisor, borrowed, office):
    client.force_login(supervisor)
    for _ in range(2):
        assert client.post(url("loan_repay", office, borrowed.pk),
                           repay_data()).status_code == 302
    assert Movement.objects.filter(reason=Reason.REPAYMENT_OUT).count() == 1
    borrowed.refresh_from_db()
    assert borrowed.repaid_quantity == 4


def test_repaying_more_than_is_owed_is_refused(client, supervisor, borrowed, office):
    client.force_login(supervisor)
    before = ledger_snapshot()
    response = client.post(url("loan_repay", office, borrowed.pk), repay_data(quantity="11"))
    assert response.status_code == 200
    assert form_errors(response) == ["Jumlah pengembalian (11) melebihi sisa pinjaman (10)."]
    assert ledger_snapshot() == before


# --- Due date ---------------------------------------------------------------------------------


def test_the_lender_changes_and_clears_a_due_date(client, supervisor, lent, office):
    client.force_login(supervisor)
    due = today() + datetime.timedelta(days=90)
    response = client.post(url("loan_due_date", office, lent.pk), {"due_on": due.isoformat()})
    assert response.status_code == 302
    lent.refresh_from_db()
    assert lent.due_on == due
    assert messages_of(response)[0].startswith("Jatuh tempo pinjaman 470/215/BTM: ")
    response = client.post(url("loan_due_date", office, lent.pk), {"due_on": ""})
    lent.refresh_from_db()
    assert lent.due_on is None
    assert messages_of(response)[-1] == "Jatuh tempo pinjaman 470/215/BTM dihapus."


def test_a_due_date_before_the_loan_is_refused(client, supervisor, borrowed, office):
    client.force_login(supervisor)
    day_before = borrowed.opened_on - datetime.timedelta(days=1)
    response = client.post(url("loan_due_date", office, borrowed.pk),
                           {"due_on": day_before.isoformat()})
    assert response.status_code == 200
    assert form_errors(response) == [
        f"Jatuh tempo ({day_before:%d/%m/%Y}) tidak boleh sebelum tanggal pinjaman "
        f"({borrowed.opened_on:%d/%m/%Y})."]
    borrowed.refresh_from_db()
    assert borrowed.due_on == borrowed.opened_on + datetime.timedelta(days=3)


def test_the_due_date_of_a_settled_loan_stays(client, supervisor, borrowed, office):
    services.repay_loan(loan=borrowed, quantity=10, by=supervisor)
    client.force_login(supervisor)
    assert "sudah lunas atau dibatalkan" in client.get(
        url("loan_due_date", office, borrowed.pk)).content.decode()
    response = client.post(url("loan_due_date", office, borrowed.pk), {"due_on": ""})
    assert form_errors(response) == [
        "Pinjaman ini sudah lunas atau dibatalkan; jatuh temponya tidak dapat diubah."]
    borrowed.refresh_from_db()
    assert borrowed.due_on is not None


def test_only_the_office_that_opened_a_loan_sets_its_due_date(
    lent, operator, other_supervisor, supervisor
):
    for outsider in (other_supervisor, operator):  # the borrower's supervisor, an operator
        with refused(PermissionDenied):
            services.set_loan_due_date(loan=lent, due_on=None, by=outsider)
    services.set_loan_due_date(loan=lent, due_on=today(), by=supervisor)
    lent.refresh_from_db()
    assert lent.due_on == today()
