"""The office's request-for-blanks pages: the list, a new request (prefilled from the
dashboard), one request, its letter, withdrawing it; receiving Ditjen's dispatch on the
existing shipment pages; who may use them; what a refused or repeated form writes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blanko import access, services, supply_figures
from blanko.models import BlankRequest, BlankRequestEvent, Movement, Shipment
from tests.blanko.helpers import form_errors, ledger_snapshot, messages_of, url
from tests.factories import make_user
from tests.helpers import today

# verify_ledger is clean after every test of the supply cycle.
pytestmark = pytest.mark.usefixtures("ledger_clean_after")

Status = BlankRequest.Status





def snapshot() -> dict:
    """The ledger, and every request for blanks with its history."""
    return {**ledger_snapshot(),
            "requests": list(BlankRequest.objects.order_by("pk").values_list(
                "pk", "status", "quantity", "received_quantity")),
            "events": BlankRequestEvent.objects.count()}


FIGURES = {"as_of": "2020-07-03", "stock": 0, "average": 41.5, "days_of_cover": 0.0,
           "stockout_on": "2020-07-02", "key_date": "2020-12-09",
           "key_date_name": "Pilkada 9 Desember 2020", "shortfall": 11_620,
           "to_request": 12_000, "lead_time_days": 73}


@pytest.fixture
def figures_provider():
    """The dashboard's figures, as layanan.supervision registers them, replaced by a
    known dict (and the registered provider put back afterwards)."""
    calls = []

    def provider(*, office, as_of):
        calls.append((office.code, as_of))
        return dict(FIGURES)

    registered = supply_figures._provider
    supply_figures.register_figures_provider(provider)
    yield calls
    supply_figures.register_figures_provider(registered)


@pytest.fixture
def no_figures_provider():
    registered = supply_figures._provider
    supply_figures.register_figures_provider(None)
    yield
    supply_figures.register_figures_provider(registered)


@pytest.fixture
def coordinator(db):
    """The province coordinator of Kepulauan Riau (21)."""
    return make_user(access.PROVINCE, None, username="kepri_uji", office__region="21")


@pytest.fixture
def allocator(db):
    """Ditjen's national allocator."""
    return make_user(access.NATIONAL, None, username="ditjen_uji", office__national=True)


@pytest.fixture
def central_stock(allocator):
    return services.receive_into_central_store(quantity=50_000, reference="KONTRAK/2020/1",
                                               by=allocator)


@pytest.fixture
def asked(office, supervisor):
    """Tanjungpinang asks for 12,000 blanks."""
    return services.request_blanks(office=office, quantity=12_000, by=supervisor,
                                   note="Menjelang Pilkada")


@pytest.fixture
def dispatched(asked, coordinator, allocator, central_stock):
    """The request forwarded, 6,000 allocated, 4,000 of them dispatched under one BAST."""
    services.forward_blank_request(blank_request=asked, by=coordinator)
    services.allocate_blanks(blank_request=asked, quantity=6_000, by=allocator)
    return services.dispatch_blanks(blank_request=asked, quantity=4_000,
                                    reference="BAST/PUSAT/0914", by=allocator)


def create_data(**overrides) -> dict:
    data = {"quantity": "12000", "needed_by": "", "note": "", "key": "kunci-pb-1"}
    data.update(overrides)
    return data


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_open_requests_first_with_their_quantities_and_age(
    client, supervisor, office, asked, dispatched
):
    old = services.request_blanks(office=office, quantity=300, by=supervisor)
    services.cancel_blank_request(blank_request=old, by=supervisor, note="salah hitung")
    newest = services.request_blanks(office=office, quantity=400, by=supervisor)
    client.force_login(supervisor)
    response = client.get(url("blank_request_list", office))
    assert response.status_code == 200
    rows = response.context["rows"]
    # Open first, newest first within each group; the cancelled one last.
    assert [row.pk for row in rows] == [newest.pk, asked.pk, old.pk]
    assert [row.age for row in rows] == [0, 0, None]
    html = response.content.decode()
    assert url("blank_request_detail", office, asked.pk) in html
    assert url("blank_request_create", office) in html
    row = html.split(asked.number)[1].split("</tr>")[0]
    for text in ("12.000", "6.000", "4.000", "Dialokasikan"):
        assert text in row, text


