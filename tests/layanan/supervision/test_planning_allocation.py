"""Ditjen's national allocation under scarcity (README, "National allocation under
scarcity"): the arithmetic on hand-made claims, the plan from the offices' histories,
its queries, and the page that carries it out."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from fractions import Fraction
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blanko import access
from blanko import services as ledger
from blanko.models import BlankRequest
from layanan.supervision.planning import Claim, Share, allocation_plan, share_allocation
from tests.blanko.helpers import messages_of
from tests.factories import OfficeFactory, make_user
from tests.helpers import today
from tests.layanan.supervision.scenarios import use

Status = BlankRequest.Status
PLAN_URL = "/pusat/rencana-alokasi/"


# --- The arithmetic, on hand-made claims ---------------------------------------------------


def test_scarce_stock_goes_first_to_floor_needs_by_cover_then_in_proportion_to_the_rest():
    # Free 1,000; asked 600 + 500 + 400 + 300 = 1,800: scarce.
    claims = [
        Claim(asked=600, floor_need=300, cover=Fraction(5), order=0),  # A
        Claim(asked=500, floor_need=400, cover=Fraction(2), order=1),  # B
        Claim(asked=400, floor_need=0, cover=None, order=2),           # C: no use
        Claim(asked=300, floor_need=200, cover=Fraction(5), order=3),  # D: ties A, later
    ]
    # Phase 1, cover ascending (B 2, A 5, D 5 after A, C last): B 400 (left 600), A 300
    # (left 300), D 200 (left 100), C 0.
    # Phase 2: R = 100 over r = A 300, B 100, C 400, D 100 (sum 900):
    #   A 30,000/900 = 33 r 300; B 10,000/900 = 11 r 100; C 40,000/900 = 44 r 400;
    #   D 11 r 100. 33 + 11 + 44 + 11 = 99, one blank left: C (largest remainder, 400).
    assert share_allocation(claims, 1_000) == [
        Share(300, 333), Share(400, 411), Share(0, 45), Share(200, 211)]


def test_without_scarcity_everyone_gets_what_they_asked():
    claims = [Claim(asked=600, floor_need=300, cover=Fraction(5), order=0),
              Claim(asked=500, floor_need=400, cover=Fraction(2), order=1)]
    # Phase 1 takes 700 of 5,000; R = 4,300 >= sum r = 300 + 100.
    assert share_allocation(claims, 5_000) == [Share(300, 600), Share(400, 500)]
    # Exactly enough is enough.
    assert share_allocation(claims, 1_100) == [Share(300, 600), Share(400, 500)]


def test_phase_one_stops_when_the_store_runs_out_most_urgent_first():
    claims = [Claim(asked=800, floor_need=500, cover=Fraction(10), order=0),
              Claim(asked=800, floor_need=500, cover=Fraction(3), order=1)]
    # The one with 3 days of cover gets its 500, the other the 100 left; no phase 2.
    assert share_allocation(claims, 600) == [Share(100, 100), Share(500, 500)]


def test_equal_remainders_go_to_the_earlier_submission_never_beyond_the_rest():
    claims = [Claim(asked=1, floor_need=0, cover=None, order=order) for order in (2, 0, 1)]
    # R = 2 over r = 1, 1, 1: floor(2/3) = 0 each, remainders equal: orders 0 and 1.
    assert share_allocation(claims, 2) == [Share(0, 0), Share(0, 1), Share(0, 1)]
    assert share_allocation(claims, 0) == [Share(0, 0)] * 3


# --- The plan from the offices' histories -------------------------------------------------


@pytest.fixture
def coordinator(db):
    return make_user(access.PROVINCE, None, username="koordinator_kepri", office__region="21")


@pytest.fixture
def allocator(db):
    return make_user(access.NATIONAL, None, username="alokator_ditjen", office__national=True)


def first_of_last_month() -> datetime.date:
    return (today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def history(receive, root, coordinator):
    """Makes an office that received `received` blanks before the 28-day window and used
    `used` of them today (so every day of the window counts: average used / 28), with a
    request for `asked` forwarded to Ditjen; returns the request."""

    def _history(office, *, received, used, asked):
        if received:
            receive(office, received, occurred_on=first_of_last_month())
        if used:
            use(office, root, today(), used)
        boss = make_user(access.SUPERVISOR, office)
        blank_request = ledger.request_blanks(office=office, quantity=asked, by=boss)
        return ledger.forward_blank_request(blank_request=blank_request, by=coordinator)

    return _history


@pytest.fixture
def karimun(db):
    return OfficeFactory(code="2102", name="Kabupaten Karimun")


@pytest.fixture
def three_waiting(history, office, other_office, karimun, allocator):
    """Lead time 30 days everywhere (no receipt measured: the offices' field), so a
    floor need lasts 30 + 14 = 44 days.

    - Tanjungpinang: 600 in, 280 used: stock 320, average 10, cover 32; an earlier request
      allocated 100 and not yet received (n = 100): f = min(1,000, 440 - 320 - 100) = 20.
    - Batam: 1,060 in, 560 used: stock 500, average 20, cover 25;
      f = min(2,000, 880 - 500) = 380.
    - Karimun: nothing in, nothing used: no cover, f = 0. Asks 500.
    """
    tpi = history(office, received=600, used=280, asked=1_000)
    earlier = history(office, received=0, used=0, asked=100)
    batam = history(other_office, received=1_060, used=560, asked=2_000)
    karimun_request = history(karimun, received=0, used=0, asked=500)
    return {"tpi": tpi, "earlier": earlier, "batam": batam, "karimun": karimun_request}


def stock_central(allocator, quantity):
    ledger.receive_into_central_store(quantity=quantity, reference=f"KONTRAK/{quantity}",
                                      by=allocator)


def test_the_plan_shares_a_short_central_store_by_the_offices_dashboard_figures(
    three_waiting, allocator
):
    # Central: 1,600 in; the earlier request allocated 100 (reserved): free 1,500, asked
    # 1,000 + 2,000 + 500 = 3,500.
    stock_central(allocator, 1_600)
    ledger.allocate_blanks(blank_request=three_waiting["earlier"], quantity=100, by=allocator)
    # Phase 1: Batam (25 days) 380, left 1,120; Tanjungpinang (32) 20, left 1,100; Karimun 0.
    # Phase 2: R = 1,100 over r = 980 (Tpi), 1,620 (Batam), 500 (Karimun); sum 3,100:
    #   Tpi 1,078,000/3,100 = 347 r 2,300; Batam 1,782,000/3,100 = 574 r 2,600;
    #   Karimun 550,000/3,100 = 177 r 1,300. 1,098 given, 2 left: Batam, then Tpi.
    # Proposed: Batam 380 + 575 = 955, Tpi 20 + 348 = 368, Karimun 177; 1,500 in all.
    # Cover after: Batam (500 + 955)/20 = 72.75, Tpi (320 + 100 + 368)/10 = 78.8.
    lines = allocation_plan()
    assert [line.request for line in lines] == [
        three_waiting["batam"], three_waiting["tpi"], three_waiting["karimun"]]
    assert [(line.asked, line.floor_need, line.phase1, line.proposed) for line in lines] == [
        (2_000, 380, 380, 955), (1_000, 20, 20, 368), (500, 0, 0, 177)]
    assert [line.cover_before for line in lines] == [25, 32, None]
    assert [line.cover_after for line in lines] == [Fraction(1455, 20), Fraction(788, 10), None]
    assert [line.cover_after_shown for line in lines] == [Decimal("72.7"), Decimal("78.8"),
                                                          None]
    assert [(line.stock, line.average, line.incoming, line.lead_time_days)
            for line in lines] == [(500, 20, 0, 30), (320, 10, 100, 30), (0, None, 0, 30)]


def test_when_the_central_store_has_enough_the_plan_proposes_what_was_asked(
    three_waiting, allocator
):
    # Nothing allocated yet: Tanjungpinang's two requests both wait (n = 0), and its floor
    # need, 440 - 320 = 120, goes to its first request. Free 10,000 >= 3,600 asked:
    # phase 1 gives the floor needs, then everyone gets what they asked.
    stock_central(allocator, 10_000)
    lines = allocation_plan()
    assert [(line.request, line.floor_need, line.phase1, line.proposed) for line in lines] == [
        (three_waiting["batam"], 380, 380, 2_000),
        (three_waiting["tpi"], 120, 120, 1_000),
        (three_waiting["earlier"], 0, 0, 100),  # same cover as Tpi: submitted later
        (three_waiting["karimun"], 0, 0, 500),  # no use: last
    ]
    # Tanjungpinang's two proposals both count in its cover after: (320 + 1,100)/10.
    assert lines[1].cover_after == 142 == lines[2].cover_after


def _plan_queries() -> int:
    with CaptureQueriesContext(connection) as captured:
        allocation_plan()
    return len(captured.captured_queries)


def test_the_plan_runs_the_same_queries_for_one_request_as_for_three(history, office,
                                                                     other_office, allocator):
    stock_central(allocator, 1_000)
    history(office, received=600, used=280, asked=1_000)
    one = _plan_queries()
    history(other_office, received=1_060, used=560, asked=2_000)
    history(OfficeFactory(code="2101", name="Kabupaten Bintan"), received=900, used=28,
            asked=300)
    assert len(allocation_plan()) == 3
    assert _plan_queries() == one
    assert one <= 12


def test_no_waiting_request_no_plan(db):
    assert allocation_plan() == []


# --- The page -----------------------------------------------------------------------------


def test_the_allocator_sees_the_plan_with_the_free_stock_and_the_scarcity(
    client, three_waiting, allocator
):
    stock_central(allocator, 1_600)
    ledger.allocate_blanks(blank_request=three_waiting["earlier"], quantity=100, by=allocator)
    client.force_login(allocator)
    response = client.get(PLAN_URL)
    assert response.status_code == 200
    assert response.context["totals"] == {"free": 1_500, "asked": 3_500, "proposed": 1_500,
                                          "scarce": True}
    html = response.content.decode()
    batam = three_waiting["batam"]
    row = html.split(f'data-testid="plan-{batam.pk}"')[1].split("</tr>")[0]
    assert f'name="jumlah-{batam.pk}" value="955"' in row
    for text in ("Kota Batam", batam.number, "2.000", "380", "25", "72,7"):
        assert text in row, text
    assert "Stok kurang" in html
    assert "Alokasikan semua" in html
    home = client.get(reverse("blanko:central_home")).content.decode()
    assert reverse("layanan:allocation_plan") in home


def post_plan(client, quantities: dict[BlankRequest, int | str]):
    data = {"permohonan": [r.pk for r in quantities]}
    data.update({f"jumlah-{r.pk}": value for r, value in quantities.items()})
    return client.post(PLAN_URL, data)


def test_allocate_all_allocates_each_line_above_zero_and_leaves_zero_lines_waiting(
    client, three_waiting, allocator
):
    stock_central(allocator, 1_600)
    batam, tpi, karimun = (three_waiting[k] for k in ("batam", "tpi", "karimun"))
    client.force_login(allocator)
    response = post_plan(client, {batam: 1_000, tpi: 500, karimun: 0})
    assert response.status_code == 302
    assert response["Location"] == PLAN_URL
    shown = messages_of(response)
    assert shown == [
        f"Permohonan {batam.number} dari Kota Batam dialokasikan 1.000 dari 2.000 blanko "
        "yang diminta.",
        f"Permohonan {tpi.number} dari Kota Tanjungpinang dialokasikan 500 dari 1.000 "
        "blanko yang diminta.",
        f"Permohonan {karimun.number} dari Kabupaten Karimun tidak dialokasikan (0) dan "
        "tetap menunggu alokasi.",
    ]
    for blank_request in (batam, tpi, karimun):
        blank_request.refresh_from_db()
    assert (batam.status, batam.allocated_quantity) == (Status.ALLOCATED, 1_000)
    assert (tpi.status, tpi.allocated_quantity) == (Status.ALLOCATED, 500)
    assert (karimun.status, karimun.allocated_quantity) == (Status.FORWARDED, None)
    assert batam.events.last().note == "Menurut rencana alokasi."


def test_a_second_submit_allocates_nothing_more_and_says_why(client, three_waiting,
                                                             allocator):
    stock_central(allocator, 5_000)
    batam = three_waiting["batam"]
    client.force_login(allocator)
    post_plan(client, {batam: 700})
    client.get(PLAN_URL)  # the page after the redirect shows the first submit's messages
    again = post_plan(client, {batam: 700})  # the Back button, and the same form again
    assert messages_of(again) == [
        f"Permohonan {batam.number} dari Kota Batam sudah dialokasikan 700 blanko; tidak "
        "diubah."]
    batam.refresh_from_db()
    assert batam.allocated_quantity == 700
    assert batam.events.filter(to_status=Status.ALLOCATED).count() == 1


def test_a_form_asking_more_than_the_free_stock_allocates_nothing(client, three_waiting,
                                                                  allocator):
    """1,000 free; 800 + 300 asked: refused as a whole, before the first line is
    allocated, rather than Tanjungpinang's line refused after Batam's went through."""
    stock_central(allocator, 1_000)
    batam, tpi = three_waiting["batam"], three_waiting["tpi"]
    client.force_login(allocator)
    response = post_plan(client, {batam: 800, tpi: 300})
    assert response.status_code == 400
    alert = response.content.decode().split('data-testid="plan-errors">')[1].split("</div>")[0]
    assert alert == ("Belum ada yang dialokasikan: kurangi jumlahnya, lalu kirim "
                     "lagi. Jumlah yang akan dialokasikan (1.100) melebihi stok bebas gudang "
                     "pusat (1.000) sebanyak 100.")
    assert f'name="jumlah-{tpi.pk}" value="300"' in response.content.decode()
    assert not BlankRequest.objects.filter(status=Status.ALLOCATED).exists()


def test_a_line_beyond_what_its_request_asked_allocates_nothing(client, three_waiting,
                                                               allocator):
    stock_central(allocator, 5_000)
    batam, tpi = three_waiting["batam"], three_waiting["tpi"]
    client.force_login(allocator)
    response = post_plan(client, {batam: 700, tpi: 1_001})
    assert response.status_code == 400
    html = response.content.decode()
    error = html.split(f'id="err_jumlah-{tpi.pk}">')[1].split("</div>")[0]
    assert error == "Lebih dari yang diminta: isi 0 sampai 1.000."
    assert not BlankRequest.objects.filter(status=Status.ALLOCATED).exists()


def test_a_line_the_store_cannot_cover_any_more_is_refused_alone(client, three_waiting,
                                                                allocator, monkeypatch):
    """Another allocator's 500 lands between the form's check and its lines (the check
    is switched off here to stand for that moment): each allocation checks the store
    again under its lock, so Batam's 400 goes through and Tanjungpinang's 300 does not."""
    from layanan.supervision.views import planning as views

    monkeypatch.setattr(views, "_beyond_what_is_there", lambda quantities: ({}, ""))
    stock_central(allocator, 1_000)
    batam, tpi = three_waiting["batam"], three_waiting["tpi"]
    client.force_login(allocator)
    ledger.allocate_blanks(blank_request=three_waiting["karimun"], quantity=500,
                           by=allocator)
    shown = messages_of(post_plan(client, {batam: 400, tpi: 300}))
    assert shown[0].startswith(f"Permohonan {batam.number} dari Kota Batam dialokasikan 400")
    assert shown[1].startswith(f"Permohonan {tpi.number} dari Kota Tanjungpinang tidak "
                               "dialokasikan: Alokasi (300) melebihi stok bebas gudang pusat "
                               "(100)")
    tpi.refresh_from_db()
    assert tpi.status == Status.FORWARDED


def _form_fields(html: str) -> dict[str, list[str]]:
    """What the browser sends of the plan's form, as rendered (inputs and their values)."""
    fields: dict[str, list[str]] = {}
    form = html.split('id="rencana-alokasi"')[1].split("</form>")[0] if (
        'id="rencana-alokasi"' in html) else html
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form):
        fields.setdefault(name, []).append(value)
    return fields


