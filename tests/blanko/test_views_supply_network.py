"""The supply network's pages: the province coordinator's list of its offices' requests
and the forward to Ditjen; the national allocator's central store, procurement,
allocation and dispatch; who may use them; what a refused or repeated form writes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blanko import access, selectors, services
from blanko.models import BlankRequest, BlankRequestEvent, Movement, Shipment
from tests.blanko.helpers import form_errors, ledger_snapshot, messages_of
from tests.factories import OfficeFactory, make_user
from tests.helpers import today, verify_ledger

# verify_ledger is clean after every test of the supply cycle.
pytestmark = pytest.mark.usefixtures("ledger_clean_after")

Status = BlankRequest.Status
Reason = Movement.Reason

FIGURES = {"as_of": "2020-07-03", "stock": 1_250, "average": 41.5, "days_of_cover": 30.1,
           "stockout_on": "2020-08-02", "key_date": "2020-12-09",
           "key_date_name": "Pilkada 9 Desember 2020", "shortfall": 11_620,
           "to_request": 12_000}


def province_url(name: str = "province_requests", province: str = "21",
                 pk: int | None = None) -> str:
    kwargs = {"province": province}
    if pk is not None:
        kwargs["pk"] = pk
    return reverse(f"blanko:{name}", kwargs=kwargs)


def central_url(name: str, pk: int | None = None) -> str:
    return reverse(f"blanko:{name}", kwargs={} if pk is None else {"pk": pk})




def snapshot() -> dict:
    """The ledger, and every request for blanks with its quantities and history."""
    return {**ledger_snapshot(),
            "requests": list(BlankRequest.objects.order_by("pk").values_list(
                "pk", "status", "forwarded_quantity", "allocated_quantity",
                "dispatched_quantity", "received_quantity")),
            "events": BlankRequestEvent.objects.count()}


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def far_office(db):
    """Kota Bandung, in another province (32, Jawa Barat)."""
    return OfficeFactory(code="3273", name="Kota Bandung")


@pytest.fixture
def coordinator(db):
    """The province coordinator of Kepulauan Riau (21)."""
    return make_user(access.PROVINCE, None, username="koordinator_kepri",
                     office__region="21")


@pytest.fixture
def far_coordinator(db):
    """The province coordinator of Jawa Barat (32)."""
    return make_user(access.PROVINCE, None, username="koordinator_jabar",
                     office__region="32")


@pytest.fixture
def allocator(db):
    """Ditjen's national allocator."""
    return make_user(access.NATIONAL, None, username="alokator_ditjen",
                     office__national=True)


@pytest.fixture
def ask(supervisor, other_supervisor, office, other_office):
    """Makes a request of `office` (Tanjungpinang) or Batam, by its supervisor."""
    by = {office.pk: supervisor, other_office.pk: other_supervisor}

    def _ask(at, quantity=500, **kwargs):
        kwargs.setdefault("by", by.get(at.pk))
        kwargs.setdefault("figures", FIGURES)
        return services.request_blanks(office=at, quantity=quantity, **kwargs)

    return _ask


@pytest.fixture
def asked(ask, office):
    """Tanjungpinang asks for 500 blanks, waiting at the province."""
    return ask(office, 500, note="Untuk Pilkada")


@pytest.fixture
def central_stocked(allocator):
    """10,000 blanks in the central store."""
    return services.receive_into_central_store(quantity=10_000, reference="KONTRAK/2020/01",
                                               by=allocator)


@pytest.fixture
def forwarded(asked, coordinator):
    return services.forward_blank_request(blank_request=asked, by=coordinator)


@pytest.fixture
def allocated(forwarded, allocator, central_stocked):
    """Of the 500 asked, Ditjen allocates 400."""
    return services.allocate_blanks(blank_request=forwarded, quantity=400, by=allocator)


# --- The province: the list -------------------------------------------------------------------