def test_the_list_is_empty_at_first(client, supervisor, office):
    client.force_login(supervisor)
    response = client.get(url("blank_request_list", office))
    assert response.context["rows"] == []
    assert "Belum ada permohonan." in response.content.decode()


def _list_queries(client, office) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("blank_request_list", office))
    assert response.status_code == 200
    return len(queries)


def test_the_list_runs_the_same_queries_whatever_the_number_of_requests(
    client, supervisor, office
):
    services.request_blanks(office=office, quantity=10, by=supervisor)
    client.force_login(supervisor)
    client.get(url("blank_request_list", office))  # warm the session
    one = _list_queries(client, office)
    for quantity in (20, 30, 40):
        services.request_blanks(office=office, quantity=quantity, by=supervisor)
    several = _list_queries(client, office)
    assert several == one
    assert several <= 8


# --- A new request ----------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "prefilled"), [
    ("400", 400), ("12000", 12_000), ("0", None), ("-5", None), ("tiga", None),
    ("10000001", None), ("٤٠٠", None), ("", None), ("1" * 5_000, None),
])
def test_the_form_is_prefilled_from_the_dashboards_figure(
    client, supervisor, office, given, prefilled
):
    client.force_login(supervisor)
    response = client.get(url("blank_request_create", office), {"jumlah": given})
    assert response.status_code == 200
    assert response.context["form"]["quantity"].value() == prefilled


def test_the_form_shows_todays_figures_computed_on_the_server(
    client, supervisor, office, figures_provider
):
    client.force_login(supervisor)
    response = client.get(url("blank_request_create", office))
    assert figures_provider == [(office.code, today())]
    rows = dict(response.context["figures"])
    assert rows["Stok di gudang"] == "0"
    assert rows["Jumlah yang perlu diminta"] == "12.000"
    assert rows["Tanggal penting berikutnya"] == "Pilkada 9 Desember 2020 (9 Desember 2020)"
    assert 'data-testid="figures-today"' in response.content.decode()


def test_a_supervisor_asks_for_blanks_with_the_figures_of_the_day(
    client, supervisor, office, figures_provider
):
    client.force_login(supervisor)
    needed = today() + datetime.timedelta(days=60)
    # A figures field in the post is not a field of the form: the server computes them.
    response = client.post(url("blank_request_create", office), create_data(
        needed_by=needed.isoformat(), note="Menjelang Pilkada", figures='{"stock": 9}'))
    assert response.status_code == 302
    blank_request = BlankRequest.objects.get()
    assert response.url == url("blank_request_detail", office, blank_request.pk)
    assert (blank_request.office, blank_request.quantity, blank_request.status) == (
        office, 12_000, Status.SUBMITTED)
    assert (blank_request.needed_by, blank_request.note, blank_request.created_by) == (
        needed, "Menjelang Pilkada", supervisor)
    assert blank_request.figures == FIGURES
    assert blank_request.number.startswith(f"PB/{office.code}/{today().year}/")
    assert messages_of(response) == [
        f"Permohonan {blank_request.number} untuk 12.000 blanko diajukan. Cetak suratnya, "
        "tanda tangani, lalu kirim ke Ditjen melalui provinsi."]


def test_without_a_figures_provider_a_request_carries_no_figures(
    client, supervisor, office, no_figures_provider
):
    client.force_login(supervisor)
    assert client.get(url("blank_request_create", office)).context["figures"] == []
    assert client.post(url("blank_request_create", office), create_data()).status_code == 302
    assert not BlankRequest.objects.get().figures


def test_a_double_submitted_request_is_made_once(client, supervisor, office):
    client.force_login(supervisor)
    first = client.post(url("blank_request_create", office), create_data())
    second = client.post(url("blank_request_create", office), create_data())
    assert (first.status_code, second.status_code) == (302, 302)
    assert first.url == second.url
    assert BlankRequest.objects.count() == 1
    assert BlankRequestEvent.objects.count() == 1


