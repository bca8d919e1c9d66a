"""The supervisor's stock work pages: the stock count (opname) in two steps, the
destruction of spoiled blanks, and the shipments in transit on the stock page."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse

from blanko import selectors, services
from blanko.exceptions import IdempotencyConflict
from blanko.models import Destruction, Location, Movement, MovementCause, Office, StockCount
from tests.blanko.helpers import ledger_snapshot, previous_month_day
from tests.helpers import today

Kind = Location.Kind


def count_url(office) -> str:
    return reverse("blanko:stock_count", kwargs={"code": office.code})


def destruction_url(office) -> str:
    return reverse("blanko:destruction_create", kwargs={"code": office.code})


def report_url(destruction) -> str:
    return reverse("layanan:destruction_report",
                   kwargs={"code": destruction.office.code, "pk": destruction.pk})


def preview(client, office, *, counted, reason="", day=None, key="kunci-opname-1"):
    return client.post(count_url(office), {
        "step": "preview", "counted_quantity": counted, "reason": reason,
        "counted_on": (day or today()).isoformat(), "key": key,
    })


def confirm_data(response) -> dict:
    """The hidden fields of the preview's confirmation form, as the browser sends them."""
    form = response.context["confirm"]
    data = {name: form[name].value() for name in form.fields}
    return {**data, "step": "confirm"}


def spoil(office, by, quantity):
    services.spoil_blank(office=office, by=by, cause=MovementCause.DAMAGED, quantity=quantity)


def destroy_data(**overrides) -> dict:
    return {"quantity": 3, "number": "BA/470/001/2024", "destroyed_on": today().isoformat(),
            "witnesses": "Sekretaris Dinas; Kabid Pelayanan", "note": "Dibakar",
            "key": "kunci-pemusnahan-1", **overrides}


# --- Stock count: the supervisor's path ----------------------------------------------------


def test_the_count_page_offers_today_in_jakarta_and_lists_the_recent_counts(
    client, stocked, supervisor
):
    services.record_stock_count(office=stocked, counted_quantity=100, by=supervisor)
    client.force_login(supervisor)
    response = client.get(count_url(stocked))
    assert response.status_code == 200
    assert response.context["form"]["counted_on"].value() == today()
    assert [c.counted_quantity for c in response.context["counts"]] == [100]
    assert 'data-testid="recent-counts"' in response.content.decode()


def test_a_preview_shows_the_system_count_the_difference_and_the_adjustment_and_writes_nothing(
    client, stocked, supervisor
):
    client.force_login(supervisor)
    before = ledger_snapshot()
    response = preview(client, stocked, counted=97, reason="3 blanko hilang")
    assert response.status_code == 200
    shown = response.context["preview"]
    assert (shown.system_quantity, shown.counted_quantity, shown.difference) == (100, 97, -3)
    assert (shown.from_location.kind, shown.to_location.kind) == (Kind.STOCK, Kind.ADJUSTMENT)
    html = response.content.decode()
    assert 'data-testid="difference">-3<' in html
    assert "3 blanko dari Gudang stok ke Selisih stock opname" in html
    assert "Konfirmasi" in html
    assert ledger_snapshot() == before


def test_a_preview_without_a_difference_announces_no_adjustment(client, stocked, supervisor):
    client.force_login(supervisor)
    response = preview(client, stocked, counted=100)
    assert response.context["preview"].difference == 0
    assert "Tidak ada: jumlah fisik sama dengan sistem." in response.content.decode()


def test_confirming_posts_the_adjustment_the_preview_showed(client, stocked, supervisor):
    client.force_login(supervisor)
    shown = preview(client, stocked, counted=103, reason="3 blanko terselip di lemari")
    response = client.post(count_url(stocked), confirm_data(shown), follow=True)
    assert response.redirect_chain == [(count_url(stocked), 302)]
    count = StockCount.objects.get()
    assert (count.system_quantity, count.counted_quantity, count.reason) == (
        100, 103, "3 blanko terselip di lemari")
    assert count.recorded_by == supervisor
    movement = count.movement
    assert (movement.reason, movement.quantity, movement.occurred_on) == (
        Movement.Reason.ADJUSTMENT, 3, today())
    assert (movement.from_location.kind, movement.to_location.kind) == (Kind.ADJUSTMENT,
                                                                        Kind.STOCK)
    assert selectors.stock_on_hand(office=stocked) == 103
    html = response.content.decode()
    assert "selisih +3 blanko diposting sebagai mutasi penyesuaian" in html
    assert [c.pk for c in response.context["counts"]] == [count.pk]