def test_the_province_lists_its_offices_requests_waiting_for_it_with_the_figures_sent(
    client, coordinator, ask, asked, office, other_office, far_office, stocked, operator,
    allocator
):
    batam = ask(other_office, 2_000, needed_by=today() + datetime.timedelta(days=30))
    services.forward_blank_request(blank_request=ask(office, 10), by=coordinator)  # not waiting
    services.request_blanks(office=far_office, quantity=70, by=make_user(
        access.SUPERVISOR, far_office, username="supervisor_bandung"))  # another province
    for _ in range(3):
        services.issue_blank(office=stocked, by=operator)
    client.force_login(coordinator)
    response = client.get(province_url())
    assert response.status_code == 200
    lines = response.context["lines"]
    assert [line.blank_request for line in lines] == [batam, asked]  # newest first
    mine = lines[1]
    assert (mine.age_days, mine.stock_now, mine.used_lately) == (0, 97, 3)
    assert (lines[0].stock_now, lines[0].used_lately) == (0, 0)
    html = response.content.decode()
    assert "Permohonan blanko · Provinsi Kepulauan Riau" in html
    row = html.split(f'data-testid="request-{batam.pk}"')[1].split("</tr>")[0]
    for text in ("Kota Batam", batam.number, "2.000", "1.250", "30,1", "11.620"):
        assert text in row, text
    assert province_url("province_forward", pk=asked.pk) in html
    assert province_url("province_forward", pk=batam.pk) in html
    assert "Kota Bandung" not in html
    assert 'aria-current="page" href="?status=submitted"' in html


def test_the_province_filters_its_requests_by_status(client, coordinator, ask, asked, office):
    forwarded = services.forward_blank_request(blank_request=ask(office, 10), by=coordinator)
    client.force_login(coordinator)

    def shown(status):
        response = client.get(province_url(), {"status": status})
        assert response.status_code == 200
        return [line.blank_request for line in response.context["lines"]]

    assert shown("forwarded") == [forwarded]
    assert shown("semua") == [forwarded, asked]
    assert shown("refused") == []
    assert shown("bukan-status") == [asked]  # an unknown filter: the default, no error
    html = client.get(province_url(), {"status": "forwarded"}).content.decode()
    assert province_url("province_forward", pk=forwarded.pk) not in html  # forwarded already


def _province_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(province_url(), {"status": "semua"})
    assert response.status_code == 200
    return len(queries)


def test_the_province_list_runs_the_same_queries_whatever_the_number_of_requests(
    client, coordinator, ask, office, other_office, third_office, third_supervisor
):
    ask(office, 5)
    client.force_login(coordinator)
    client.get(province_url())  # warm the session
    one = _province_queries(client)
    ask(other_office, 6)
    ask(office, 7)
    services.request_blanks(office=third_office, quantity=8, by=third_supervisor)
    services.forward_blank_request(blank_request=ask(other_office, 9), by=coordinator)
    several = _province_queries(client)
    assert several == one
    assert several <= 12
    assert len(client.get(province_url(), {"status": "semua"}).context["lines"]) == 5


# --- The province: forwarding -----------------------------------------------------------------


def test_a_coordinator_forwards_a_request_as_asked(client, coordinator, asked):
    client.force_login(coordinator)
    page = client.get(province_url("province_forward", pk=asked.pk))
    assert page.status_code == 200
    assert page.context["form"]["quantity"].value() == 500
    html = page.content.decode()
    assert "Untuk Pilkada" in html  # the office's note
    assert "Pilkada 9 Desember 2020 (9 Desember 2020)" in html  # the figures it sent
    response = client.post(province_url("province_forward", pk=asked.pk),
                           {"quantity": "500", "note": ""})
    assert response.status_code == 302
    assert response.url == province_url()
    assert messages_of(response) == [
        f"Permohonan {asked.number} dari Kota Tanjungpinang diteruskan ke Ditjen: 500 blanko."]
    asked.refresh_from_db()
    assert (asked.status, asked.asked) == (Status.FORWARDED, 500)
    event = asked.events.last()
    assert (event.from_status, event.to_status, event.by, event.quantity) == (
        Status.SUBMITTED, Status.FORWARDED, coordinator, 500)