def test_the_form_sends_back_plain_numbers_whatever_the_language_groups(
    client, three_waiting, karimun, allocator
):
    """Ids and quantities of 1,000 and more, as the page renders them and the browser
    sends them back: "1.234" in a number box would be read as 1 (id) or 1.234 (three)."""
    stock_central(allocator, 20_000)
    big = BlankRequest.objects.create(
        id=1_234, office=karimun, number="PB/2102/2026/1234", status=Status.FORWARDED,
        quantity=1_500, forwarded_quantity=1_500, submitted_on=today(), created_by=allocator)
    client.force_login(allocator)
    html = client.get(PLAN_URL).content.decode()
    row = html.split(f'data-testid="plan-{big.pk}"')[1].split("</tr>")[0]
    assert 'value="1234"' in row
    assert 'max="1500"' in row and 'value="1500"' in row
    fields = _form_fields(html)
    assert "1234" in fields["permohonan"]
    response = client.post(PLAN_URL, fields)
    assert response.status_code == 302
    big.refresh_from_db()
    batam = three_waiting["batam"]
    batam.refresh_from_db()
    assert (big.status, big.allocated_quantity) == (Status.ALLOCATED, 1_500)
    assert (batam.status, batam.allocated_quantity) == (Status.ALLOCATED, 2_000)