def test_a_confirmation_sent_twice_posts_the_adjustment_once(client, stocked, supervisor):
    client.force_login(supervisor)
    data = confirm_data(preview(client, stocked, counted=95, reason="5 blanko hilang"))
    first = client.post(count_url(stocked), data)
    second = client.post(count_url(stocked), data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert StockCount.objects.count() == 1
    assert Movement.objects.filter(reason=Movement.Reason.ADJUSTMENT).count() == 1
    assert selectors.stock_on_hand(office=stocked) == 95


def test_a_count_without_a_difference_sent_twice_is_recorded_once(client, stocked, supervisor):
    client.force_login(supervisor)
    data = confirm_data(preview(client, stocked, counted=100))
    client.post(count_url(stocked), data)
    client.post(count_url(stocked), data)
    assert StockCount.objects.count() == 1
    assert not Movement.objects.filter(reason=Movement.Reason.ADJUSTMENT).exists()


def test_a_confirmation_after_the_stock_moved_shows_the_new_difference_and_posts_nothing(
    client, stocked, supervisor, operator
):
    client.force_login(supervisor)
    data = confirm_data(preview(client, stocked, counted=97, reason="3 blanko hilang"))
    services.issue_blank(office=stocked, by=operator)  # between preview and confirmation
    before = ledger_snapshot()
    response = client.post(count_url(stocked), data)
    assert response.status_code == 200
    assert ledger_snapshot() == before
    shown = response.context["preview"]
    assert (shown.system_quantity, shown.difference) == (99, -2)
    assert "berubah dari 100 menjadi 99 sejak pratinjau" in response.context["notice"]
    assert 'data-testid="difference">-2<' in response.content.decode()
    # The new preview, confirmed, posts the difference it shows.
    assert client.post(count_url(stocked), confirm_data(response)).status_code == 302
    assert StockCount.objects.get().movement.quantity == 2
    assert selectors.stock_on_hand(office=stocked) == 97


def test_a_back_dated_count_is_previewed_against_the_stock_at_the_end_of_its_day(
    client, office, receive, supervisor, operator
):
    day = today() - datetime.timedelta(days=2)
    receive(office, 100, occurred_on=day)
    services.issue_blank(office=office, by=operator)  # today, after the count's day
    client.force_login(supervisor)
    shown = preview(client, office, counted=98, reason="2 hilang", day=day)
    assert (shown.context["preview"].system_quantity, shown.context["preview"].difference) == (
        100, -2)
    client.post(count_url(office), confirm_data(shown))
    assert StockCount.objects.get().movement.occurred_on == day
    assert selectors.stock_on_hand(office=office) == 97


def test_editing_a_preview_returns_to_the_form_with_its_values(client, stocked, supervisor):
    client.force_login(supervisor)
    data = {**confirm_data(preview(client, stocked, counted=97, reason="hilang")),
            "step": "edit"}
    response = client.post(count_url(stocked), data)
    assert "preview" not in response.context
    assert response.context["form"]["counted_quantity"].value() == "97"
    assert not StockCount.objects.exists()


# --- Stock count: refusals -----------------------------------------------------------------


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"counted": 90, "reason": ""}, "reason", "Ada selisih -10 blanko; alasan wajib diisi."),
    ({"counted": -1}, "counted_quantity", "lebih besar dari atau sama dengan 0"),
    ({"counted": "sembilan"}, "counted_quantity", "Masukkan keseluruhan angka bilangan."),
    ({"counted": 100, "day": today() + datetime.timedelta(days=1)}, "counted_on",
     "Tanggal transaksi tidak boleh di masa depan."),
])
def test_a_refused_preview_shows_the_rule_on_its_field_and_writes_nothing(
    client, stocked, supervisor, data, field, message
):
    client.force_login(supervisor)
    before = ledger_snapshot()
    response = preview(client, stocked, **data)
    assert response.status_code == 200
    assert "preview" not in response.context
    assert any(message in error for error in response.context["form"].errors[field])
    assert ledger_snapshot() == before