def test_a_changed_quantity_needs_a_note(client, coordinator, asked):
    client.force_login(coordinator)
    before = snapshot()
    response = client.post(province_url("province_forward", pk=asked.pk),
                           {"quantity": "300", "note": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["note"] == [
        "Jumlah diubah dari 500 menjadi 300: tulis alasannya di catatan."]
    assert "tulis alasannya di catatan" in response.content.decode()
    assert snapshot() == before

    response = client.post(province_url("province_forward", pk=asked.pk),
                           {"quantity": "1200", "note": "Tambah untuk pemula Pilkada"})
    assert response.status_code == 302
    assert messages_of(response) == [
        f"Permohonan {asked.number} dari Kota Tanjungpinang diteruskan ke Ditjen: "
        "1.200 blanko."]
    asked.refresh_from_db()
    assert (asked.quantity, asked.forwarded_quantity, asked.status) == (
        500, 1_200, Status.FORWARDED)
    assert asked.events.last().note == "Tambah untuk pemula Pilkada"


def test_a_second_click_on_forward_is_refused_with_a_clear_message(client, coordinator, asked):
    client.force_login(coordinator)
    first = client.post(province_url("province_forward", pk=asked.pk),
                        {"quantity": "500", "note": ""})
    before = snapshot()
    second = client.post(province_url("province_forward", pk=asked.pk),
                         {"quantity": "500", "note": ""})
    assert (first.status_code, second.status_code) == (302, 200)
    assert form_errors(second) == [
        f'Permohonan {asked.number} berstatus "Diteruskan provinsi"; tidak dapat diteruskan.']
    assert second.context["blank_request"].status == Status.FORWARDED
    assert snapshot() == before
    assert asked.events.filter(to_status=Status.FORWARDED).count() == 1
    # Loaded afresh, the page says there is nothing left to do.
    page = client.get(province_url("province_forward", pk=asked.pk)).content.decode()
    assert "tidak lagi menunggu provinsi (status: Diteruskan provinsi)" in page
    assert 'name="quantity"' not in page


@pytest.mark.parametrize(("data", "field"), [
    ({"quantity": "0"}, "quantity"),
    ({"quantity": "-5"}, "quantity"),
    ({"quantity": "10000001"}, "quantity"),
    ({"quantity": "lima"}, "quantity"),
    ({"quantity": ""}, "quantity"),
    ({"quantity": "400", "note": "x" * 501}, "note"),
])
def test_bad_forward_input_is_refused_and_writes_nothing(client, coordinator, asked, data,
                                                          field):
    client.force_login(coordinator)
    before = snapshot()
    response = client.post(province_url("province_forward", pk=asked.pk), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert snapshot() == before


# --- The province: who may ------------------------------------------------------------------


def test_a_coordinator_of_another_province_gets_404(client, far_coordinator, asked):
    client.force_login(far_coordinator)
    before = snapshot()
    assert client.get(province_url()).status_code == 404
    assert client.get(province_url("province_forward", pk=asked.pk)).status_code == 404
    assert client.post(province_url("province_forward", pk=asked.pk),
                       {"quantity": "500"}).status_code == 404
    # Nor under its own province's code.
    assert client.get(province_url(province="32")).status_code == 200
    assert client.get(province_url("province_forward", province="32", pk=asked.pk)
                      ).status_code == 404
    assert client.post(province_url("province_forward", province="32", pk=asked.pk),
                       {"quantity": "500"}).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("province", ["99", "00", "2172", "2", "ab"])
def test_a_province_code_that_is_no_province_is_a_404(client, coordinator, allocator,
                                                      province):
    for user in (coordinator, allocator):
        client.force_login(user)
        assert client.get(province_url(province=province)).status_code == 404, user


@pytest.mark.parametrize("role", ["supervisor", "operator", "viewer", "administrator"])
def test_office_staff_get_403_on_the_province_pages(client, request, role, asked):
    client.force_login(request.getfixturevalue(role))
    before = snapshot()
    assert client.get(province_url()).status_code == 403
    assert client.get(province_url("province_forward", pk=asked.pk)).status_code == 403
    assert client.post(province_url("province_forward", pk=asked.pk),
                       {"quantity": "500"}).status_code == 403
    assert snapshot() == before


def test_a_province_viewer_reads_the_list_but_does_not_forward(client, region_viewer, asked):
    client.force_login(region_viewer)
    response = client.get(province_url())
    assert response.status_code == 200
    assert [line.blank_request for line in response.context["lines"]] == [asked]
    assert province_url("province_forward", pk=asked.pk) not in response.content.decode()
    before = snapshot()
    assert client.get(province_url("province_forward", pk=asked.pk)).status_code == 403
    assert client.post(province_url("province_forward", pk=asked.pk),
                       {"quantity": "500"}).status_code == 403
    assert snapshot() == before


def test_the_national_allocator_reads_any_province_but_does_not_forward(
    client, allocator, asked
):
    client.force_login(allocator)
    assert client.get(province_url()).status_code == 200
    assert client.get(province_url(province="32")).status_code == 200
    assert client.post(province_url("province_forward", pk=asked.pk),
                       {"quantity": "500"}).status_code == 403
    asked.refresh_from_db()
    assert asked.status == Status.SUBMITTED


def test_anonymous_users_are_sent_to_the_login_page(client, asked):
    for page in (province_url(), province_url("province_forward", pk=asked.pk),
                 central_url("central_home"), central_url("central_receive"),
                 central_url("central_allocate", asked.pk),
                 central_url("central_dispatch", asked.pk)):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.url.startswith(reverse("login")), page


def test_an_unknown_or_huge_number_in_the_url_is_a_404(client, coordinator, allocator):
    client.force_login(coordinator)
    for pk in (999_999, 2**70):
        assert client.get(province_url("province_forward", pk=pk)).status_code == 404
    client.force_login(allocator)
    for name in ("central_allocate", "central_dispatch"):
        for pk in (999_999, 2**70):
            assert client.get(central_url(name, pk)).status_code == 404, (name, pk)


# --- The central store: the home page -------------------------------------------------------


def test_the_central_home_shows_the_store_the_requests_waiting_and_the_shipments(
    client, allocator, coordinator, ask, allocated, other_office, office
):
    waiting = services.forward_blank_request(blank_request=ask(other_office, 3_000),
                                             by=coordinator)
    ask(office, 50)  # still at the province: not Ditjen's yet
    shipment = services.dispatch_blanks(blank_request=allocated, quantity=150,
                                        reference="BAST/DUK/2020/001", by=allocator)
    client.force_login(allocator)
    response = client.get(central_url("central_home"))
    assert response.status_code == 200
    assert response.context["stock"] == {"stock": 9_850, "allocated_undispatched": 250,
                                         "free": 9_600, "in_transit": 150}
    assert [line.blank_request for line in response.context["waiting"]] == [waiting]
    assert [line.blank_request for line in response.context["allocated"]] == [allocated]
    assert response.context["shipments"] == [shipment]
    html = response.content.decode()
    assert 'data-testid="central-stock">9.850<' in html
    assert 'data-testid="central-free">9.600<' in html
    assert 'data-testid="central-allocated">250<' in html
    assert 'data-testid="central-in-transit">150<' in html
    assert central_url("central_allocate", waiting.pk) in html
    assert central_url("central_dispatch", allocated.pk) in html
    assert central_url("central_receive") in html
    assert reverse("layanan:report_index", kwargs={"code": "00"}) in html  # its own report
    transit = html.split('data-testid="dispatches-in-transit"')[1].split("</table>")[0]
    for text in ("Kota Tanjungpinang", allocated.number, "BAST/DUK/2020/001", "150"):
        assert text in transit, text


def test_a_fully_dispatched_allocation_leaves_the_list_to_dispatch(client, allocator,
                                                                   allocated):
    services.dispatch_blanks(blank_request=allocated, quantity=400, reference="BAST/1",
                             by=allocator)
    client.force_login(allocator)
    assert client.get(central_url("central_home")).context["allocated"] == []


def _central_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(central_url("central_home"))
    assert response.status_code == 200
    return len(queries)


def test_the_central_home_runs_the_same_queries_whatever_the_number_of_requests(
    client, allocator, coordinator, ask, allocated, office, other_office
):
    services.dispatch_blanks(blank_request=allocated, quantity=10, reference="BAST/Q/1",
                             by=allocator)
    services.forward_blank_request(blank_request=ask(office, 5), by=coordinator)
    client.force_login(allocator)
    client.get(central_url("central_home"))  # warm the session
    one = _central_queries(client)
    for number, at in enumerate((other_office, office, other_office), start=2):
        more = services.forward_blank_request(blank_request=ask(at, 20), by=coordinator)
        services.allocate_blanks(blank_request=more, quantity=20, by=allocator)
        services.dispatch_blanks(blank_request=more, quantity=5, reference=f"BAST/Q/{number}",
                                 by=allocator)
        services.forward_blank_request(blank_request=ask(at, 7), by=coordinator)
    several = _central_queries(client)
    assert several == one
    assert several <= 12
    page = client.get(central_url("central_home")).context
    assert (len(page["waiting"]), len(page["allocated"]), len(page["shipments"])) == (4, 4, 4)


# --- The central store: procurement ---------------------------------------------------------


def receive_data(**overrides) -> dict:
    data = {"quantity": "6000", "reference": "KONTRAK/027/2020",
            "occurred_on": today().isoformat(), "key": "kunci-pengadaan-1"}
    data.update(overrides)
    return data


def test_the_allocator_receives_procurement_into_the_central_store(client, allocator):
    client.force_login(allocator)
    page = client.get(central_url("central_receive"))
    assert page.status_code == 200
    assert page.context["form"]["occurred_on"].value() == today()
    response = client.post(central_url("central_receive"), receive_data())
    assert response.status_code == 302
    assert response.url == central_url("central_home")
    assert messages_of(response) == [
        "Penerimaan 6.000 blanko ke gudang pusat tercatat (KONTRAK/027/2020)."]
    assert selectors.central_stock()["stock"] == 6_000
    movement = Movement.objects.get(reason=Reason.PROCUREMENT)
    assert (movement.quantity, movement.reference, movement.recorded_by) == (
        6_000, "KONTRAK/027/2020", allocator)


def test_a_double_submitted_procurement_is_posted_once(client, allocator):
    client.force_login(allocator)
    for _ in range(2):
        assert client.post(central_url("central_receive"), receive_data()).status_code == 302
    assert Movement.objects.filter(reason=Reason.PROCUREMENT).count() == 1
    assert selectors.central_stock()["stock"] == 6_000


def test_a_procurement_key_sent_again_with_other_data_is_refused_and_renewed(client, allocator):
    client.force_login(allocator)
    client.post(central_url("central_receive"), receive_data())
    before = snapshot()
    response = client.post(central_url("central_receive"), receive_data(quantity="7000"))
    assert response.status_code == 200
    assert form_errors(response) == [
        "Formulir ini sudah pernah dikirim dengan isian yang lain. Periksa halaman gudang "
        "pusat; bila ini memang transaksi baru, kirim sekali lagi."]
    assert snapshot() == before
    assert response.context["form"]["key"].value() != "kunci-pengadaan-1"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"quantity": "0"}, "Pastikan nilai ini lebih besar dari atau sama dengan 1."),
    ({"quantity": "10000001"}, "Pastikan nilai ini lebih kecil dari atau sama dengan"),
    ({"quantity": "enam"}, "Masukkan keseluruhan angka bilangan."),
    ({"reference": "  "}, "Bidang ini tidak boleh kosong."),
    ({"occurred_on": "2099-01-01"}, "Tanggal transaksi tidak boleh di masa depan."),
    ({"occurred_on": "31/02/2020"}, "Masukkan tanggal yang valid."),
    ({"key": ""}, "Formulir ini tidak lengkap."),
])
def test_bad_procurement_input_is_refused_in_indonesian_and_writes_nothing(
    client, allocator, overrides, message
):
    client.force_login(allocator)
    before = snapshot()
    response = client.post(central_url("central_receive"), receive_data(**overrides))
    assert response.status_code == 200
    assert any(text.startswith(message) for text in form_errors(response)), form_errors(
        response)
    assert snapshot() == before


