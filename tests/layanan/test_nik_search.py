"""A NIK never reaches a URL (issue 10, finding 4), and pages that show one are not cached
(finding 10)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from blanko import access
from layanan.models import AccessLog, ServiceRequest
from layanan.views.privacy import PAGE_SIZE as LOG_PAGE_SIZE
from layanan.views.staff import PAGE_SIZE
from tests.factories import make_user
from tests.layanan.helpers import submit

pytestmark = pytest.mark.django_db


def url(name: str, office, **kwargs) -> str:
    return reverse(f"layanan:{name}", kwargs={"code": office.code, **kwargs})


def rows(response) -> list[str]:
    return re.findall(r'<a href="/kantor/\d+/layanan/\d+/">([^<]+)</a>',
                      response.content.decode())


def urls_in(response) -> list[str]:
    """Every URL the page would send: links, form actions, and where a GET form goes."""
    html = response.content.decode()
    found = re.findall(r'(?:href|action|src)="([^"]*)"', html)
    for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S):
        if 'method="post"' not in form.split(">", 1)[0]:
            found += re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', form)  # a GET form's
    return [str(item) for item in found]


@pytest.fixture
def boss(client, supervisor):
    client.force_login(supervisor)
    return client


def test_a_search_by_nik_is_sent_by_post_and_its_pages_carry_no_nik_in_a_url(staff, office,
                                                                            operator):
    nik = submit(office, operator).nik
    for _ in range(PAGE_SIZE + 1):
        submit(office, operator, full_name="Nur Hidayat")
    target = ServiceRequest.objects.filter(nik=nik).get()
    response = staff.post(url("list", office), follow=True, data={"q": nik})
    assert response.status_code == 200
    assert rows(response) == [target.registration_number]
    assert not [found for found in urls_in(response) if nik in found]
    # The form posts, to a URL without the query.
    assert f'<form method="post" action="{url("list", office)}"' in response.content.decode()


def test_pages_of_a_search_are_posted_and_keep_the_search(staff, office, operator):
    for _ in range(PAGE_SIZE + 2):
        submit(office, operator, full_name="Nur Hidayat")
    submit(office, operator, full_name="Budi Santoso")
    first = staff.post(url("list", office), follow=True, data={"q": "Nur", "status": "submitted"})
    html = first.content.decode()
    assert "Halaman 1 dari 2" in html
    assert 'name="page" value="2"' in html and 'name="q" value="Nur"' in html
    assert "?q=" not in html and "page=2" not in html
    second = staff.post(url("list", office), follow=True,
                        data={"q": "Nur", "status": "submitted", "page": "2"})
    assert len(rows(second)) == 2
    assert not set(rows(first)) & set(rows(second))


def test_a_get_with_a_nik_in_the_url_does_not_search(staff, office, operator):
    wanted = submit(office, operator)
    other = submit(office, operator)
    response = staff.get(url("list", office), {"q": wanted.nik})
    assert response.status_code == 200
    assert set(rows(response)) == {wanted.registration_number, other.registration_number}
    body = response.content.decode()
    assert wanted.nik not in body
    assert "Pencarian lewat alamat halaman tidak dilayani" in body
    assert not AccessLog.objects.exists()


def test_a_search_by_a_whole_nik_writes_an_access_log_row(staff, office, operator):
    request = submit(office, operator)
    spaced = f"{request.nik[:6]} {request.nik[6:12]} {request.nik[12:]}"
    staff.post(url("list", office), follow=True, data={"q": spaced})
    log = AccessLog.objects.get()
    assert (log.nik, log.user, log.office, log.request, log.action) == (
        request.nik, operator, office, request, AccessLog.Action.SEARCH)
    # A NIK that matches nobody is still a look-up of that person.
    staff.post(url("list", office), follow=True, data={"q": "2172015501990009"})
    assert AccessLog.objects.filter(nik="2172015501990009", request=None).count() == 1


def test_a_search_by_name_or_number_writes_no_access_log_row(staff, office, operator):
    request = submit(office, operator, full_name="Siti Rahmawati")
    for query in ("rahma", request.registration_number, ""):
        assert rows(staff.post(url("list", office), follow=True, data={"q": query})) == [
            request.registration_number], query
    assert not AccessLog.objects.exists()


def test_the_access_log_filter_is_posted_logged_and_keeps_the_nik_out_of_urls(boss, office,
                                                                             operator,
                                                                             supervisor):
    request = submit(office, operator)
    for _ in range(LOG_PAGE_SIZE + 1):
        AccessLog.objects.create(request=request, nik=request.nik, office=office,
                                 user=operator, action=AccessLog.Action.VIEW)
    assert boss.get(url("access_log", office), {"nik": request.nik}).status_code == 200
    assert not AccessLog.objects.filter(user=supervisor).exists()  # not filtered, not logged
    response = boss.post(url("access_log", office), {"nik": request.nik})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == LOG_PAGE_SIZE + 2  # and this search
    assert not [found for found in urls_in(response) if request.nik in found]
    assert 'name="page" value="2"' in response.content.decode()
    log = AccessLog.objects.filter(user=supervisor).get()
    assert (log.nik, log.action) == (request.nik, AccessLog.Action.SEARCH)
    bad = boss.post(url("access_log", office), {"nik": "12x"})
    assert bad.status_code == 200 and bad.context["nik_error"]


def test_filtering_the_access_log_by_nik_shows_every_row_and_its_own(boss, office, operator,
                                                                     supervisor):
    request = submit(office, operator)
    views = [AccessLog.objects.create(request=request, nik=request.nik, office=office,
                                      user=operator, action=AccessLog.Action.VIEW)
             for _ in range(3)]
    response = boss.post(url("access_log", office), {"nik": request.nik})
    shown = list(response.context["page"].object_list)
    assert response.context["page"].paginator.count == len(shown) == 4
    assert {log.pk for log in views} < {log.pk for log in shown}
    assert AccessLog.objects.get(user=supervisor) in shown


@pytest.mark.parametrize("query", ["\x00", "x" * 5000, "😀", "٢١٧٢٠١٠١٠١٩٠٠٠٠١", ["a", "b"]])
def test_any_posted_search_is_never_a_server_error(staff, office, operator, query):
    submit(office, operator)
    assert staff.post(url("list", office), follow=True,
                      data={"q": query, "status": query, "page": query}).status_code == 200


def test_a_search_result_is_shown_by_a_get_so_the_back_button_returns_to_it(staff, office,
                                                                            operator):
    """A POST result page (no-store) made the browser ask to resubmit the form on Back."""
    request = submit(office, operator)
    response = staff.post(url("list", office), {"q": request.nik})
    assert response.status_code == 302
    assert response.url == url("list", office) + "?hasil=1"
    assert request.nik not in response.url
    again = staff.get(response.url)  # what Back shows, as often as it is pressed
    assert rows(again) == [request.registration_number]
    assert rows(staff.get(response.url)) == [request.registration_number]
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH).count() == 1


def test_the_last_search_of_one_office_is_not_shown_for_another(client, office, other_office,
                                                                 operator):
    national = make_user(access.OPERATOR, None, username="lintas", office__national=True)
    client.force_login(national)
    submit(office, operator)
    siti = submit(other_office, national, full_name="Siti Aminah")
    client.post(url("list", office), {"q": "Budi"})
    # The other office's page is its plain list, not the search made at 2172.
    assert rows(client.get(url("list", other_office) + "?hasil=1")) == [
        siti.registration_number]


# Finding 10: every page that shows a whole NIK is not kept by a browser or a proxy.


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_the_request_detail_is_not_cached(staff, office, operator):
    request = submit(office, operator)
    response = staff.get(url("detail", office, pk=request.pk))
    assert request.nik in response.content.decode()
    assert no_store(response)


def test_search_results_and_the_access_log_are_not_cached(client, office, operator,
                                                          supervisor):
    request = submit(office, operator)
    client.force_login(operator)
    response = client.post(url("list", office), follow=True, data={"q": request.nik})
    assert request.nik in response.content.decode()  # in the search box
    assert no_store(response)
    assert no_store(client.get(url("list", office)))
    client.force_login(supervisor)
    response = client.post(url("access_log", office), {"nik": request.nik})
    assert request.nik in response.content.decode()
    assert no_store(response)
    assert no_store(client.get(url("access_log", office)))


def test_the_data_subject_export_is_not_cached(client, office, operator, supervisor):
    request = submit(office, operator)
    client.force_login(supervisor)
    response = client.post(url("subject_export", office), {"nik": request.nik})
    assert response.status_code == 200
    assert no_store(response)


def test_the_benchmark_posts_its_searches_and_puts_no_nik_in_a_url(office):
    from config.tooling.benchmarking.pages import PAGES

    context = {"nik": "2172015501990009"}
    searches = {page.key: page for page in PAGES if page.key.startswith("search_")}
    assert set(searches) == {"search_nik", "search_name"}
    for page in PAGES:
        assert context["nik"] not in page.url(office, context), page.key
        assert "?q=" not in page.url(office, context), page.key
    assert searches["search_nik"].data(context) == {"q": context["nik"]}


def test_the_print_queue_is_not_cached_either(staff, office, operator):
    """Masked NIKs only, but citizens' names and the print forms' CSRF token."""
    submit(office, operator)
    assert no_store(staff.get(url("queue", office)))


def test_an_export_address_opened_by_a_get_exports_nothing(client, office, operator,
                                                         supervisor):
    """After signing in again, `next` is the export's address: back to the log's page."""
    submit(office, operator)
    client.force_login(supervisor)
    response = client.get(url("subject_export", office))
    assert response.status_code == 302
    assert response["Location"] == url("access_log", office)
    assert "attachment" not in response.get("Content-Disposition", "")
