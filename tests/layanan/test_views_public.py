"""Citizen pages without a login: online submission, status check, public stock."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from layanan import services
from layanan.models import ServiceRequest
from tests.layanan.helpers import adult_nik, born_years_ago, make_nik, snapshot, submit, verified

Kind = ServiceRequest.Kind
Status = ServiceRequest.Status

pytestmark = pytest.mark.django_db

ONLINE = reverse("layanan:online_submit")
DONE = reverse("layanan:online_done")
STATUS = reverse("layanan:status_check")
STOCK = reverse("layanan:public_stock")
SCRIPT = "<script>alert(1)</script>"
NOT_FOUND = "Data tidak ditemukan. Periksa nomor registrasi dan 4 digit terakhir NIK."
RATE_LIMITED = "Terlalu banyak percobaan"


def text(response) -> str:
    return response.content.decode()


def online_form(office, **overrides) -> dict:
    data = {
        "key": "0" * 32, "office": office.pk, "nik": adult_nik(), "full_name": "Siti Lestari",
        "kind": Kind.DAMAGED, "kk_number": "", "phone": "", "email": "",
        "police_report_number": "", "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def limits(settings):
    """Small rate limits, so that tests reach them quickly."""

    def _set(scope: str, limit: int):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, scope: (limit, 600)}

    return _set


# Online submission


def test_the_online_form_needs_no_login(client, office):
    response = client.get(ONLINE)
    assert response.status_code == 200
    assert 'name="nik"' in text(response) and 'name="website"' in text(response)


def test_an_online_submission_returns_the_registration_number(client, office):
    data = online_form(office, phone="+62 812 3456 7890")
    response = client.post(ONLINE, data)
    assert response.status_code == 302 and response.url == DONE
    created = ServiceRequest.objects.get()
    assert (created.channel, created.created_by, created.nik, created.phone) == (
        ServiceRequest.Channel.ONLINE, None, data["nik"], "081234567890")
    response = client.get(DONE)
    assert f'data-testid="registration-number">{created.registration_number}<' in text(response)
    assert created.events.get().by is None


def test_the_done_page_without_a_submission_sends_back_to_the_form(client):
    response = client.get(DONE)
    assert response.status_code == 302 and response.url == ONLINE


def test_a_resubmitted_online_form_stores_one_request(client, office):
    data = online_form(office)
    client.post(ONLINE, data)
    response = client.post(ONLINE, data)
    assert response.status_code == 302
    assert ServiceRequest.objects.count() == 1


def anonymised(response, number: str, last4: str) -> str:
    """A page with what the stranger typed, the form key and the CSRF token blanked."""
    body = text(response).replace(number, "NOMOR").replace(f'value="{last4}"', "NIK4")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)
    return re.sub(r'name="key" value="[^"]+"', "KEY", body)


def submit_and_check(client, data) -> list:
    """What a stranger sees: the answer to the form, the done page, the status check."""
    answer = client.post(ONLINE, data)
    done = client.get(DONE)
    number = re.search(r'data-testid="registration-number">([^<]+)<', text(done)).group(1)
    status = client.post(STATUS, {"registration_number": number, "nik_last4": data["nik"][-4:]})
    return [
        (r.status_code, r.get("Location"), [t.name for t in r.templates if t.name],
         anonymised(r, number, data["nik"][-4:]))
        for r in (answer, done, status)
    ], number


def test_the_online_form_answers_the_same_whether_or_not_the_nik_has_an_open_request(
        client, office, other_office, operator, limits):
    limits("online_submit", 100)
    limits("status_check", 100)
    taken = submit(other_office, None, kind=Kind.DAMAGED).nik  # open, in another office
    fresh_view, fresh_number = submit_and_check(client, online_form(office, key="a" * 32))
    taken_view, taken_number = submit_and_check(client, online_form(office, key="b" * 32,
                                                                    nik=taken))
    assert taken_view == fresh_view
    assert re.fullmatch(r"2172-\d{6}-\d{4}", taken_number)
    assert "Masih ada permohonan terbuka" not in str(taken_view)
    flagged = ServiceRequest.objects.get(registration_number=taken_number)
    assert flagged.is_flagged and flagged.duplicate_of.nik == taken
    assert not ServiceRequest.objects.get(registration_number=fresh_number).is_flagged
    # Rejected by staff later, it still tells the stranger nothing about the other request.
    services.reject_request(request=flagged, by=operator, reason="Ganda dengan permohonan lain")
    body = text(check(client, taken_number, taken[-4:]))
    assert "Status: Ditolak" in body and "Ganda" not in body
    assert ServiceRequest.objects.get(nik=taken, office=other_office).registration_number \
        not in body


def test_a_form_key_reused_with_other_data_is_refused_and_a_fresh_key_is_given(client, office):
    data = online_form(office)
    client.post(ONLINE, data)
    before = snapshot()
    response = client.post(ONLINE, {**data, "nik": adult_nik()})
    assert response.status_code == 200
    assert "Formulir ini sudah pernah dikirim dengan data yang berbeda." in text(response)
    assert snapshot() == before
    key = re.search(r'name="key" value="([^"]+)"', text(response)).group(1)
    assert key != data["key"]
    again = client.post(ONLINE, {**data, "nik": adult_nik(), "key": key})
    assert again.status_code == 302 and ServiceRequest.objects.count() == 2


@pytest.mark.parametrize("name", ["\u200b\u200b", "\u202e\u2066", "\u0085\u009b"])
def test_the_online_form_refuses_an_invisible_name(client, office, name):
    before = snapshot()
    response = client.post(ONLINE, online_form(office, full_name=name))
    assert response.status_code == 200 and 'class="invalid-feedback' in text(response)
    assert snapshot() == before


@pytest.mark.parametrize("field, value, message", [
    ("nik", "217201010190001", "NIK harus 16 digit (yang diisi 15 digit)."),
    ("nik", "21720101019000011", "NIK harus 16 digit (yang diisi 17 digit)."),
    ("nik", "2172010101900O01", "NIK hanya boleh berisi angka 0-9."),
    ("nik", "２１７２０１０１０１９０００１", "NIK hanya boleh berisi angka 0-9."),
    ("nik", "0000 0000 0000 0000", "NIK tidak boleh semuanya nol."),
    ("nik", "2172013202900001", "Tanggal lahir dalam NIK (digit 7-12) tidak valid."),
    ("nik", "2172017202900001", "Tanggal lahir dalam NIK (digit 7-12) tidak valid."),
    ("full_name", "B" * 201, "Nama lengkap terlalu panjang (maksimal 200 karakter)."),
    ("phone", "abc", "Nomor HP tidak valid."),
    ("phone", "+1 555 0100", "Nomor HP tidak valid."),
    ("email", "siti@@example.com", "Alamat email tidak valid."),
])
def test_the_online_form_validates_and_stores_nothing_on_bad_input(client, office, field, value,
                                                                   message):
    before = snapshot()
    response = client.post(ONLINE, online_form(office, **{field: value}))
    assert response.status_code == 200
    assert message in text(response)
    assert snapshot() == before


def test_an_online_request_too_early_gives_the_date_it_may_be_made(client, office):
    born = born_years_ago(15)
    before = snapshot()
    response = client.post(ONLINE, online_form(office, kind=Kind.NEW, nik=make_nik(born)))
    assert "Pemohon baru berusia 17 tahun pada" in text(response)
    assert "Permohonan dapat diajukan paling cepat" in text(response)
    assert snapshot() == before


def test_a_filled_honeypot_stores_nothing(client, office):
    before = snapshot()
    response = client.post(ONLINE, online_form(office, website="http://spam.example.com"))
    assert response.status_code == 200
    assert "Permohonan tidak dapat diproses." in text(response)
    assert snapshot() == before
    assert client.get(DONE).status_code == 302  # no registration number handed out


def test_markup_submitted_online_as_a_name_is_refused_and_shown_escaped(client, office):
    response = client.post(ONLINE, online_form(office, full_name=SCRIPT))
    assert not ServiceRequest.objects.exists()
    body = text(response)
    assert "Nama lengkap hanya boleh berisi huruf" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert" not in body


def test_a_stored_name_with_markup_is_shown_escaped(client, office, operator):
    """Names written before the name rule, or by an import, still reach the pages."""
    client.post(ONLINE, online_form(office))
    ServiceRequest.objects.update(full_name=SCRIPT)
    request = ServiceRequest.objects.get()
    client.force_login(operator)
    for page in (reverse("layanan:list", kwargs={"code": office.code}),
                 reverse("layanan:detail", kwargs={"code": office.code, "pk": request.pk})):
        body = text(client.get(page))
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert "<script>alert" not in body


def test_online_submissions_are_rate_limited_per_address(client, office, limits):
    limits("online_submit", 2)
    for n in range(2):
        response = client.post(ONLINE, online_form(office, key=f"{n}" * 32))
        assert response.status_code == 302
    before = snapshot()
    response = client.post(ONLINE, online_form(office, key="9" * 32))
    assert response.status_code == 429
    assert RATE_LIMITED in text(response)
    assert "Silakan tunggu beberapa saat" in text(response)
    assert snapshot() == before
    # Another address still gets through.
    response = client.post(ONLINE, online_form(office, key="8" * 32), REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 302


def test_bad_submissions_count_towards_the_rate_limit(client, office, limits):
    limits("online_submit", 1)
    client.post(ONLINE, {"nik": "x"})
    assert client.post(ONLINE, online_form(office)).status_code == 429
    assert not ServiceRequest.objects.exists()


def test_a_forwarded_for_header_does_not_dodge_the_rate_limit(client, office, limits):
    limits("online_submit", 1)
    client.post(ONLINE, {"nik": "x"}, HTTP_X_FORWARDED_FOR="1.1.1.1")
    response = client.post(ONLINE, {"nik": "x"}, HTTP_X_FORWARDED_FOR="2.2.2.2")
    assert response.status_code == 429


@pytest.mark.parametrize("data", [
    {},
    {"office": "abc", "nik": "x", "kind": "x"},
    {"office": "-1", "key": "", "nik": "", "full_name": "", "kind": ""},
    {"office": "99999999999999999999999", "nik": "1" * 100_000, "full_name": "😀" * 50_000,
     "kind": "new", "phone": "9" * 5000, "email": "a" * 5000 + "@x.id", "kk_number": "k" * 5000,
     "police_report_number": "p" * 5000, "website": "", "key": "k" * 5000},
    {"office": "\x00", "nik": "2172\x00010101900001", "full_name": "\x00", "kind": "\x00",
     "key": "\x00", "email": "\x00", "phone": "\x00", "website": "\x00"},
    {"office": ["1", "2"], "nik": ["2172010101900001", "x"], "kind": ["new", "lost"]},
    {"office": "1", "nik": "٢١٧٢٠١٠١٠١٩٠٠٠٠١", "full_name": "﷽ \u202e ربما", "kind": "lost",
     "police_report_number": "📄", "married": "ya", "disaster_victim": "\x00"},
])
def test_garbage_posted_to_the_online_form_is_never_a_server_error(client, office, data):
    before = snapshot()
    response = client.post(ONLINE, data)
    assert response.status_code == 200
    assert snapshot() == before


def test_the_online_form_takes_get_and_post_only(client):
    assert client.put(ONLINE).status_code == 405
    assert client.delete(STATUS).status_code == 405


# Status check


@pytest.fixture
def known(office, operator):
    return submit(office, operator, full_name="Rahasia Pribadi", phone="081299998888",
                  email="rahasia@example.com", kk_number="2172010101900123")


def check(client, number, digits):
    return client.post(STATUS, {"registration_number": number, "nik_last4": digits})


def test_the_status_check_shows_only_status_kind_and_dates(client, known, operator, give_stock):
    give_stock(known.office, 1)
    services.verify_request(request=known, by=operator,
                            documents={"kk": True, "damaged_card": True})
    services.print_card(request=known, by=operator)
    response = check(client, known.registration_number, known.nik[-4:])
    body = text(response)
    assert response.status_code == 200
    assert 'data-testid="status-result"' in body
    assert "Status: Dicetak" in body
    assert "Rusak" in body  # the kind
    for secret in (known.nik, known.nik[:12], known.full_name, "Rahasia", known.phone,
                   "81299998888", known.email, known.kk_number, mask_middle(known.nik)):
        assert secret not in body
    for label in ("Diajukan", "Diverifikasi", "Dicetak"):
        assert label in body


def mask_middle(nik: str) -> str:
    return nik[4:12]


def test_every_wrong_combination_gets_the_same_answer(client, known, other_office,
                                                      other_operator, limits):
    limits("status_check", 100)
    elsewhere = submit(other_office, other_operator)
    last4 = known.nik[-4:]
    wrong = f"{(int(last4) + 1) % 10_000:04d}"
    attempts = [
        (known.registration_number, wrong),  # wrong digits
        ("2172-000000-0001", last4),  # wrong number
        (known.registration_number + "0", last4),
        (known.registration_number, "abcd"),  # not digits
        (known.registration_number, "12a4"),
        (known.registration_number, "١٢٣٤"),  # Arabic-Indic digits
        (known.registration_number, "１２３４"),  # fullwidth digits
        (known.registration_number, elsewhere.nik[-4:] if elsewhere.nik[-4:] != last4 else wrong),
        (elsewhere.registration_number, last4 if elsewhere.nik[-4:] != last4 else wrong),
        ("<script>x</script>", "1234"),
        ("' OR 1=1 --", "' OR"),
    ]
    fragments = set()
    for number, digits in attempts:
        response = check(client, number, digits)
        assert response.status_code == 200
        body = text(response)
        assert 'data-testid="status-result"' not in body
        found = re.search(r'<div class="alert[^"]*"[^>]*data-testid="status-not-found">.*?</div>',
                          body, re.S)
        assert found, (number, digits)
        fragments.add(found.group(0))
    assert fragments == {
        f'<div class="alert alert-warning mt-3" role="alert" data-testid="status-not-found">'
        f'{NOT_FOUND}</div>'
    }


def test_the_status_check_is_rate_limited(client, known, limits):
    limits("status_check", 3)
    for _ in range(3):
        assert check(client, known.registration_number, "0000").status_code == 200
    response = check(client, known.registration_number, known.nik[-4:])
    assert response.status_code == 429
    assert RATE_LIMITED in text(response)
    assert "Dicetak" not in text(response) and "status-result" not in text(response)


@pytest.mark.parametrize("data", [
    {},
    {"registration_number": "x" * 100_000, "nik_last4": "9" * 100_000},
    {"registration_number": "\x00", "nik_last4": "\x00\x00\x00\x00"},
    {"registration_number": ["a", "b"], "nik_last4": ["1", "2"]},
    {"registration_number": "😀", "nik_last4": "😀😀😀😀"},
])
def test_garbage_posted_to_the_status_check_is_never_a_server_error(client, known, data):
    response = client.post(STATUS, data)
    assert response.status_code == 200
    assert "status-result" not in text(response)


# Public stock


def test_the_public_stock_page_lists_each_offices_stock_queue_and_update_time(
        client, office, operator, other_office, give_stock):
    give_stock(office, 1_250)
    verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(20)))
    verified(office, operator)
    submit(office, operator)  # not verified: not in the printable queue
    response = client.get(STOCK)
    assert response.status_code == 200
    body = text(response)
    assert "Disdukcapil Kota Tanjungpinang" in body and "Disdukcapil Kota Batam" in body
    assert 'data-testid="public-stock-2172">1.250<' in body
    assert 'data-testid="public-stock-2171">0<' in body
    row = re.search(r"Kota Tanjungpinang</th>(.*?)</tr>", body, re.S).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    assert cells[:2] == ["1.250", "2"]
    assert re.fullmatch(r"\d{1,2} \w{3} \d{4} \d{2}:\d{2}", cells[2]), cells[2]
    row = re.search(r"Kota Batam</th>(.*?)</tr>", body, re.S).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row)[:2] == ["0", "0"]


def test_the_public_stock_page_reveals_no_personal_data(client, office, operator, give_stock):
    give_stock(office, 3)
    request = verified(office, operator, full_name="Rahasia Pribadi")
    body = text(client.get(STOCK))
    assert request.nik not in body and "Rahasia" not in body
    assert request.registration_number not in body


def test_the_public_stock_page_runs_the_same_queries_for_5_and_50_offices(client, office,
                                                                          many_offices,
                                                                          operator, give_stock):
    give_stock(office, 2)
    verified(office, operator)
    many_offices(4)
    client.get(STOCK)
    with CaptureQueriesContext(connection) as few:
        client.get(STOCK)
    many_offices(45)
    with CaptureQueriesContext(connection) as many:
        response = client.get(STOCK)
    assert text(response).count('data-testid="public-stock-') == 50
    assert len(few.captured_queries) == len(many.captured_queries)