def test_a_procurement_number_is_used_once(client, allocator, central_stocked):
    client.force_login(allocator)
    before = snapshot()
    response = client.post(central_url("central_receive"),
                           receive_data(reference="kontrak/2020/01"))
    assert form_errors(response) == [
        "Nomor kontrak/2020/01 sudah pernah dicatat untuk pengadaan gudang pusat."]
    assert snapshot() == before


# --- The central store: allocation ----------------------------------------------------------


def test_the_allocator_allocates_less_than_asked(client, allocator, forwarded, central_stocked):
    client.force_login(allocator)
    page = client.get(central_url("central_allocate", forwarded.pk))
    assert page.status_code == 200
    assert page.context["form"]["quantity"].value() == 500
    html = page.content.decode()
    assert "Diminta 500 blanko; stok bebas gudang pusat 10.000." in html
    assert "Pilkada 9 Desember 2020" in html
    response = client.post(central_url("central_allocate", forwarded.pk),
                           {"quantity": "300", "note": "Stok pusat terbatas"})
    assert response.status_code == 302
    assert response.url == central_url("central_home")
    assert messages_of(response) == [
        f"Permohonan {forwarded.number} dari Kota Tanjungpinang dialokasikan 300 dari 500 "
        "blanko yang diminta; kirim dari daftar menunggu pengiriman."]
    forwarded.refresh_from_db()
    assert (forwarded.status, forwarded.allocated_quantity) == (Status.ALLOCATED, 300)
    assert selectors.central_stock()["free"] == 9_700


