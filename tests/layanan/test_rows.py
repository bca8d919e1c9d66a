"""layanan.views.rows: the request tables written in Python say what the templates said."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from blanko.views.common import url_for_each
from layanan.models import ServiceRequest
from layanan.views import rows
from tests.layanan.helpers import stock_of, verified

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("pk", [1, 7, 1_000, 918_273, 2**40])
def test_a_url_for_each_request_is_the_one_reverse_gives(pk):
    detail = url_for_each("layanan:detail", code="2172")
    action = url_for_each("layanan:action", code="2172", action="print")
    assert detail(pk) == reverse("layanan:detail", kwargs={"code": "2172", "pk": pk})
    assert action(pk) == reverse("layanan:action",
                                 kwargs={"code": "2172", "pk": pk, "action": "print"})


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("moment", [
    datetime.datetime(2026, 8, 17, 1, 5, tzinfo=datetime.UTC),  # 08:05 in Jakarta
    datetime.datetime(2026, 12, 31, 18, 30, tzinfo=datetime.UTC),  # 1 Jan, 01:30
])
def test_the_submission_time_reads_as_the_date_filter_wrote_it(office, operator, language,
                                                               moment):
    request = verified(office, operator)
    ServiceRequest.objects.filter(pk=request.pk).update(submitted_at=moment)
    request.refresh_from_db()
    with translation.override(language), timezone.override("Asia/Jakarta"):
        expected = Template('<td>{{ at|date:"j M Y H:i" }}</td>').render(
            Context({"at": request.submitted_at}))
        html = rows.request_list_rows([request], office_code=office.code)
    assert expected in html


def test_the_print_button_of_a_queue_row_posts_with_its_csrf_token_and_prints(
    office, operator, give_stock
):
    give_stock(office, 5)
    request = verified(office, operator)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(operator)
    page = browser.get(reverse("layanan:queue", kwargs={"code": office.code})).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)" class="d-inline print-once">'
                     r"(.*?)</form>", page)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">',
                             form.group(2)))
    assert set(fields) == {"csrfmiddlewaretoken", "key", "next"}
    response = browser.post(unescape(form.group(1)), fields)
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ServiceRequest.Status.PRINTED
    assert stock_of(office) == 4


def test_without_the_right_to_print_a_ready_row_says_so_and_has_no_form(
    office, operator, give_stock
):
    give_stock(office, 5)
    request = verified(office, operator)
    html = rows.queue_rows([(request, None, "k" * 32)], office_code=office.code,
                           can_process=False, csrf_token="t" * 64)
    assert "Siap cetak" in html
    assert "<form" not in html and "t" * 64 not in html


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_label_is_the_one_the_model_displays(office, operator, language):
    request = verified(office, operator)
    with translation.override(language):
        listed = rows.request_list_rows([request], office_code=office.code)
        queued = rows.queue_rows([(request, None, "k" * 32)], office_code=office.code,
                                 can_process=True, csrf_token="t" * 64)
        for label in (request.get_kind_display(), request.get_channel_display(),
                      request.get_status_display()):
            assert f">{label}<" in listed
        for label in (request.get_kind_display(), request.get_priority_tier_display()):
            assert f">{label}<" in queued


def test_a_print_from_the_queue_s_second_page_returns_to_it(office, operator, give_stock):
    from layanan.views.staff import PAGE_SIZE

    give_stock(office, PAGE_SIZE + 5)
    for _ in range(PAGE_SIZE + 1):
        verified(office, operator)
    browser = Client()
    browser.force_login(operator)
    queue = reverse("layanan:queue", kwargs={"code": office.code})
    page = browser.get(f"{queue}?page=2").content.decode()
    form = re.search(r'<form method="post" action="([^"]+)" class="d-inline print-once">'
                     r"(.*?)</form>", page)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">',
                             form.group(2)))
    assert fields["page"] == "2"
    assert browser.post(unescape(form.group(1)), fields)["Location"] == f"{queue}?page=2"
    for tampered in ("abc", "1" * 5_000, "0", ""):
        form_again = browser.get(f"{queue}?page=2").content.decode()
        action = unescape(re.findall(r'action="([^"]+/print/)"', form_again)[0])
        key = re.findall(r'name="key" value="([^"]+)"', form_again)[0]
        response = browser.post(action, {"key": key, "next": "queue", "page": tampered})
        assert response["Location"] == queue
