"""Staff pages: the stock and ledger page, and reversing a movement."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blanko import access, services
from blanko.models import Movement
from blanko.views.ledger import PAGE_SIZE
from tests.blanko.helpers import ledger_snapshot, previous_month_day
from tests.factories import OfficeFactory, make_user


def stock_url(office) -> str:
    return reverse("blanko:stock", kwargs={"code": office.code})


def reverse_url(movement) -> str:
    office = (movement.from_location.office or movement.to_location.office)
    return reverse("blanko:movement_reverse", kwargs={"code": office.code, "pk": movement.pk})


def issue_many(office, by, count: int) -> None:
    for _ in range(count):
        services.issue_blank(office=office, by=by)


def test_anonymous_users_are_sent_to_the_login_page(client, office):
    for url in (stock_url(office), reverse("blanko:office_list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_stock_page_shows_stock_and_the_ledger_to_the_office_staff(
    client, stocked, operator
):
    services.issue_blank(office=stocked, by=operator, reference="REG-0001")
    services.spoil_blank(office=stocked, by=operator, cause=Movement.Cause.ENCODE_FAILED)
    client.force_login(operator)
    response = client.get(stock_url(stocked))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="stock-on-hand">98<' in html
    assert 'data-testid="spoiled">1<' in html
    assert "REG-0001" in html
    assert "Gagal encode" in html
    assert "BAST/UJI/1" in html
    assert response.context["page"].paginator.count == 3
    assert not response.context["can_reverse"]  # an operator sees no reverse buttons
    assert "/balik/" not in html


def test_a_supervisor_sees_reverse_buttons(client, stocked, supervisor):
    client.force_login(supervisor)
    response = client.get(stock_url(stocked))
    assert response.context["can_reverse"]
    assert reverse_url(Movement.objects.get()) in response.content.decode()


def test_another_offices_code_is_a_404(client, office, other_office, operator):
    client.force_login(operator)
    assert client.get(stock_url(other_office)).status_code == 404
    assert client.get(reverse("blanko:stock", kwargs={"code": "0000"})).status_code == 404


def test_a_viewer_reads_any_office_in_its_region(client, office, other_office, region_viewer):
    client.force_login(region_viewer)
    assert client.get(stock_url(office)).status_code == 200
    assert client.get(stock_url(other_office)).status_code == 200


def test_the_ledger_is_paginated_fifty_to_a_page(client, stocked, operator):
    issue_many(stocked, operator, 60)  # 61 movements with the receipt
    client.force_login(operator)
    first = client.get(stock_url(stocked))
    assert PAGE_SIZE == 50
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.num_pages == 2
    assert "Halaman 1 dari 2" in first.content.decode()
    second = client.get(stock_url(stocked), {"page": 2})
    rows = list(second.context["page"].object_list)
    assert len(rows) == 11
    assert rows[-1].reason == Movement.Reason.RECEIPT_DITJEN  # the oldest comes last
    # A page number out of range shows the last page rather than failing.
    assert client.get(stock_url(stocked), {"page": 99}).context["page"].number == 2


def test_the_ledger_filters_by_reason_and_date(client, office, operator, supervisor):
    day = previous_month_day(10)
    services.receive_allocation(office=office, quantity=5, reference="BAST/LAMA", by=supervisor,
                                occurred_on=day)
    services.issue_blank(office=office, by=operator, reference="REG-BARU")
    client.force_login(operator)

    def references(**query):
        response = client.get(stock_url(office), query)
        return [m.reference for m in response.context["page"].object_list]

    assert references(reason="issue") == ["REG-BARU"]
    assert references(reason="receipt_ditjen") == ["BAST/LAMA"]
    assert references(date_to=day.isoformat()) == ["BAST/LAMA"]
    assert references(date_from=day.replace(day=11).isoformat()) == ["REG-BARU"]
    assert references(date_from=day.isoformat(), date_to=day.isoformat(),
                      reason="issue") == []
    # The filter survives paging links.
    response = client.get(stock_url(office), {"reason": "issue"})
    assert response.context["query"] == "reason=issue"


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_stock_page_runs_the_same_queries_whatever_the_number_of_movements(
    client, stocked, other_office, operator, supervisor
):
    services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                            reference="470/1", by=supervisor)
    services.borrow_from_partner(office=stocked, partner_code="2101", quantity=5,
                                 reference="470/2", by=supervisor)
    issue_many(stocked, operator, 2)  # 5 movements
    client.force_login(supervisor)
    url = stock_url(stocked)
    client.get(url)  # warm the session and caches
    few = _count_queries(client, url)
    # Every kind the reverse rule looks at, many times: held draws, reversed movements
    # and their reversals, stock counts. Whether "Balik" is offered is read from the
    # rows' annotations, not asked row by row.
    for number in range(10):
        services.issue_blank(office=stocked, by=operator, reference=f"REG-{number}",
                             hold=True)
        plain = services.issue_blank(office=stocked, by=operator)
        services.reverse_movement(movement=plain, by=supervisor, reason="keliru")
    services.record_stock_count(office=stocked, counted_quantity=80, by=supervisor,
                                reason="hilang")
    issue_many(stocked, operator, 24)  # 60 movements: a full first page
    response = client.get(url)
    assert len(response.context["page"].object_list) == PAGE_SIZE
    assert "tidak dapat dibalik" in response.content.decode()
    many = _count_queries(client, url)
    assert few == many
    # A supervisor may decide on rebalancing proposals: its count includes the one read
    # of those waiting (test_the_stock_page_tells_who_may_decide_of_waiting_proposals).
    assert many < 20


def test_the_stock_page_tells_who_may_decide_of_waiting_proposals(
    client, stocked, other_office, third_office, supervisor, operator, other_supervisor,
    receive
):
    """The lender's supervisor lands on the stock page: the proposals waiting for its
    decision are counted there (one query) with a link to the loans page; those it
    borrows in, or that another office decides, are not."""
    coordinator = make_user(access.PROVINCE, None, username="kepri_stok", office__region="21")
    client.force_login(supervisor)
    url = stock_url(stocked)
    client.get(url)  # warm the session
    assert 'data-testid="rebalancing-waiting"' not in client.get(url).content.decode()
    none_waiting = _count_queries(client, url)
    receive(other_office, 500)
    receive(third_office, 500)
    services.propose_rebalancing(lender=stocked, borrower=other_office, quantity=100,
                                 by=coordinator)
    services.propose_rebalancing(lender=third_office, borrower=stocked, quantity=100,
                                 by=coordinator)  # the borrower does not decide it
    page = client.get(url).content.decode()
    notice = page.split('data-testid="rebalancing-waiting">')[1].split("</div>")[0]
    assert notice.startswith("1 usulan pemerataan dari provinsi menunggu keputusan kantor ini.")
    assert f'href="{reverse("blanko:loan_list", kwargs={"code": stocked.code})}"' in notice
    services.propose_rebalancing(lender=other_office, borrower=third_office, quantity=100,
                                 by=coordinator)  # another office's to decide
    receive(stocked, 200)
    services.propose_rebalancing(lender=stocked, borrower=OfficeFactory(code="2105"),
                                 quantity=200, by=coordinator)
    page = client.get(url).content.decode()
    assert "2 usulan pemerataan dari provinsi menunggu keputusan kantor ini." in page
    # The count is one query, whatever the number of proposals.
    assert _count_queries(client, url) == none_waiting
    # The office's operator may not decide: not told. Batam's supervisor is, of its own.
    client.force_login(operator)
    assert 'data-testid="rebalancing-waiting"' not in client.get(url).content.decode()
    client.force_login(other_supervisor)
    assert "1 usulan pemerataan" in client.get(stock_url(other_office)).content.decode()


@pytest.fixture
def issued(stocked, operator):
    return services.issue_blank(office=stocked, by=operator, reference="REG-SALAH")


def test_a_supervisor_reverses_a_movement(client, issued, supervisor):
    client.force_login(supervisor)
    url = reverse_url(issued)
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="Balik mutasi"' in page.content.decode()
    response = client.post(url, {"reason": "Salah pilih pemohon"}, follow=True)
    assert response.redirect_chain[-1][0] == stock_url(issued.from_location.office)
    reversal = Movement.objects.get(reverses=issued)
    assert (reversal.note, reversal.recorded_by) == ("Salah pilih pemohon", supervisor)
    assert f"Mutasi #{issued.pk} telah dibalik dengan mutasi #{reversal.pk}." in \
        response.content.decode()


def test_an_operator_cannot_open_the_reverse_page(client, issued, operator):
    client.force_login(operator)
    before = ledger_snapshot()
    assert client.get(reverse_url(issued)).status_code == 403
    assert client.post(reverse_url(issued), {"reason": "coba"}).status_code == 403
    assert ledger_snapshot() == before


def test_a_supervisor_of_another_office_gets_a_404(client, issued, other_supervisor):
    client.force_login(other_supervisor)
    assert client.post(reverse_url(issued), {"reason": "coba"}).status_code == 404
    assert not Movement.objects.filter(reverses=issued).exists()


def test_a_second_reversal_shows_a_message_and_writes_nothing(client, issued, supervisor):
    client.force_login(supervisor)
    client.post(reverse_url(issued), {"reason": "pertama"})
    reversal = Movement.objects.get(reverses=issued)
    before = ledger_snapshot()
    response = client.post(reverse_url(issued), {"reason": "kedua"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Mutasi ini sudah dibalik oleh mutasi #{reversal.pk}." in html
    assert 'value="Balik mutasi"' not in html  # no form to submit again
    assert ledger_snapshot() == before


def test_a_refused_reversal_is_shown_on_the_form(client, stocked, supervisor, other_office):
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                                   reference="470/1", by=supervisor)
    client.force_login(supervisor)
    before = ledger_snapshot()
    response = client.post(reverse_url(loan.movements.get()), {"reason": "keliru"})
    assert response.status_code == 200
    assert "pembatalan atau pengembalian" in response.content.decode()
    assert ledger_snapshot() == before


def test_a_reversal_needs_a_reason_on_the_form(client, issued, supervisor):
    client.force_login(supervisor)
    response = client.post(reverse_url(issued), {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not Movement.objects.filter(reverses=issued).exists()


def test_home_sends_office_staff_to_their_stock_page(client, office, operator, region_viewer):
    client.force_login(operator)
    assert client.get(reverse("home")).url == stock_url(office)
    client.force_login(region_viewer)
    assert client.get(reverse("home")).url == reverse("blanko:office_list")


def test_the_office_list_shows_the_offices_in_scope_with_their_stock(
    client, stocked, other_office, operator, region_viewer
):
    client.force_login(region_viewer)
    offices = client.get(reverse("blanko:office_list")).context["offices"]
    assert [(o.code, o.stock) for o in offices] == [("2171", 0), ("2172", 100)]
    client.force_login(operator)
    offices = client.get(reverse("blanko:office_list")).context["offices"]
    assert [o.code for o in offices] == ["2172"]


def test_movement_numbers_are_shown_without_a_thousands_separator(client, office, supervisor):
    from blanko.services.offices import ditjen_source
    from blanko.services.posting import today

    # Written directly with a large id; the page only reads it.
    movement = Movement.objects.create(
        pk=12_345, from_location=ditjen_source(),
        to_location=services.office_location(office, "stock"), quantity=1,
        reason=Movement.Reason.RECEIPT_DITJEN, occurred_on=today(), recorded_by=supervisor)
    client.force_login(supervisor)
    page = client.get(reverse_url(movement)).content.decode()
    assert "Balik mutasi #12345" in page
    assert "12.345" not in page
    ledger = client.get(stock_url(office)).content.decode()
    assert "#12345" in ledger
    assert "#12.345" not in ledger


def test_the_receiving_office_is_told_why_a_loan_receipt_is_not_reversed(
    client, stocked, other_office, supervisor, other_supervisor
):
    """The receipt sits in the receiver's ledger with a reverse button; it explains, not 403s."""
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                                   reference="470/1", by=supervisor)
    receipt = services.confirm_receipt(shipment=loan.shipments.get(), quantity=5,
                                       by=other_supervisor)
    client.force_login(other_supervisor)
    url = reverse("blanko:movement_reverse", kwargs={"code": other_office.code, "pk": receipt.pk})
    before = ledger_snapshot()
    response = client.post(url, {"reason": "keliru"})
    assert response.status_code == 200
    assert "pembatalan atau pengembalian" in response.content.decode()
    assert ledger_snapshot() == before


def test_home_sends_the_network_roles_to_their_work(client, db):
    coordinator = make_user(access.PROVINCE, None, username="kepri_uji", office__region="21")
    allocator = make_user(access.NATIONAL, None, username="ditjen_uji", office__national=True)
    client.force_login(coordinator)
    assert client.get(reverse("home")).url == reverse("blanko:province_requests",
                                                      kwargs={"province": "21"})
    client.force_login(allocator)
    assert client.get(reverse("home")).url == reverse("blanko:central_home")