def test_a_key_sent_again_with_other_data_is_refused_and_renewed(client, supervisor, office):
    client.force_login(supervisor)
    client.post(url("blank_request_create", office), create_data())
    before = snapshot()
    response = client.post(url("blank_request_create", office), create_data(quantity="500"))
    assert response.status_code == 200
    assert form_errors(response) == [
        "Formulir ini sudah pernah dikirim dengan isian yang lain. Periksa daftar "
        "permohonan; bila ini memang transaksi baru, kirim sekali lagi."]
    assert snapshot() == before
    renewed = response.context["form"]["key"].value()
    assert renewed and renewed != "kunci-pb-1"
    again = client.post(url("blank_request_create", office),
                        create_data(quantity="500", key=renewed))
    assert again.status_code == 302
    assert sorted(BlankRequest.objects.values_list("quantity", flat=True)) == [500, 12_000]


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"quantity": "0"}, "quantity", "Pastikan nilai ini lebih besar dari atau sama dengan 1."),
    ({"quantity": "-3"}, "quantity", "Pastikan nilai ini lebih besar dari atau sama dengan 1."),
    ({"quantity": "10000001"}, "quantity",
     "Pastikan nilai ini lebih kecil dari atau sama dengan 10000000."),
    ({"quantity": "tiga"}, "quantity", "Masukkan keseluruhan angka bilangan."),
    ({"quantity": ""}, "quantity", "Bidang ini tidak boleh kosong."),
    ({"needed_by": "31/02/2020"}, "needed_by", "Masukkan tanggal yang valid."),
    ({"needed_by": (today() - datetime.timedelta(days=1)).isoformat()}, "needed_by",
     "Tanggal dibutuhkan tidak boleh sebelum tanggal permohonan."),
    ({"note": "x" * 501}, "note",
     "Pastikan nilai ini mengandung paling banyak 500 karakter (sekarang 501 karakter)."),
])
def test_bad_request_input_is_refused_in_indonesian_and_writes_nothing(
    client, supervisor, office, overrides, field, message
):
    client.force_login(supervisor)
    before = snapshot()
    response = client.post(url("blank_request_create", office), create_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert snapshot() == before


def test_a_form_sent_without_its_key_is_refused_and_given_one(client, supervisor, office):
    client.force_login(supervisor)
    data = create_data()
    del data["key"]
    before = snapshot()
    response = client.post(url("blank_request_create", office), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Formulir ini tidak lengkap. Periksa isiannya, lalu kirim sekali lagi."]
    assert response.context["form"]["key"].value()
    assert snapshot() == before


# --- One request and its letter ---------------------------------------------------------------


def test_the_detail_shows_the_history_the_figures_and_the_shipments_to_receive(
    client, supervisor, office, asked, dispatched
):
    asked.refresh_from_db()
    client.force_login(supervisor)
    response = client.get(url("blank_request_detail", office, asked.pk))
    assert response.status_code == 200
    assert response.context["blank_request"] == asked
    events = [(e.from_status, e.to_status, e.quantity, e.by.get_username())
              for e in response.context["events"]]
    assert events == [
        ("", Status.SUBMITTED, 12_000, "supervisor_uji"),
        (Status.SUBMITTED, Status.FORWARDED, 12_000, "kepri_uji"),
        (Status.FORWARDED, Status.ALLOCATED, 6_000, "ditjen_uji"),
        (Status.ALLOCATED, Status.ALLOCATED, 4_000, "ditjen_uji"),  # the dispatch
    ]
    assert [s.pk for s in response.context["shipments"]] == [dispatched.pk]
    html = response.content.decode()
    assert "Diteruskan provinsi → Dialokasikan" in html
    assert "BAST/PUSAT/0914" in html
    assert url("shipment_receive", office, dispatched.pk) in html
    assert url("blank_request_letter", office, asked.pk) in html
    # Allocated: too late to withdraw.
    assert response.context["cancel_form"] is None
    assert url("blank_request_cancel", office, asked.pk) not in html


def test_a_new_request_can_be_withdrawn_from_its_page(client, supervisor, office, asked):
    client.force_login(supervisor)
    response = client.get(url("blank_request_detail", office, asked.pk))
    assert response.context["cancel_form"] is not None
    html = response.content.decode()
    assert f'action="{url("blank_request_cancel", office, asked.pk)}"' in html
    assert "Belum ada kiriman." in html
    # Asked without the dashboard's figures (services.request_blanks alone): said so.
    assert response.context["figures"] == []
    assert "Permohonan ini tidak menyimpan angka dasbor." in html


def test_the_letter_goes_to_ditjen_through_the_province_with_the_figures(
    client, supervisor, office, figures_provider
):
    office.head_name, office.head_nip = "Drs. Raja Hafizh", "196801011990031001"
    office.save()
    client.force_login(supervisor)
    client.post(url("blank_request_create", office), create_data(
        needed_by=(today() + datetime.timedelta(days=30)).isoformat()))
    blank_request = BlankRequest.objects.get()
    detail = client.get(url("blank_request_detail", office, blank_request.pk))
    assert dict(detail.context["figures"])["Kekurangan sampai tanggal itu"] == "11.620"
    assert 'data-testid="figures"' in detail.content.decode()
    response = client.get(url("blank_request_letter", office, blank_request.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="letter-number">{blank_request.number}<' in html
    addressee = html.split('data-testid="addressee">')[1].split("</p>")[0]
    for line in ("Direktur Jenderal Kependudukan dan Pencatatan Sipil",
                 "Kementerian Dalam Negeri",
                 "melalui Kepala Dinas Kependudukan dan Pencatatan Sipil Provinsi "
                 "Kepulauan Riau"):
        assert line in addressee, line
    assert 'data-testid="letter-quantity">12.000<' in html
    assert "(dua belas ribu)" in html  # the quantity in words, as official letters write it
    assert "Pilkada 9 Desember 2020 (9 Desember 2020)" in html
    assert 'data-testid="letter-figures"' in html
    assert "PEMERINTAH KOTA TANJUNGPINANG" in html
    assert f"Tanjungpinang, {today().day} " in html
    assert "Drs. Raja Hafizh" in html and "196801011990031001" in html
    assert "DIBATALKAN" not in html


def test_a_cancelled_requests_letter_says_so(client, supervisor, office, asked):
    services.cancel_blank_request(blank_request=asked, by=supervisor, note="tidak jadi")
    client.force_login(supervisor)
    html = client.get(url("blank_request_letter", office, asked.pk)).content.decode()
    assert 'data-testid="cancelled"' in html


# --- Withdrawing a request --------------------------------------------------------------------


def test_a_supervisor_withdraws_a_request_before_the_allocation(
    client, supervisor, office, asked, coordinator
):
    services.forward_blank_request(blank_request=asked, by=coordinator)
    client.force_login(supervisor)
    response = client.post(url("blank_request_cancel", office, asked.pk),
                           {"reason": "Stok dari pinjaman Batam sudah cukup"})
    assert response.status_code == 302
    assert response.url == url("blank_request_detail", office, asked.pk)
    assert messages_of(response) == [f"Permohonan {asked.number} dibatalkan."]
    asked.refresh_from_db()
    assert asked.status == Status.CANCELLED
    last = asked.events.last()
    assert (last.from_status, last.to_status, last.note, last.by) == (
        Status.FORWARDED, Status.CANCELLED, "Stok dari pinjaman Batam sudah cukup", supervisor)


def test_a_withdrawal_needs_a_reason_and_writes_nothing_without_one(
    client, supervisor, office, asked
):
    client.force_login(supervisor)
    before = snapshot()
    response = client.post(url("blank_request_cancel", office, asked.pk), {"reason": "  "})
    assert response.status_code == 200
    assert form_errors(response, "cancel_form") == ["Bidang ini tidak boleh kosong."]
    assert snapshot() == before


def test_an_allocated_request_can_no_longer_be_withdrawn(
    client, supervisor, office, asked, dispatched
):
    client.force_login(supervisor)
    before = snapshot()
    response = client.post(url("blank_request_cancel", office, asked.pk), {"reason": "x"})
    assert response.status_code == 200
    # The service's refusal, above the page, since the form is no longer there.
    assert messages_of(response) == [
        f'Permohonan {asked.number} berstatus "Dialokasikan"; tidak dapat dibatalkan lagi.']
    assert response.context["cancel_form"] is None
    assert snapshot() == before


def test_withdrawing_is_a_post(client, supervisor, office, asked):
    client.force_login(supervisor)
    response = client.get(url("blank_request_cancel", office, asked.pk))
    assert response["Location"] == url("blank_request_detail", office, asked.pk)
    assert client.put(url("blank_request_cancel", office, asked.pk)).status_code == 405
    asked.refresh_from_db()
    assert asked.status == BlankRequest.Status.SUBMITTED


# --- Receiving Ditjen's dispatch on the shipment pages ----------------------------------------


def test_the_office_receives_a_dispatch_from_ditjen_in_part(
    client, supervisor, office, asked, dispatched
):
    client.force_login(supervisor)
    page = client.get(url("shipment_receive", office, dispatched.pk))
    assert page.status_code == 200
    assert page.context["form"]["quantity"].value() == 4_000
    html = page.content.decode()
    for text in ("Kiriman Ditjen", "BAST/PUSAT/0914", asked.number):
        assert text in html, text
    assert url("blank_request_detail", office, asked.pk) in html  # the way back

    data = {"quantity": "2500", "occurred_on": today().isoformat(), "key": "kunci-terima-pb"}
    response = client.post(url("shipment_receive", office, dispatched.pk), data)
    assert response.status_code == 302
    assert response.url == url("blank_request_detail", office, asked.pk)
    assert messages_of(response) == [
        f"Penerimaan 2.500 blanko kiriman Ditjen (BAST BAST/PUSAT/0914, permohonan "
        f"{asked.number}) dikonfirmasi; stok bertambah."]
    # Sent twice: received once.
    assert client.post(url("shipment_receive", office, dispatched.pk), data).status_code == 302
    receipt = Movement.objects.get(reason=Movement.Reason.RECEIPT_DITJEN, blank_request=asked)
    assert receipt.quantity == 2_500
    dispatched.refresh_from_db()
    asked.refresh_from_db()
    assert (dispatched.received_quantity, dispatched.status) == (2_500, Shipment.Status.IN_TRANSIT)
    assert (asked.received_quantity, asked.status) == (2_500, Status.PARTLY_RECEIVED)
    detail = client.get(url("blank_request_detail", office, asked.pk)).content.decode()
    assert "Diterima sebagian" in detail


def test_the_office_cannot_cancel_ditjens_dispatch(client, supervisor, office, dispatched):
    client.force_login(supervisor)
    before = snapshot()
    assert client.get(url("shipment_cancel", office, dispatched.pk)).status_code == 404
    assert client.post(url("shipment_cancel", office, dispatched.pk),
                       {"reason": "x"}).status_code == 404
    assert snapshot() == before


def test_a_dispatch_in_transit_shows_on_the_loan_and_stock_pages(
    client, supervisor, office, asked, dispatched
):
    client.force_login(supervisor)
    for name, testid in (("loan_list", "shipments-incoming"),
                         ("stock", "shipments-in-transit")):
        html = client.get(url(name, office)).content.decode()
        table = html.split(f'data-testid="{testid}"')[1].split("</table>")[0]
        for text in ("Kiriman Ditjen", "BAST/PUSAT/0914", asked.number, "4.000"):
            assert text in table, (name, text)
        assert url("shipment_receive", office, dispatched.pk) in table, name
        assert url("shipment_cancel", office, dispatched.pk) not in table, name


def _page_queries(client, page: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)
    assert response.status_code == 200
    return len(queries)


def test_dispatches_add_no_queries_to_the_loan_list_and_the_stock_page(
    client, supervisor, office, asked, dispatched, allocator
):
    client.force_login(supervisor)
    pages = [url("loan_list", office), url("stock", office)]
    client.get(pages[0])  # warm the session
    one = [_page_queries(client, page) for page in pages]
    services.dispatch_blanks(blank_request=asked, quantity=1_000, reference="BAST/PUSAT/2",
                             by=allocator)
    services.dispatch_blanks(blank_request=asked, quantity=1_000, reference="BAST/PUSAT/3",
                             by=allocator)
    assert [_page_queries(client, page) for page in pages] == one


# --- Who may use the pages --------------------------------------------------------------------


def every_page(office, pk: int) -> list[str]:
    return [url("blank_request_list", office), url("blank_request_create", office),
            url("blank_request_detail", office, pk), url("blank_request_letter", office, pk)]


def test_anonymous_users_are_sent_to_the_login_page(client, office, asked):
    for page in [*every_page(office, asked.pk), url("blank_request_cancel", office, asked.pk)]:
        response = client.get(page) if not page.endswith("/batal/") else client.post(page)
        assert response.status_code == 302, page
        assert response.url.startswith(reverse("login")), page


def test_operators_get_403_and_write_nothing(client, operator, office, asked):
    client.force_login(operator)
    before = snapshot()
    for page in every_page(office, asked.pk):
        assert client.get(page).status_code == 403, page
    assert client.post(url("blank_request_create", office), create_data()).status_code == 403
    assert client.post(url("blank_request_cancel", office, asked.pk),
                       {"reason": "x"}).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("who", ["viewer", "region_viewer"])
def test_viewers_read_the_requests_but_do_not_ask_nor_withdraw(
    client, request, who, office, asked
):
    client.force_login(request.getfixturevalue(who))
    before = snapshot()
    for page in every_page(office, asked.pk):
        expected = 403 if page.endswith("/baru/") else 200
        assert client.get(page).status_code == expected, page
    listing = client.get(url("blank_request_list", office)).content.decode()
    assert url("blank_request_create", office) not in listing
    detail = client.get(url("blank_request_detail", office, asked.pk))
    assert detail.context["cancel_form"] is None
    assert client.post(url("blank_request_create", office), create_data()).status_code == 403
    assert client.post(url("blank_request_cancel", office, asked.pk),
                       {"reason": "x"}).status_code == 403
    assert snapshot() == before


def test_a_supervisor_of_another_office_gets_404(client, other_supervisor, office, asked):
    client.force_login(other_supervisor)
    before = snapshot()
    for page in every_page(office, asked.pk):
        assert client.get(page).status_code == 404, page
    assert client.post(url("blank_request_create", office), create_data()).status_code == 404
    assert client.post(url("blank_request_cancel", office, asked.pk),
                       {"reason": "x"}).status_code == 404
    assert snapshot() == before


def test_another_offices_request_is_404_under_ones_own_code(
    client, supervisor, other_supervisor, other_office, asked
):
    client.force_login(other_supervisor)
    for name in ("blank_request_detail", "blank_request_letter"):
        assert client.get(url(name, other_office, asked.pk)).status_code == 404, name
    assert client.post(url("blank_request_cancel", other_office, asked.pk),
                       {"reason": "x"}).status_code == 404
    asked.refresh_from_db()
    assert asked.status == Status.SUBMITTED


def test_an_unknown_or_huge_number_in_the_url_is_a_404(client, supervisor, office):
    client.force_login(supervisor)
    for name in ("blank_request_detail", "blank_request_letter"):
        for pk in (999_999, 2**70):
            assert client.get(url(name, office, pk)).status_code == 404, (name, pk)
    assert client.post(url("blank_request_cancel", office, 999_999),
                       {"reason": "x"}).status_code == 404


@pytest.mark.parametrize(("who", "shown"), [
    ("supervisor", True), ("administrator", True), ("viewer", True), ("operator", False)])
def test_the_stock_menu_links_to_the_requests_for_those_who_may_read_them(
    client, request, office, who, shown
):
    client.force_login(request.getfixturevalue(who))
    html = client.get(url("stock", office)).content.decode()
    assert (url("blank_request_list", office) in html) is shown


def test_the_letter_stays_in_bahasa_indonesia_when_the_page_is_in_english(
    client, supervisor, office
):
    blank_request = services.request_blanks(office=office, quantity=12_000, by=supervisor)
    client.force_login(supervisor)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(url("blank_request_letter", office, blank_request.pk)).content.decode()
    assert 'lang="id"' in html
    assert "bersama ini kami mengajukan permohonan blanko KTP-el" in html
    assert "Demikian permohonan ini kami sampaikan" in html
    assert "(dua belas ribu)" in html
    assert "Dear Sir or Madam" not in html