@pytest.mark.parametrize("typed", ["1.5", "12.34", "²", "1e3", "+5", "1.0000", " ",
                                   "1" * 5_000, "1" * 19])
def test_a_quantity_that_is_no_whole_number_is_refused_not_read_as_another(
    client, three_waiting, allocator, typed
):
    stock_central(allocator, 5_000)
    batam = three_waiting["batam"]
    client.force_login(allocator)
    response = post_plan(client, {batam: typed})
    assert response.status_code == 400
    # The line's own range (Batam asked for 2,000), as a line asking too much says.
    error = response.content.decode().split(f'id="err_jumlah-{batam.pk}">')[1]
    assert error.split("</div>")[0] == "Isi jumlah bulat dari 0 sampai 2.000."
    assert not BlankRequest.objects.filter(status=Status.ALLOCATED).exists()


def test_a_quantity_typed_with_thousands_dots_is_read_as_typed(client, three_waiting,
                                                               allocator):
    stock_central(allocator, 5_000)
    batam = three_waiting["batam"]
    client.force_login(allocator)
    assert post_plan(client, {batam: "1.200"}).status_code == 302
    batam.refresh_from_db()
    assert batam.allocated_quantity == 1_200


def test_a_decimal_on_a_line_says_the_lines_own_range(client, karimun, allocator):
    """"1.5" on a line that asked for 1,500 (the reviewer's case): 0 to 1,500, not the
    services' ceiling of 10,000,000."""
    stock_central(allocator, 5_000)
    big = BlankRequest.objects.create(
        office=karimun, number="PB/2102/2026/0099", status=Status.FORWARDED,
        quantity=1_500, forwarded_quantity=1_500, submitted_on=today(), created_by=allocator)
    client.force_login(allocator)
    response = post_plan(client, {big: "1.5"})
    assert response.status_code == 400
    error = response.content.decode().split(f'id="err_jumlah-{big.pk}">')[1]
    assert error.split("</div>")[0] == "Isi jumlah bulat dari 0 sampai 1.500."
    big.refresh_from_db()
    assert big.status == Status.FORWARDED