def test_a_count_dated_in_a_closed_month_is_refused_on_the_date(client, stocked, supervisor):
    services.close_month(office=stocked, month=previous_month_day(), by=supervisor)
    client.force_login(supervisor)
    before = ledger_snapshot()
    response = preview(client, stocked, counted=100, day=previous_month_day())
    assert "sudah ditutup" in response.context["form"].errors["counted_on"][0]
    assert ledger_snapshot() == before


def test_a_month_closed_between_preview_and_confirmation_refuses_the_count(
    client, office, receive, supervisor
):
    receive(office, 100, occurred_on=previous_month_day(10))
    client.force_login(supervisor)
    data = confirm_data(preview(client, office, counted=98, reason="hilang",
                                day=previous_month_day()))
    services.close_month(office=office, month=previous_month_day(), by=supervisor)
    before = ledger_snapshot()
    response = client.post(count_url(office), data)
    assert response.status_code == 200
    assert "sudah ditutup" in response.context["form"].errors["counted_on"][0]
    assert response.context["form"]["key"].value() != data["key"]  # a fresh key to retry
    assert ledger_snapshot() == before


@pytest.mark.parametrize("edit", [{"counted_quantity": "5"}, {"reason": "lain"},
                                  {"seal": "palsu"}, {"counted_on": "2026-01-02"}])
def test_a_confirmation_posts_only_the_count_its_preview_showed(
    client, stocked, supervisor, edit
):
    client.force_login(supervisor)
    data = {**confirm_data(preview(client, stocked, counted=97, reason="hilang")), **edit}
    before = ledger_snapshot()
    response = client.post(count_url(stocked), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Isian pratinjau tidak sah; periksa lagi lalu pratinjau ulang."]
    assert ledger_snapshot() == before


def test_hidden_fields_edited_by_hand_post_nothing(client, stocked, supervisor):
    client.force_login(supervisor)
    data = {**confirm_data(preview(client, stocked, counted=97, reason="hilang")),
            "system_quantity": "banyak"}
    before = ledger_snapshot()
    response = client.post(count_url(stocked), data)
    assert response.status_code == 200
    assert "preview" not in response.context
    assert response.context["form"].non_field_errors() == [
        "Isian pratinjau tidak sah; periksa lagi lalu pratinjau ulang."]
    assert ledger_snapshot() == before


# --- Stock count: the service's replay rules ----------------------------------------------


def test_a_key_sent_again_with_another_count_is_refused(stocked, supervisor):
    services.record_stock_count(office=stocked, counted_quantity=97, by=supervisor,
                                reason="hilang", idempotency_key="kunci-a")
    with pytest.raises(IdempotencyConflict):
        services.record_stock_count(office=stocked, counted_quantity=96, by=supervisor,
                                    reason="hilang", idempotency_key="kunci-a")
    assert StockCount.objects.count() == 1


def test_a_key_of_another_action_is_refused_for_a_count(stocked, supervisor, operator):
    services.issue_blank(office=stocked, by=operator, idempotency_key="kunci-b")
    with pytest.raises(IdempotencyConflict):
        services.record_stock_count(office=stocked, counted_quantity=90, by=supervisor,
                                    reason="hilang", idempotency_key="kunci-b")
    assert not StockCount.objects.exists()


def test_counts_without_a_key_are_each_recorded(stocked, supervisor):
    for _ in range(2):
        services.record_stock_count(office=stocked, counted_quantity=100, by=supervisor)
    assert StockCount.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_post_one_adjustment(postgres_only, stocked, supervisor):
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def confirm(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = services.record_stock_count(
                office=Office.objects.get(pk=stocked.pk), by=User.objects.get(pk=supervisor.pk),
                counted_quantity=94, reason="6 hilang", expected_system_quantity=100,
                idempotency_key="kunci-serentak").pk
        except Exception as error:  # reported below
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results[0] == results[1] == StockCount.objects.get().pk
    assert selectors.stock_on_hand(office=stocked) == 94


# --- Destruction ---------------------------------------------------------------------------


def test_the_destruction_page_shows_the_blanks_waiting_and_the_recent_batches(
    client, stocked, supervisor, operator
):
    spoil(stocked, operator, 5)
    batch = services.destroy_spoiled(office=stocked, quantity=2, number="BA/1", by=supervisor)
    client.force_login(supervisor)
    response = client.get(destruction_url(stocked))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="spoiled">3<' in html
    assert f'href="{report_url(batch)}">BA/1</a>' in html
    assert response.context["form"]["destroyed_on"].value() == today()


def test_a_destruction_reaches_its_berita_acara(client, stocked, supervisor, operator):
    spoil(stocked, operator, 5)
    client.force_login(supervisor)
    response = client.post(destruction_url(stocked), destroy_data(), follow=True)
    batch = Destruction.objects.get()
    assert response.redirect_chain == [(report_url(batch), 302)]
    assert (batch.quantity, batch.number, batch.destroyed_on, batch.witnesses, batch.note) == (
        3, "BA/470/001/2024", today(), "Sekretaris Dinas; Kabid Pelayanan", "Dibakar")
    assert batch.movement.recorded_by == supervisor
    assert selectors.office_balances(office=stocked)["spoiled"] == 2
    html = response.content.decode()
    assert 'data-testid="destroyed-quantity">3 (tiga) lembar<' in html
    assert "Pemusnahan 3 blanko rusak dicatat dengan berita acara nomor BA/470/001/2024." in html


def test_a_destruction_sent_twice_destroys_once(client, stocked, supervisor, operator):
    spoil(stocked, operator, 5)
    client.force_login(supervisor)
    first = client.post(destruction_url(stocked), destroy_data())
    second = client.post(destruction_url(stocked), destroy_data())
    batch = Destruction.objects.get()
    assert first.url == second.url == report_url(batch)
    assert selectors.office_balances(office=stocked)["spoiled"] == 2


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"quantity": 9}, "quantity", "tidak mencukupi: tersedia 5, dibutuhkan 9"),
    ({"number": "BA/LAMA"}, "number", "Berita acara nomor BA/LAMA sudah dipakai."),
    ({"number": "ВА/1"}, "number", "hanya boleh berisi huruf Latin"),  # Cyrillic В, А
    ({"number": "  "}, "number", "Bidang ini tidak boleh kosong."),
    ({"quantity": 0}, "quantity", "lebih besar dari atau sama dengan 1"),
    ({"destroyed_on": (today() + datetime.timedelta(days=1)).isoformat()}, "destroyed_on",
     "tidak boleh di masa depan"),
])
def test_a_refused_destruction_shows_the_rule_on_its_field_and_writes_nothing(
    client, stocked, supervisor, operator, overrides, field, message
):
    spoil(stocked, operator, 6)
    services.destroy_spoiled(office=stocked, quantity=1, number="BA/LAMA", by=supervisor)
    client.force_login(supervisor)
    before = ledger_snapshot()
    response = client.post(destruction_url(stocked), destroy_data(**overrides))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert ledger_snapshot() == before


