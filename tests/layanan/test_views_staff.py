"""Counter staff pages through the test client: registration, queue, list, detail, actions."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blanko import access
from layanan import rules, services
from layanan.models import AccessLog, CardPrint, ServiceRequest, Suket
from layanan.nik import mask_nik
from layanan.views.staff import PAGE_SIZE
from tests.factories import make_user
from tests.helpers import noon, today
from tests.layanan.helpers import (
    adult_nik,
    born_years_ago,
    make_nik,
    snapshot,
    stock_of,
    submit,
    verified,
)

Kind = ServiceRequest.Kind
Status = ServiceRequest.Status

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def url(name: str, office, **kwargs) -> str:
    return reverse(f"layanan:{name}", kwargs={"code": office.code, **kwargs})


def action_url(request: ServiceRequest, action: str) -> str:
    return reverse("layanan:action", kwargs={"code": request.office.code, "pk": request.pk,
                                             "action": action})


def text(response) -> str:
    return response.content.decode()


def rows(response) -> list[str]:
    """The registration numbers linked from a table, in page order."""
    return re.findall(r'<a href="/kantor/\d+/layanan/\d+/">([^<]+)</a>', text(response))


@pytest.fixture
def staff(client, operator):
    client.force_login(operator)
    return client


def counter_form(**overrides) -> dict:
    data = {
        "key": "f" * 32, "nik": adult_nik(), "full_name": "Budi Santoso", "kind": Kind.DAMAGED,
        "kk_number": "", "phone": "0812 3456 7890", "email": "", "police_report_number": "",
    }
    data.update(overrides)
    return data


# Login and office scope


@pytest.mark.parametrize("name", ["list", "register", "queue"])
def test_anonymous_is_sent_to_the_login_page(client, office, name):
    response = client.get(url(name, office))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_cannot_see_or_act_on_a_request(client, office, operator):
    request = submit(office, operator)
    response = client.get(url("detail", office, pk=request.pk))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    before = snapshot()
    response = client.post(action_url(request, "reject"), {"reason": "x"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert snapshot() == before


@pytest.mark.parametrize("name", ["list", "register", "queue"])
def test_another_offices_pages_give_404(staff, other_office, name):
    assert staff.get(url(name, other_office)).status_code == 404


def test_another_offices_request_gives_404_under_either_code(staff, office, other_office,
                                                             other_operator):
    request = submit(other_office, other_operator)
    assert staff.get(url("detail", office, pk=request.pk)).status_code == 404
    assert staff.get(url("detail", other_office, pk=request.pk)).status_code == 404
    before = snapshot()
    for code in (office, other_office):
        response = staff.post(reverse("layanan:action", kwargs={
            "code": code.code, "pk": request.pk, "action": "reject"}), {"reason": "x"})
        assert response.status_code == 404
    assert snapshot() == before


def test_an_unknown_office_code_gives_404(staff):
    assert staff.get("/kantor/9999/layanan/").status_code == 404
    assert staff.get("/kantor/<b>/layanan/antrean/").status_code == 404


@pytest.mark.parametrize("name", ["list", "register", "queue"])
def test_a_viewer_cannot_open_service_request_pages(client, office, viewer, name):
    client.force_login(viewer)
    assert client.get(url(name, office)).status_code == 403


def test_a_viewer_cannot_open_or_process_a_request(client, office, operator, viewer):
    request = submit(office, operator)
    client.force_login(viewer)
    assert client.get(url("detail", office, pk=request.pk)).status_code == 403
    before = snapshot()
    assert client.post(action_url(request, "reject"), {"reason": "x"}).status_code == 403
    assert client.post(url("register", office), counter_form()).status_code == 403
    assert snapshot() == before


def test_an_administrator_sees_the_queue_but_cannot_print(client, office, operator,
                                                          administrator, give_stock):
    give_stock(office, 3)
    request = verified(office, operator)
    client.force_login(administrator)
    response = client.get(url("queue", office))
    assert response.status_code == 200
    assert "Siap cetak" in text(response)
    assert action_url(request, "print") not in text(response)
    assert client.get(url("detail", office, pk=request.pk)).status_code == 403
    assert client.post(action_url(request, "print"), {"key": "k"}).status_code == 403
    assert stock_of(office) == 3


def test_an_operator_gets_a_print_button_for_a_printable_row(staff, office, operator,
                                                             give_stock):
    give_stock(office, 3)
    request = verified(office, operator)
    body = text(staff.get(url("queue", office)))
    assert action_url(request, "print") in body


# Counter registration


def test_the_counter_form_registers_a_request_and_opens_it(staff, office, operator):
    response = staff.get(url("register", office))
    assert response.status_code == 200
    assert 'name="nik"' in text(response)
    data = counter_form()
    response = staff.post(url("register", office), data)
    created = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response.url == url("detail", office, pk=created.pk)
    assert (created.nik, created.channel, created.created_by, created.office) == (
        data["nik"], ServiceRequest.Channel.COUNTER, operator, office)
    assert created.phone == "081234567890"
    page = text(staff.get(response.url))
    assert f"Permohonan {created.registration_number} terdaftar." in page


def test_a_resubmitted_counter_form_registers_one_request(staff, office):
    data = counter_form()
    first = staff.post(url("register", office), data)
    again = staff.post(url("register", office), data)
    assert ServiceRequest.objects.count() == 1
    assert first.url == again.url


@pytest.mark.parametrize("field, value, message", [
    ("nik", "217201010190001", "NIK harus 16 digit (yang diisi 15 digit)."),
    ("nik", "21720101019000011", "NIK harus 16 digit (yang diisi 17 digit)."),
    ("nik", "21720101019000AB", "NIK hanya boleh berisi angka 0-9."),
    ("nik", "217201010190000٢", "NIK hanya boleh berisi angka 0-9."),
    ("nik", "0000000000000000", "NIK tidak boleh semuanya nol."),
    ("nik", "2172013002900001", "Tanggal lahir dalam NIK (digit 7-12) tidak valid."),
    ("full_name", "   ", "Bidang ini tidak boleh kosong."),
    ("full_name", "A" * 201, "Nama lengkap terlalu panjang (maksimal 200 karakter)."),
    ("phone", "abc", "Nomor HP tidak valid."),
    ("phone", "123", "Nomor HP tidak valid."),
    ("phone", "+1 555 0100", "Nomor HP tidak valid."),
    ("email", "budi@", "Alamat email tidak valid."),
    ("kind", Kind.LOST, "wajib menyertakan nomor surat kehilangan dari kepolisian"),
])
def test_the_counter_form_shows_a_clear_message_and_stores_nothing(staff, office, field, value,
                                                                   message):
    before = snapshot()
    response = staff.post(url("register", office), counter_form(**{field: value}))
    assert response.status_code == 200
    assert message in text(response)
    assert snapshot() == before


def test_the_counter_form_refuses_a_second_open_request_for_the_nik(staff, office, operator):
    nik = adult_nik()
    first = submit(office, operator, nik=nik)
    before = snapshot()
    response = staff.post(url("register", office), counter_form(nik=nik))
    assert ("Masih ada permohonan terbuka untuk NIK ini dengan jenis yang sama: "
            f"{first.registration_number} (Kota Tanjungpinang).") in text(response)
    assert snapshot() == before
    # Ticking the box does not cancel a counter request.
    response = staff.post(url("register", office), counter_form(nik=nik, supersede_online="on"))
    assert response.status_code == 200 and snapshot() == before


def test_the_counter_serves_the_person_although_a_stranger_applied_online_first(
        staff, office, operator):
    squat = submit(office, None, full_name="Penyerobot")
    data = counter_form(nik=squat.nik)
    before = snapshot()
    response = staff.post(url("register", office), data)
    body = text(response)
    assert response.status_code == 200 and snapshot() == before
    assert f"{squat.registration_number} (Kota Tanjungpinang)" in body
    assert "Permohonan daring itu belum diverifikasi" in body
    assert 'name="supersede_online"' in body
    response = staff.post(url("register", office), {**data, "supersede_online": "on"})
    real = ServiceRequest.objects.get(nik=squat.nik, channel=ServiceRequest.Channel.COUNTER)
    assert response.status_code == 302 and response.url == url("detail", office, pk=real.pk)
    squat.refresh_from_db()
    assert squat.status == Status.CANCELLED and real.status == Status.SUBMITTED


def test_a_counter_form_key_reused_with_other_data_gets_a_fresh_key(staff, office):
    data = counter_form()
    staff.post(url("register", office), data)
    before = snapshot()
    response = staff.post(url("register", office), {**data, "nik": adult_nik()})
    assert "Formulir ini sudah pernah dikirim dengan data yang berbeda." in text(response)
    assert snapshot() == before
    assert f'value="{data["key"]}"' not in text(response)


# What the NIK asks staff to check: an unknown region code, a century in doubt


def nik_warning(body: str) -> list[str]:
    """The text of the alert next to the NIK on the detail page (none: [])."""
    found = re.findall(r'data-testid="nik-warning">(.*?)</div>', body, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", alert).split()) for alert in found]


def flashed_warnings(body: str) -> list[str]:
    return re.findall(r'<div class="alert alert-warning" role="alert">([^<]*)</div>', body)


UNKNOWN_REGION = ("Kode wilayah 99.99.01 tidak ada dalam daftar wilayah terbaru; periksa "
                  "kembali (NIK lama dapat memakai kode sebelum pemekaran).")


def test_registering_a_nik_with_an_unknown_region_warns_the_operator_and_registers(
        staff, office):
    nik = make_nik(born_years_ago(30, days=40), region="999901")
    response = staff.post(url("register", office), counter_form(nik=nik), follow=True)
    created = ServiceRequest.objects.get()
    assert created.nik == nik and created.status == Status.SUBMITTED
    body = text(response)
    # Beside the NIK on the detail page, never in a flash message: Django keeps those
    # in a cookie the browser can read, and the warning quotes part of the NIK.
    assert flashed_warnings(body) == []
    assert UNKNOWN_REGION not in "".join(m.message for m in response.context["messages"])
    assert nik_warning(body) == [f"Periksa NIK: {UNKNOWN_REGION}"]
    assert 'aria-describedby="peringatan-nik"' in body and 'id="peringatan-nik"' in body
    body = text(staff.get(url("detail", office, pk=created.pk)))
    assert flashed_warnings(body) == []
    assert nik_warning(body) == [f"Periksa NIK: {UNKNOWN_REGION}"]


def test_a_nik_read_as_100_or_older_warns_the_operator_with_both_readings(staff, office,
                                                                          operator):
    born = rules.add_years(today(), -105)  # 5 years old in the other reading
    response = staff.post(url("register", office), counter_form(nik=make_nik(born)),
                          follow=True)
    warning = (f"Tanggal lahir dalam NIK dibaca {born:%d-%m-%Y} (usia 105 tahun), bukan "
               f"{rules.add_years(born, 100):%d-%m-%Y} (usia 5 tahun). Pastikan NIK ini "
               "milik pemohon.")
    assert flashed_warnings(text(response)) == []
    assert nik_warning(text(response)) == [f"Periksa NIK: {warning}"]
    assert ServiceRequest.objects.get().birth_date == born


def test_a_nik_with_nothing_to_check_shows_no_warning(staff, office):
    response = staff.post(url("register", office), counter_form(), follow=True)
    body = text(response)
    assert "terdaftar." in body
    assert flashed_warnings(body) == [] and nik_warning(body) == []
    assert "aria-describedby=\"peringatan-nik\"" not in body


def test_the_nik_warning_is_for_staff_never_for_the_online_applicant(staff, office):
    nik = make_nik(born_years_ago(30, days=40), region="999901")
    response = Client().post(reverse("layanan:online_submit"), {
        "key": "0" * 32, "office": office.pk, "nik": nik, "full_name": "Siti Lestari",
        "kind": Kind.DAMAGED, "kk_number": "", "phone": "", "email": "",
        "police_report_number": "", "website": "",
    }, follow=True)
    created = ServiceRequest.objects.get()
    assert created.registration_number in text(response)
    assert "Kode wilayah" not in text(response) and "Periksa NIK" not in text(response)
    body = text(staff.get(url("detail", office, pk=created.pk)))
    assert nik_warning(body) == [f"Periksa NIK: {UNKNOWN_REGION}"]


def test_staff_see_a_flagged_duplicate_in_the_list_and_the_detail(staff, office, operator):
    first = submit(office, operator)
    duplicate = submit(office, None, nik=first.nik, full_name="Orang Lain")
    plain = submit(office, None)
    body = text(staff.get(url("list", office)))
    flags = re.findall(r'<a href="/kantor/\d+/layanan/(\d+)/">[^<]+</a>\s*'
                       r'<span class="badge[^"]*" data-testid="flagged"', body)
    assert flags == [str(duplicate.pk)], body
    body = text(staff.get(url("detail", office, pk=duplicate.pk)))
    assert 'data-testid="flag"' in body
    assert first.registration_number in body
    assert url("detail", office, pk=first.pk) in body
    assert 'data-testid="flag"' not in text(staff.get(url("detail", office, pk=plain.pk)))
    response = staff.post(action_url(duplicate, "verify"),
                          {"documents": ["kk", "damaged_card"]}, follow=True)
    assert "Masih ada permohonan terbuka lain untuk NIK ini" in text(response)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.SUBMITTED


def test_a_cancelled_duplicate_no_longer_asks_staff_to_check_both(staff, office, operator):
    first = submit(office, operator)
    duplicate = submit(office, None, nik=first.nik, full_name="Orang Lain")
    services.cancel_request(request=duplicate, by=operator)
    body = text(staff.get(url("detail", office, pk=duplicate.pk)))
    assert 'data-testid="flag"' in body and first.registration_number in body
    assert "Periksa keduanya" not in body


# The print queue


def test_the_queue_lists_verified_requests_in_serving_order(staff, office, operator, give_stock):
    give_stock(office, 10)
    tier4 = verified(office, operator)
    tier2 = verified(office, operator, disaster_victim=True)
    tier1 = verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(20)))
    tier3 = verified(office, operator, replaces_suket=True)
    submit(office, operator)  # not verified: not in the queue
    response = staff.get(url("queue", office))
    assert rows(response) == [r.registration_number for r in (tier1, tier2, tier3, tier4)]
    assert 'data-testid="queue-stock">10<' in text(response)


def test_the_queue_says_why_a_row_cannot_print_now(staff, office, operator, give_stock):
    give_stock(office, 1)
    young = verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(17, days=-12)))
    first_timer = verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(20)))
    tier4 = verified(office, operator)
    body = text(staff.get(url("queue", office)))
    birthday = today() + datetime.timedelta(days=12)
    assert "Belum 17 tahun" in body
    assert f"dapat dicetak mulai {birthday:%d-%m-%Y}" in body
    assert "Dicadangkan" in body
    assert "stok 1, 1 pemohon prioritas lebih tinggi menunggu" in body
    assert action_url(first_timer, "print") in body
    assert action_url(tier4, "print") not in body
    assert action_url(young, "print") not in body


def test_the_queue_says_when_the_stock_is_empty(staff, office, operator):
    request = verified(office, operator)
    body = text(staff.get(url("queue", office)))
    assert "Stok habis" in body and "Stok blanko habis." in body
    assert action_url(request, "print") not in body


def test_the_queue_and_the_list_show_the_masked_nik_never_the_full_one(staff, office, operator):
    requests = [verified(office, operator) for _ in range(3)]
    for name in ("queue", "list"):
        body = text(staff.get(url(name, office)))
        for request in requests:
            assert mask_nik(request.nik) in body
            assert request.nik not in body
            assert request.nik[4:12] not in body


# The request list: search and pagination


def test_search_by_registration_number_nik_and_name(staff, office, operator):
    siti = submit(office, operator, full_name="Siti Rahmawati")
    budi = submit(office, operator, full_name="Budi Santoso")
    for query in (siti.registration_number, siti.nik, f"{siti.nik[:8]} {siti.nik[8:]}", "rahma"):
        response = staff.post(url("list", office), follow=True, data={"q": query})
        assert rows(response) == [siti.registration_number], query
    assert rows(staff.post(url("list", office), follow=True, data={"q": "santoso"})) == [
        budi.registration_number]
    assert rows(staff.post(url("list", office), follow=True, data={"q": "tidak ada"})) == []


def test_the_list_filters_by_status(staff, office, operator):
    open_one = submit(office, operator)
    closed = submit(office, operator)
    services.cancel_request(request=closed, by=operator)
    response = staff.get(url("list", office), {"status": "cancelled"})
    assert rows(response) == [closed.registration_number]
    response = staff.get(url("list", office), {"status": "nonsense"})
    assert set(rows(response)) == {open_one.registration_number, closed.registration_number}


def test_the_list_is_paginated(staff, office, operator):
    for _ in range(PAGE_SIZE + 5):
        submit(office, operator)
    first = staff.get(url("list", office))
    assert len(rows(first)) == PAGE_SIZE
    assert "Halaman 1 dari 2" in text(first)
    second = staff.get(url("list", office), {"page": 2})
    assert len(rows(second)) == 5
    assert not set(rows(first)) & set(rows(second))
    for page in ("abc", "-1", "999", "1e9", "２"):
        assert staff.get(url("list", office), {"page": page}).status_code == 200


def test_pagination_keeps_the_search(staff, office, operator):
    """The search is posted, so its pages are buttons of a form that posts it again."""
    for _ in range(PAGE_SIZE + 1):
        submit(office, operator, full_name="Nur Hidayat")
    body = text(staff.post(url("list", office), follow=True,
                           data={"q": "Nur", "status": "submitted"}))
    assert 'name="q" value="Nur"' in body and 'name="status" value="submitted"' in body
    assert 'name="page" value="2"' in body
    assert "?status=submitted&amp;page=2" in text(staff.get(url("list", office),
                                                            {"status": "submitted"}))


# Detail: the whole NIK, and an access-log row for every look


def test_the_detail_shows_the_full_nik_and_logs_every_view(staff, office, operator,
                                                          second_operator, client):
    request = submit(office, operator)
    response = staff.get(url("detail", office, pk=request.pk))
    assert response.status_code == 200
    assert f'data-testid="nik">{request.nik}<' in text(response)
    staff.get(url("detail", office, pk=request.pk))
    client.force_login(second_operator)
    client.get(url("detail", office, pk=request.pk))
    logs = list(AccessLog.objects.order_by("id").values_list("user", "nik", "request",
                                                              "office", "action"))
    assert logs == [
        (operator.pk, request.nik, request.pk, office.pk, AccessLog.Action.VIEW),
        (operator.pk, request.nik, request.pk, office.pk, AccessLog.Action.VIEW),
        (second_operator.pk, request.nik, request.pk, office.pk, AccessLog.Action.VIEW),
    ]


def test_a_refused_detail_view_logs_nothing(client, office, operator, other_operator):
    request = submit(office, operator)
    client.force_login(other_operator)
    client.get(url("detail", office, pk=request.pk))
    assert not AccessLog.objects.exists()


# HTML in any field is text


def test_html_in_a_name_is_escaped_on_the_list_queue_and_detail(staff, office, operator):
    request = verified(office, operator, kind=Kind.LOST, police_report_number=f"STPL {SCRIPT}")
    # Markup is no longer a name (a stored one may predate the rule, or come by import).
    ServiceRequest.objects.update(full_name=SCRIPT)
    for page in (url("list", office), url("queue", office), url("detail", office, pk=request.pk)):
        body = text(staff.get(page))
        assert ESCAPED in body, page
        assert "<script>alert" not in body, page


def test_html_in_a_rejection_reason_is_escaped(staff, office, operator):
    request = submit(office, operator)
    staff.post(action_url(request, "reject"), {"reason": SCRIPT})
    body = text(staff.get(url("detail", office, pk=request.pk)))
    assert ESCAPED in body and "<script>alert" not in body


def test_markup_typed_into_the_counter_form_as_a_name_is_refused_and_shown_escaped(staff,
                                                                                 office):
    response = staff.post(url("register", office), counter_form(full_name=SCRIPT))
    assert not ServiceRequest.objects.exists()
    body = text(response)
    assert "Nama lengkap hanya boleh berisi huruf" in body
    assert ESCAPED in body and "<script>alert" not in body


# Actions


def test_verify_print_and_deliver_through_the_pages(staff, office, operator, give_stock):
    give_stock(office, 2)
    request = submit(office, operator, kind=Kind.DAMAGED)
    response = staff.post(action_url(request, "verify"), {
        "documents": ["kk", "damaged_card"], "biometrics_recorded": "on", "note": "ok"})
    assert response.status_code == 302 and response.url == url("detail", office, pk=request.pk)
    request.refresh_from_db()
    assert request.status == Status.VERIFIED and request.biometrics_recorded
    response = staff.post(action_url(request, "print"), {"key": "k1", "next": "queue"})
    assert response.url == url("queue", office)
    response = staff.post(action_url(request, "deliver"), follow=True)
    assert "KTP-el telah diserahkan." in text(response)
    request.refresh_from_db()
    assert request.status == Status.DELIVERED
    assert stock_of(office) == 1


def test_a_double_click_on_print_takes_one_blank(staff, office, operator, give_stock):
    give_stock(office, 5)
    request = verified(office, operator)
    key = re.search(r'name="key" value="([0-9a-f]+)"',
                    text(staff.get(url("detail", office, pk=request.pk)))).group(1)
    for _ in range(2):
        response = staff.post(action_url(request, "print"), {"key": key}, follow=True)
        assert (f"KTP-el {request.registration_number} dicetak; satu blanko keluar dari "
                "stok.") in text(response)
    assert stock_of(office) == 4
    assert CardPrint.objects.count() == 1


def test_a_refused_action_shows_its_message_and_writes_nothing(staff, office, operator):
    request = verified(office, operator)
    before = snapshot()
    response = staff.post(action_url(request, "print"), {"key": "k"}, follow=True)
    assert "Stok blanko habis." in text(response)
    response = staff.post(action_url(request, "reject"), {"reason": "  "}, follow=True)
    assert "Alasan penolakan wajib diisi." in text(response)
    response = staff.post(action_url(request, "deliver"), {}, follow=True)
    assert "status permohonan" in text(response) and "adalah Terverifikasi" in text(response)
    after = snapshot()
    assert after.pop("access_logs") > before.pop("access_logs")  # the detail pages viewed
    assert after == before


def test_a_ruined_print_and_a_suket_through_the_pages(staff, office, operator, give_stock):
    give_stock(office, 1)
    request = verified(office, operator)
    response = staff.post(action_url(request, "spoil"), {"key": "s1", "cause": "encode_failed"},
                          follow=True)
    assert "Cetak rusak dicatat" in text(response)
    assert stock_of(office) == 0
    response = staff.post(action_url(request, "suket"), follow=True)
    suket = Suket.objects.get()
    assert f"Suket {suket.number} diterbitkan." in text(response)


def test_the_detail_tells_a_renewed_suket_from_one_replaced_by_the_card(staff, office, operator,
                                                                         give_stock):
    request = verified(office, operator)
    first = services.issue_suket(request=request, by=operator,
                                 at=noon(today() - datetime.timedelta(days=200)))
    second = services.issue_suket(request=request, by=operator)
    give_stock(office, 1)
    services.print_card(request=request, by=operator)
    body = text(staff.get(url("detail", office, pk=request.pk)))
    assert re.search(rf"{re.escape(first.number)} [^<]* · diganti suket baru</li>", body)
    assert re.search(rf"{re.escape(second.number)} [^<]* · diganti KTP-el</li>", body)


@pytest.mark.parametrize("action", ["unknown", "delete", "print2", "x" * 200])
def test_an_unknown_action_changes_nothing_and_is_not_a_server_error(staff, office, operator,
                                                                     action):
    request = verified(office, operator)
    before = snapshot()
    response = staff.post(f"/kantor/{office.code}/layanan/{request.pk}/{action}/", {"a": "b"})
    assert response.status_code in (403, 404)
    assert snapshot() == before


@pytest.mark.parametrize("path", [
    "/kantor/2172/layanan/abc/", "/kantor/2172/layanan/-1/", "/kantor/2172/layanan/1.5/",
    "/kantor/2172/layanan/99999999999999999999999/", "/kantor/2172/layanan/abc/print/",
    "/kantor/2172/layanan/0/print/",
])
def test_a_non_integer_or_unknown_pk_gives_404(staff, office, path):
    # A GET of an action goes to the request's page (blanko.views.post_only): none here.
    assert staff.get(path, follow=True).status_code == 404
    assert staff.post(path, {"key": "k"}).status_code in (404, 405)


def test_a_print_sent_after_the_session_expired_prints_nothing_and_lands_on_the_request(
    client, office, operator, give_stock
):
    """Signing in again follows `next`, the action's address, by a GET: it used to end
    on a bare 405."""
    give_stock(office, 5)
    request = verified(office, operator)
    response = client.post(action_url(request, "print"), {"key": "k" * 32, "next": "queue"})
    login = response["Location"]
    assert login.startswith(reverse("login")) and "next=" in login
    client.force_login(operator)
    landed = client.get(action_url(request, "print"), follow=True)
    assert landed.redirect_chain[-1][0] == url("detail", office, pk=request.pk)
    assert "Tidak ada yang dilakukan: formulirnya belum terkirim" in text(landed)
    request.refresh_from_db()
    assert request.status == Status.VERIFIED and stock_of(office) == 5
    assert client.put(action_url(request, "print")).status_code == 405


GARBAGE = [
    {},
    {"key": "k" * 5000, "reason": "x" * 100_000, "cause": "x" * 1000, "note": "y" * 10_000},
    {"key": "\x00", "reason": "\x00\x01", "cause": "\x00", "documents": ["\x00", "zzz"],
     "biometrics_recorded": "\x00", "note": "\x00"},
    {"key": "😀" * 50, "reason": "ربما 😀 ﷽ \u202e", "cause": "تالف", "documents": "kk",
     "next": "//evil.example.com"},
    {"key": ["a", "b"], "reason": ["x", "y"], "cause": ["damaged", "invalid"]},
]
ACTIONS = ["verify", "print", "spoil", "deliver", "reject", "cancel", "suket"]


@pytest.mark.parametrize("data", GARBAGE)
@pytest.mark.parametrize("state", ["submitted", "verified"])
def test_garbage_posted_to_every_action_is_never_a_server_error(staff, office, operator,
                                                                 give_stock, data, state):
    give_stock(office, 5)
    request = submit(office, operator) if state == "submitted" else verified(office, operator)
    for action in ACTIONS:
        response = staff.post(action_url(request, action), data)
        assert response.status_code < 500, action
        if response.status_code == 302:
            assert response.url.startswith("/kantor/2172/")


@pytest.mark.parametrize("data", [
    {},
    {"key": "", "nik": "", "full_name": "", "kind": ""},
    {"key": "k" * 1000, "nik": "9" * 10_000, "full_name": "Ж" * 100_000, "kind": "new" * 50,
     "phone": "0" * 1000, "email": "@" * 1000, "kk_number": "x" * 1000,
     "police_report_number": "p" * 1000, "married": "maybe"},
    {"key": "\x00", "nik": "2172\x00010101900001", "full_name": "Budi\x00", "kind": "lost",
     "phone": "\x00", "email": "\x00@x.id", "police_report_number": "\x00"},
    {"key": "k", "nik": "٢١٧٢٠١٠١٠١٩٠٠٠٠١", "full_name": "😀 ﷽ \u202e", "kind": "damaged",
     "phone": "+62 ８１２ ３４５６ ７８９０", "email": "ü@ü.ü"},
    {"key": ["a", "b"], "nik": ["2172010101900001", "x"], "full_name": ["a", "b"],
     "kind": ["new", "lost"]},
])
def test_garbage_posted_to_the_counter_form_is_never_a_server_error(staff, office, data):
    before = snapshot()
    response = staff.post(url("register", office), data)
    assert response.status_code == 200
    assert snapshot() == before


@pytest.mark.parametrize("query", [
    "\x00", "x" * 5000, "😀", "'; DROP TABLE layanan_servicerequest; --", "%", "_", "\\",
    "2172-261127-0001", "٢١٧٢٠١٠١٠١٩٠٠٠٠١",
])
def test_any_search_text_is_never_a_server_error(staff, office, operator, query):
    submit(office, operator)
    for send in (staff.get, staff.post):
        assert send(url("list", office), {"q": query, "status": query, "page": query},
                    follow=True).status_code == 200


# A fixed number of queries, whatever the number of rows


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_queue_page_runs_the_same_queries_for_5_and_50_rows(staff, office, operator,
                                                                 give_stock):
    give_stock(office, 3)
    for n in range(5):
        verified(office, operator, disaster_victim=n % 2 == 0)
    staff.get(url("queue", office))  # warm the session and the permission cache
    few = queries_for(staff, url("queue", office))
    for n in range(45):
        verified(office, operator, disaster_victim=n % 3 == 0, replaces_suket=n % 5 == 0)
    many = queries_for(staff, url("queue", office))
    assert len(rows(staff.get(url("queue", office)))) == PAGE_SIZE
    assert few == many


def test_the_request_list_runs_the_same_queries_for_5_and_50_rows(staff, office, operator):
    for _ in range(5):
        submit(office, operator)
    staff.get(url("list", office))
    few = queries_for(staff, url("list", office))
    for n in range(45):
        submit(office, None if n % 2 else operator)
    many = queries_for(staff, url("list", office))
    assert few == many


def test_a_supervisor_of_the_office_may_register_and_process(client, office, supervisor,
                                                             give_stock):
    give_stock(office, 1)
    client.force_login(supervisor)
    client.post(url("register", office), counter_form())
    request = ServiceRequest.objects.get()
    client.post(action_url(request, "verify"), {"documents": ["kk", "damaged_card"]})
    client.post(action_url(request, "print"), {"key": "k"})
    request.refresh_from_db()
    assert request.status == Status.PRINTED


def test_a_regional_viewer_cannot_open_service_request_pages(client, office):
    viewer = make_user(access.VIEWER, None, office__region="21")
    client.force_login(viewer)
    assert client.get(url("list", office)).status_code == 403