def test_each_request_number_links_to_its_allocation_page(client, three_waiting, karimun,
                                                          allocator):
    """The hint says to open the request's allocation page to refuse it: its number is
    the link, escaped like every text of the row."""
    stock_central(allocator, 5_000)
    odd = BlankRequest.objects.create(
        office=karimun, number='PB/<b>"&', status=Status.FORWARDED, quantity=100,
        forwarded_quantity=100, submitted_on=today(), created_by=allocator)
    client.force_login(allocator)
    html = client.get(PLAN_URL).content.decode()
    proposed = {line.request.pk: line.proposed for line in allocation_plan()}
    for blank_request in (*three_waiting.values(), odd):
        if blank_request.status != Status.FORWARDED:
            continue
        row = html.split(f'data-testid="plan-{blank_request.pk}"')[1].split("</tr>")[0]
        url = reverse("blanko:central_allocate", args=[blank_request.pk])
        link = f"{url}?jumlah={proposed[blank_request.pk]}"
        assert f'<a href="{link}" data-testid="allocate-{blank_request.pk}">' in row
    odd_row = html.split(f'data-testid="plan-{odd.pk}"')[1].split("</tr>")[0]
    assert ">PB/&lt;b&gt;&quot;&amp;</a>" in odd_row and "<b>" not in odd_row
    assert "(klik nomornya)" in html
    page = client.get(reverse("blanko:central_allocate", args=[odd.pk]))
    assert page.status_code == 200