def test_a_destruction_in_a_closed_month_is_refused_on_the_date(
    client, office, receive, supervisor, operator
):
    receive(office, 10, occurred_on=previous_month_day(5))
    services.spoil_blank(office=office, by=operator, cause=MovementCause.DAMAGED, quantity=2,
                         occurred_on=previous_month_day(6))
    services.close_month(office=office, month=previous_month_day(), by=supervisor)
    client.force_login(supervisor)
    before = ledger_snapshot()
    response = client.post(destruction_url(office), destroy_data(
        quantity=1, destroyed_on=previous_month_day().isoformat()))
    assert "sudah ditutup" in response.context["form"].errors["destroyed_on"][0]
    assert ledger_snapshot() == before


def test_a_refused_destruction_gets_a_fresh_key_so_the_corrected_form_is_recorded(
    client, stocked, supervisor, operator
):
    spoil(stocked, operator, 2)
    client.force_login(supervisor)
    refused = client.post(destruction_url(stocked), destroy_data(quantity=3))
    key = refused.context["form"]["key"].value()
    assert key != destroy_data()["key"]
    response = client.post(destruction_url(stocked), destroy_data(quantity=2, key=key))
    assert response.status_code == 302
    assert Destruction.objects.get().quantity == 2


# --- Who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["operator", "viewer"])
@pytest.mark.parametrize("url", [count_url, destruction_url])
def test_operators_and_viewers_may_not_count_or_destroy(client, stocked, request, user, url):
    client.force_login(request.getfixturevalue(user))
    before = ledger_snapshot()
    assert client.get(url(stocked)).status_code == 403
    data = {**destroy_data(), "step": "confirm", "counted_quantity": 90, "reason": "x",
            "counted_on": today().isoformat(), "system_quantity": 100}
    assert client.post(url(stocked), data).status_code == 403
    assert ledger_snapshot() == before