def test_allocating_more_than_the_free_stock_is_refused_and_writes_nothing(
    client, allocator, coordinator, ask, allocated, other_office
):
    big = services.forward_blank_request(blank_request=ask(other_office, 10_000),
                                         by=coordinator)
    client.force_login(allocator)
    before = snapshot()
    response = client.post(central_url("central_allocate", big.pk), {"quantity": "9601"})
    assert response.status_code == 200
    assert response.context["form"].errors["quantity"] == [
        "Alokasi (9.601) melebihi stok bebas gudang pusat (9.600): stok 10.000, sudah "
        "dialokasikan dan belum dikirim 400."]
    assert snapshot() == before
    assert client.post(central_url("central_allocate", big.pk),
                       {"quantity": "9600"}).status_code == 302


def test_allocating_more_than_asked_is_refused(client, allocator, forwarded, central_stocked):
    client.force_login(allocator)
    before = snapshot()
    response = client.post(central_url("central_allocate", forwarded.pk), {"quantity": "501"})
    assert response.context["form"].errors["quantity"] == [
        "Alokasi (501) melebihi jumlah yang diminta (500)."]
    assert snapshot() == before


def test_a_refusal_with_zero_needs_a_note(client, allocator, forwarded):
    client.force_login(allocator)
    before = snapshot()
    response = client.post(central_url("central_allocate", forwarded.pk),
                           {"quantity": "0", "note": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["note"] == [
        "Alokasi 0 berarti permohonan ditolak: tulis alasannya di catatan."]
    assert snapshot() == before
    response = client.post(central_url("central_allocate", forwarded.pk),
                           {"quantity": "0", "note": "Gudang pusat kosong"})
    assert response.status_code == 302
    assert messages_of(response) == [
        f"Permohonan {forwarded.number} dari Kota Tanjungpinang ditolak."]
    forwarded.refresh_from_db()
    assert (forwarded.status, forwarded.allocated_quantity) == (Status.REFUSED, 0)


@pytest.mark.parametrize("data", [{"quantity": "-1"}, {"quantity": "satu"}, {"quantity": ""},
                                  {"quantity": "10000001"}])
def test_bad_allocation_input_is_refused_and_writes_nothing(client, allocator, forwarded,
                                                            central_stocked, data):
    client.force_login(allocator)
    before = snapshot()
    response = client.post(central_url("central_allocate", forwarded.pk), data)
    assert response.status_code == 200
    assert response.context["form"].errors["quantity"]
    assert snapshot() == before


def test_allocating_a_request_in_the_wrong_status_is_refused(
    client, allocator, asked, central_stocked
):
    client.force_login(allocator)
    page = client.get(central_url("central_allocate", asked.pk)).content.decode()
    assert "tidak menunggu alokasi (status: Diajukan)" in page
    before = snapshot()
    response = client.post(central_url("central_allocate", asked.pk), {"quantity": "100"})
    assert response.status_code == 200
    assert form_errors(response) == [
        f'Permohonan {asked.number} berstatus "Diajukan"; tidak dapat dialokasikan.']
    assert snapshot() == before


def test_a_second_click_on_allocate_is_refused_with_a_clear_message(
    client, allocator, forwarded, central_stocked
):
    client.force_login(allocator)
    first = client.post(central_url("central_allocate", forwarded.pk), {"quantity": "300"})
    before = snapshot()
    second = client.post(central_url("central_allocate", forwarded.pk), {"quantity": "300"})
    assert (first.status_code, second.status_code) == (302, 200)
    assert form_errors(second) == [
        f'Permohonan {forwarded.number} berstatus "Dialokasikan"; tidak dapat dialokasikan.']
    assert snapshot() == before
    forwarded.refresh_from_db()
    assert forwarded.allocated_quantity == 300


# --- The central store: dispatch ------------------------------------------------------------


def dispatch_data(**overrides) -> dict:
    data = {"quantity": "250", "reference": "BAST/DUK/2020/101",
            "occurred_on": today().isoformat(), "key": "kunci-kirim-1"}
    data.update(overrides)
    return data


def test_an_allocation_is_dispatched_in_two_parts_then_no_further(client, allocator,
                                                                  allocated):
    client.force_login(allocator)
    page = client.get(central_url("central_dispatch", allocated.pk))
    assert page.status_code == 200
    assert page.context["form"]["quantity"].value() == 400
    response = client.post(central_url("central_dispatch", allocated.pk), dispatch_data())
    assert response.status_code == 302
    assert response.url == central_url("central_home")
    assert messages_of(response) == [
        "Kiriman 250 blanko ke Kota Tanjungpinang tercatat (BAST BAST/DUK/2020/101). Blanko "
        "dalam perjalanan sampai kantor itu mengonfirmasi penerimaan."]
    page = client.get(central_url("central_dispatch", allocated.pk))
    assert page.context["form"]["quantity"].value() == 150
    assert "BAST/DUK/2020/101" in page.content.decode()  # the shipments so far

    before = snapshot()
    response = client.post(central_url("central_dispatch", allocated.pk),
                           dispatch_data(quantity="151", reference="BAST/DUK/2020/102",
                                         key="kunci-kirim-2"))
    assert response.status_code == 200
    assert response.context["form"].errors["quantity"] == [
        "Jumlah kiriman (151) melebihi alokasi yang belum dikirim (150)."]
    assert snapshot() == before

    response = client.post(central_url("central_dispatch", allocated.pk),
                           dispatch_data(quantity="150", reference="BAST/DUK/2020/102",
                                         key="kunci-kirim-3"))
    assert response.status_code == 302
    shipments = Shipment.objects.filter(blank_request=allocated).order_by("id")
    assert [(s.kind, s.quantity, s.reference) for s in shipments] == [
        (Shipment.Kind.DISPATCH, 250, "BAST/DUK/2020/101"),
        (Shipment.Kind.DISPATCH, 150, "BAST/DUK/2020/102")]
    allocated.refresh_from_db()
    assert (allocated.dispatched_quantity, allocated.undispatched) == (400, 0)
    assert selectors.central_stock() == {"stock": 9_600, "allocated_undispatched": 0,
                                         "free": 9_600, "in_transit": 400}

    page = client.get(central_url("central_dispatch", allocated.pk)).content.decode()
    assert "Tidak ada alokasi yang menunggu pengiriman" in page
    before = snapshot()
    response = client.post(central_url("central_dispatch", allocated.pk),
                           dispatch_data(quantity="1", reference="BAST/DUK/2020/103",
                                         key="kunci-kirim-4"))
    assert response.status_code == 200
    assert response.context["form"].errors["quantity"] == [
        "Jumlah kiriman (1) melebihi alokasi yang belum dikirim (0)."]
    assert snapshot() == before
    assert "tidak ada selisih" in verify_ledger()


def test_a_double_submitted_dispatch_is_posted_once(client, allocator, allocated):
    client.force_login(allocator)
    for _ in range(2):
        assert client.post(central_url("central_dispatch", allocated.pk),
                           dispatch_data()).status_code == 302
    assert Shipment.objects.filter(blank_request=allocated).count() == 1
    assert Movement.objects.filter(reason=Reason.DISPATCH).count() == 1


def test_a_bast_number_is_used_for_one_dispatch_only(client, allocator, allocated):
    client.force_login(allocator)
    client.post(central_url("central_dispatch", allocated.pk), dispatch_data(quantity="100"))
    before = snapshot()
    response = client.post(central_url("central_dispatch", allocated.pk), dispatch_data(
        quantity="100", reference="bast/duk/2020/101", key="kunci-kirim-2"))
    assert response.status_code == 200
    assert response.context["form"].errors["reference"] == [
        "Nomor BAST bast/duk/2020/101 sudah dipakai untuk kiriman lain."]
    assert snapshot() == before


@pytest.mark.parametrize(("overrides", "field"), [
    ({"quantity": "0"}, "quantity"),
    ({"quantity": "banyak"}, "quantity"),
    ({"reference": ""}, "reference"),
    ({"occurred_on": "2099-01-01"}, "occurred_on"),
    ({"occurred_on": "kemarin"}, "occurred_on"),
])
def test_bad_dispatch_input_is_refused_and_writes_nothing(client, allocator, allocated,
                                                          overrides, field):
    client.force_login(allocator)
    before = snapshot()
    response = client.post(central_url("central_dispatch", allocated.pk),
                           dispatch_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert snapshot() == before


def test_a_request_not_allocated_cannot_be_dispatched(client, allocator, forwarded,
                                                      central_stocked):
    client.force_login(allocator)
    assert "Tidak ada alokasi yang menunggu pengiriman" in client.get(
        central_url("central_dispatch", forwarded.pk)).content.decode()
    before = snapshot()
    response = client.post(central_url("central_dispatch", forwarded.pk), dispatch_data())
    assert form_errors(response) == [
        f'Permohonan {forwarded.number} berstatus "Diteruskan provinsi"; tidak dapat '
        "dikirim."]
    assert snapshot() == before


# --- The central store: who may -------------------------------------------------------------


def every_central_page(pk: int) -> list[str]:
    return [central_url("central_home"), central_url("central_receive"),
            central_url("central_allocate", pk), central_url("central_dispatch", pk)]


@pytest.mark.parametrize("role", ["coordinator", "supervisor", "operator", "viewer",
                                  "administrator", "region_viewer"])
def test_everyone_but_the_national_allocator_gets_403_on_the_central_pages(
    client, request, role, allocated
):
    client.force_login(request.getfixturevalue(role))
    before = snapshot()
    pages = every_central_page(allocated.pk)
    for page in pages:
        assert client.get(page).status_code == 403, page
    for page in pages[1:]:  # the forms
        assert client.post(page, {"quantity": "1", "reference": "X/1", "note": "x",
                                  "occurred_on": today().isoformat(), "key": "k"}
                           ).status_code == 403, page
    assert snapshot() == before


def test_a_national_viewer_without_the_allocators_role_gets_403(client, allocated):
    viewer = make_user(access.VIEWER, None, username="peninjau_nasional",
                       office__national=True)
    client.force_login(viewer)
    for page in every_central_page(allocated.pk):
        assert client.get(page).status_code == 403, page


# --- Navigation -----------------------------------------------------------------------------


def test_the_navigation_links_each_network_role_to_its_pages(
    client, coordinator, allocator, supervisor, region_viewer
):
    province_link = f'href="{province_url()}"'
    central_link = f'href="{central_url("central_home")}"'
    client.force_login(coordinator)
    html = client.get(reverse("blanko:office_list")).content.decode()
    assert (province_link in html, central_link in html) == (True, False)
    client.force_login(allocator)
    html = client.get(reverse("blanko:office_list")).content.decode()
    assert (province_link in html, central_link in html) == (False, True)
    for user in (supervisor, region_viewer):
        client.force_login(user)
        html = client.get(reverse("blanko:office_list")).content.decode()
        assert (province_link in html, central_link in html) == (False, False), user


# --- The central store: cancelling a dispatch on its way ---------------------------------------


@pytest.fixture
def dispatched(allocated, allocator, supervisor):
    """300 of the 400 allocated are sent; the office has received 100 of them."""
    shipment = services.dispatch_blanks(blank_request=allocated, quantity=300,
                                        reference="BAST/PUSAT/7", by=allocator)
    services.confirm_receipt(shipment=shipment, quantity=100, by=supervisor)
    return shipment


def test_ditjen_cancels_what_is_left_of_a_dispatch_and_may_send_it_again(
    client, allocator, dispatched, allocated
):
    client.force_login(allocator)
    home = client.get(central_url("central_home")).content.decode()
    assert central_url("central_cancel", dispatched.pk) in home
    central_before = selectors.central_stock()
    response = client.post(central_url("central_cancel", dispatched.pk), {"reason": "hilang"})
    assert response.status_code == 302
    assert messages_of(response) == [
        "Kiriman BAST/PUSAT/7 dibatalkan: 200 blanko kembali ke gudang pusat."]
    allocated.refresh_from_db()
    assert (allocated.dispatched_quantity, allocated.received_quantity) == (100, 100)
    after = selectors.central_stock()
    assert after["stock"] == central_before["stock"] + 200
    assert after["in_transit"] == central_before["in_transit"] - 200
    # A second click finds nothing left on its way: refused, nothing written.
    before = snapshot()
    again = client.post(central_url("central_cancel", dispatched.pk), {"reason": "hilang"})
    assert again.status_code == 200
    assert form_errors(again) == ["Tidak ada blanko dalam perjalanan untuk dibatalkan."]
    assert snapshot() == before


@pytest.mark.parametrize("who", ["coordinator", "supervisor", "operator", "viewer"])
def test_only_ditjen_cancels_a_dispatch(client, request, who, dispatched):
    client.force_login(request.getfixturevalue(who))
    before = snapshot()
    assert client.get(central_url("central_cancel", dispatched.pk)).status_code == 403
    assert client.post(central_url("central_cancel", dispatched.pk),
                       {"reason": "x"}).status_code == 403
    assert snapshot() == before