def test_the_link_offers_the_plan_s_figure_not_the_whole_quantity_asked(
        client, three_waiting, allocator):
    """The store is short: following a number and saving at once allocated the whole
    request, more than the plan's share."""
    stock_central(allocator, 1_000)
    line = next(line for line in allocation_plan() if line.proposed < line.asked)
    client.force_login(allocator)
    url = reverse("blanko:central_allocate", args=[line.request.pk])
    page = client.get(f"{url}?jumlah={line.proposed}")
    assert page.context["form"]["quantity"].value() == line.proposed
    assert "Rencana alokasi nasional mengusulkan" in page.content.decode()
    for tampered in (str(line.asked + 1), "1" * 5_000, "-5", "abc"):
        page = client.get(f"{url}?jumlah={tampered}")
        assert page.context["form"]["quantity"].value() == line.asked
        assert "Rencana alokasi nasional mengusulkan" not in page.content.decode()


@pytest.mark.parametrize("pk", ["²", "9999999", "-1", "1.234", "9" * 19, "1" * 5_000])
def test_a_line_naming_no_request_is_skipped_with_a_word_never_a_500(
    client, three_waiting, allocator, pk
):
    stock_central(allocator, 5_000)
    tpi = three_waiting["tpi"]
    client.force_login(allocator)
    # Encoded as a browser posts the form (a 5,000-digit field name is too long a
    # multipart header for Django to read at all).
    body = urlencode({"permohonan": [pk, tpi.pk], f"jumlah-{pk}": "10",
                      f"jumlah-{tpi.pk}": "300"}, doseq=True)
    response = client.post(PLAN_URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    assert messages_of(response) == [
        f"Permohonan {tpi.number} dari Kota Tanjungpinang dialokasikan 300 dari 1.000 "
        "blanko yang diminta.",
        "1 baris tidak menunjuk permohonan yang ada dan dilewati; muat ulang halaman ini."]
    assert BlankRequest.objects.filter(status=Status.ALLOCATED).count() == 1


def test_a_bad_quantity_allocates_nothing_and_shows_the_form_again(client, three_waiting,
                                                                   allocator):
    stock_central(allocator, 5_000)
    batam, tpi = three_waiting["batam"], three_waiting["tpi"]
    client.force_login(allocator)
    response = post_plan(client, {batam: 700, tpi: "-5"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Isi jumlah bulat dari 0 sampai 1.000." in html  # what Tanjungpinang asked
    assert "10.000.000" not in html
    assert f'name="jumlah-{tpi.pk}" value="-5"' in html
    assert f'name="jumlah-{batam.pk}" value="700"' in html
    assert not BlankRequest.objects.filter(status=Status.ALLOCATED).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_the_national_allocator_may_see_or_carry_out_the_plan(
    client, method, three_waiting, coordinator, supervisor, viewer, region_viewer, allocator
):
    stock_central(allocator, 5_000)
    for user in (coordinator, supervisor, viewer, region_viewer):
        client.force_login(user)
        response = getattr(client, method)(PLAN_URL, {
            "permohonan": three_waiting["batam"].pk, f"jumlah-{three_waiting['batam'].pk}": 5})
        assert response.status_code == 403, user.username
    assert not BlankRequest.objects.filter(status=Status.ALLOCATED).exists()
    client.logout()
    assert client.get(PLAN_URL).status_code == 302  # to the sign-in page