@pytest.mark.parametrize("url", [count_url, destruction_url])
def test_a_supervisor_of_another_office_gets_a_404(client, stocked, other_supervisor, url):
    client.force_login(other_supervisor)
    before = ledger_snapshot()
    assert client.get(url(stocked)).status_code == 404
    data = {**destroy_data(), "step": "confirm", "counted_quantity": 90, "reason": "x",
            "counted_on": today().isoformat(), "system_quantity": 100}
    assert client.post(url(stocked), data).status_code == 404
    assert ledger_snapshot() == before


@pytest.mark.parametrize("url", [count_url, destruction_url])
def test_an_administrator_may_count_and_destroy(client, stocked, administrator, url):
    client.force_login(administrator)
    assert client.get(url(stocked)).status_code == 200


@pytest.mark.parametrize("url", [count_url, destruction_url])
def test_anonymous_users_are_sent_to_the_login_page(client, office, url):
    response = client.get(url(office))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- The stock page: shipments in transit ---------------------------------------------------


def test_the_stock_page_shows_shipments_in_transit_both_ways(
    client, stocked, other_office, supervisor, receive
):
    receive(other_office, 50)
    services.lend_to_office(lender=stocked, borrower=other_office, quantity=30,
                            reference="470/PINJAM/1", by=supervisor)
    client.force_login(supervisor)
    html = client.get(reverse("blanko:stock", kwargs={"code": stocked.code})).content.decode()
    section = html[html.index('data-testid="shipments-in-transit"'):]
    assert "<td>Keluar</td><td>ke Kota Batam</td>" in section
    assert "<td>Pinjaman</td>" in section
    assert '<td class="num">30</td>' in section
    # The lender may cancel but not receive what it sent.
    shipment = selectors.pending_shipments(office=stocked).get()
    assert reverse("blanko:shipment_cancel", kwargs={"code": stocked.code,
                                                     "pk": shipment.pk}) in section
    assert "/terima/" not in section


def test_the_borrower_sees_the_remaining_quantity_and_may_receive(
    client, stocked, other_office, supervisor, other_supervisor
):
    services.lend_to_office(lender=stocked, borrower=other_office, quantity=30,
                            reference="470/PINJAM/1", by=supervisor)
    shipment = selectors.pending_shipments(office=other_office).get()
    services.confirm_receipt(shipment=shipment, quantity=10, by=other_supervisor)
    client.force_login(other_supervisor)
    response = client.get(reverse("blanko:stock", kwargs={"code": other_office.code}))
    html = response.content.decode()
    section = html[html.index('data-testid="shipments-in-transit"'):]
    assert "<td>Masuk</td><td>dari Kota Tanjungpinang</td>" in section
    assert '<td class="num">20</td>' in section
    assert reverse("blanko:shipment_receive", kwargs={"code": other_office.code,
                                                      "pk": shipment.pk}) in section


def test_a_viewer_sees_shipments_in_transit_without_actions(
    client, stocked, other_office, supervisor, viewer
):
    services.lend_to_office(lender=stocked, borrower=other_office, quantity=30,
                            reference="470/PINJAM/1", by=supervisor)
    client.force_login(viewer)
    html = client.get(reverse("blanko:stock", kwargs={"code": stocked.code})).content.decode()
    section = html[html.index('data-testid="shipments-in-transit"'):]
    assert "ke Kota Batam" in section
    assert "/batal/" not in section
    assert "/pinjaman/" not in html


# --- Navigation -----------------------------------------------------------------------------


def test_the_supervisor_finds_stock_work_under_the_stock_menu(client, office, supervisor):
    client.force_login(supervisor)
    html = client.get(reverse("blanko:stock", kwargs={"code": office.code})).content.decode()
    menu = html[html.index('id="nav-stok"'):html.index('id="nav-laporan"')]
    for url in (reverse("blanko:stock", kwargs={"code": office.code}),
                reverse("blanko:loan_list", kwargs={"code": office.code}),
                count_url(office), destruction_url(office)):
        assert f'href="{url}"' in menu
    assert 'aria-expanded="false"' in menu


def test_an_operator_gets_a_plain_stock_link_and_no_stock_work(client, office, operator):
    client.force_login(operator)
    html = client.get(reverse("blanko:stock", kwargs={"code": office.code})).content.decode()
    assert 'id="nav-stok"' not in html
    assert 'id="nav-laporan"' not in html
    assert count_url(office) not in html
    assert destruction_url(office) not in html
