"""`seed_demo` runs the supply cycle: the 2020 request for blanks, and four waiting today.

2020: Tanjungpinang asks for 12,000 on 3 July, the province forwards the letter,
Ditjen's central store allocates the 6,000 it has on 20 August, dispatches them under
BAST 470/1290/DUK/IX/2020 on 10 September, and the office confirms them on the 14th.
Today: the central store holds a procurement of 2,500, Natuna's and Batam's requests
wait at the province, and Karimun's and Bintan's at Ditjen, asking for more than the store holds, so
the national allocation plan is short; and the coordinator's rebalancing proposal of
the day (Tanjungpinang lends Bintan) waits for Tanjungpinang's supervisor. Read through
the real selectors, plans, report and pages, as the demo users `kepri`, `ditjen` and
`supervisor` see them.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from blanko import access, selectors, services
from blanko.models import (
    BlankRequest,
    BlankRequestEvent,
    Movement,
    Office,
    RebalancingProposal,
    Shipment,
)
from config.tooling.demo.plan import CENTRAL_STOCK_QUANTITY, weekday_on_or_before
from layanan.supervision.planning import allocation_plan, plan_totals
from layanan.supervision.rebalancing import rebalancing_plan
from layanan.supervision.reports import monthly_report
from tests.helpers import today
from tests.tooling.helpers import seed_demo_twice

pytestmark = pytest.mark.django_db

D = datetime.date
Status = BlankRequest.Status
STORY = "PB/2172/2020/0001"
BAST = "470/1290/DUK/IX/2020"


def counts() -> dict[str, int]:
    return {"requests": BlankRequest.objects.count(),
            "events": BlankRequestEvent.objects.count(),
            "shipments": Shipment.objects.count(), "movements": Movement.objects.count(),
            "central": selectors.central_stock()["stock"],
            "proposals": RebalancingProposal.objects.count()}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with seed_demo_twice(django_db_blocker, measure=counts) as seeded:
        yield seeded


def test_the_2020_request_runs_its_whole_cycle(seeded):
    request = BlankRequest.objects.get(number=STORY)
    assert (request.office.code, request.status, request.submitted_on,
            request.created_by.username) == ("2172", Status.RECEIVED, D(2020, 7, 3),
                                             "supervisor")
    assert (request.quantity, request.forwarded_quantity, request.allocated_quantity,
            request.dispatched_quantity, request.received_quantity) == (
        12_000, 12_000, 6_000, 6_000, 6_000)
    events = [(timezone.localdate(e.at), e.from_status, e.to_status, e.quantity, e.by.username)
              for e in request.events.all()]
    assert events == [
        (D(2020, 7, 3), "", Status.SUBMITTED, 12_000, "supervisor"),
        (D(2020, 7, 7), Status.SUBMITTED, Status.FORWARDED, 12_000, "kepri"),
        (D(2020, 8, 20), Status.FORWARDED, Status.ALLOCATED, 6_000, "ditjen"),
        (D(2020, 9, 10), Status.ALLOCATED, Status.ALLOCATED, 6_000, "ditjen"),
        (D(2020, 9, 14), Status.ALLOCATED, Status.RECEIVED, 6_000, "supervisor"),
    ]
    [shipment] = request.shipments.all()
    assert (shipment.kind, shipment.reference, shipment.sent_on, shipment.status,
            shipment.received_quantity) == (Shipment.Kind.DISPATCH, BAST, D(2020, 9, 10),
                                            Shipment.Status.RECEIVED, 6_000)
    # The serial numbers the old direct delivery carried go with the dispatch.
    dispatch = Movement.objects.get(reason=Movement.Reason.DISPATCH, blank_request=request)
    assert "2172-20-002001 s.d. 2172-20-008000" in dispatch.note


def test_the_2020_letter_keeps_the_dashboard_figures_of_3_july(seeded):
    figures = BlankRequest.objects.get(number=STORY).figures
    # The store ran dry the day before; the shortfall runs up to the Pilkada.
    assert (figures["as_of"], figures["stock"], figures["key_date"],
            figures["key_date_name"]) == ("2020-07-03", 0, "2020-12-09",
                                          "Pilkada 9 Desember 2020")
    assert figures["shortfall"] > 0 and figures["to_request"] >= figures["shortfall"]


def test_ditjen_counts_as_incoming_from_its_allocation_until_the_receipt(seeded):
    tpi = Office.objects.get(code="2172")

    def incoming(day: D) -> int:
        return selectors.incoming_from_ditjen(office_ids=[tpi.pk], as_of=day,
                                              today=today())[tpi.pk]

    # Nothing yet on 1 August (the README's dashboard), 6,000 from the allocation.
    assert [incoming(day) for day in (D(2020, 8, 1), D(2020, 8, 19), D(2020, 8, 20),
                                      D(2020, 9, 13), D(2020, 9, 14))] == [
        0, 0, 6_000, 6_000, 0]
    # 3 July to 14 September: Tanjungpinang's lead time, measured, by the end of 2020.
    lead = selectors.lead_times(offices=[tpi], as_of=D(2020, 12, 31))[tpi.pk]
    assert (lead.days, lead.source, lead.requests) == (73.0, "measured", 1)
    assert selectors.lead_times(offices=[tpi], as_of=D(2020, 8, 1))[tpi.pk].source \
        == "default"


def test_the_reports_of_2020_show_the_cycle_and_the_months_stay_closed(seeded):
    tpi = Office.objects.get(code="2172")
    september = monthly_report(office=tpi, month=D(2020, 9, 1))
    assert september.line("received.ditjen") == 6_000
    [received] = [line for line in september.group("received").lines
                  if line.code == "received.ditjen"]
    [detail] = received.details
    assert (detail.number, detail.reference, detail.day, detail.quantity) == (
        STORY, BAST, D(2020, 9, 14), 6_000)
    assert september.closed is not None
    central = services.central_office()
    august = monthly_report(office=central, month=D(2020, 8, 1))
    assert (august.line("received.procurement"), august.closing) == (6_000, 6_000)
    sent = monthly_report(office=central, month=D(2020, 9, 1))
    assert (sent.line("out.dispatched"), sent.closing) == (6_000, 0)
    assert (sent.transit.dispatched, sent.transit.received, sent.transit.closing) == (
        6_000, 6_000, 0)


def test_four_requests_wait_today_two_at_the_province_and_two_at_ditjen(seeded):
    waiting = {r.office.code: r for r in BlankRequest.objects.filter(
        submitted_on__year__gt=2020).select_related("office", "created_by")}
    assert set(waiting) == {"2103", "2102", "2101", "2171"}
    natuna, karimun, bintan = waiting["2103"], waiting["2102"], waiting["2101"]
    assert (natuna.status, natuna.quantity, natuna.created_by.username) == (
        Status.SUBMITTED, 900, "kabid.natuna")
    # Batam's, the day before, signed by its demo login: what gives it the daily print
    # quota (test_demo_living), and no part of Ditjen's allocation plan.
    batam = waiting["2171"]
    assert (batam.status, batam.quantity, batam.created_by.username) == (
        Status.SUBMITTED, 2_500, "batam")
    assert batam.submitted_on > natuna.submitted_on
    assert (karimun.status, karimun.forwarded_quantity, karimun.created_by.username) == (
        Status.FORWARDED, 3_000, "kabid.karimun")
    assert (bintan.status, bintan.forwarded_quantity, bintan.created_by.username) == (
        Status.FORWARDED, 1_500, "kabid.bintan")
    for request in (natuna, karimun, bintan, batam):
        assert today() - datetime.timedelta(days=20) <= request.submitted_on < today()
        assert request.figures["office"] == request.office.code
        assert request.figures["as_of"] == request.submitted_on.isoformat()
    assert natuna.submitted_on > bintan.submitted_on > karimun.submitted_on
    # The central store holds a recent procurement, all of it free to allocate.
    assert selectors.central_stock() == {"stock": CENTRAL_STOCK_QUANTITY,
                                         "allocated_undispatched": 0,
                                         "free": CENTRAL_STOCK_QUANTITY, "in_transit": 0}
    stocked = Movement.objects.get(reason=Movement.Reason.PROCUREMENT,
                                   occurred_on__year__gt=2020)
    assert weekday_on_or_before(today() - datetime.timedelta(days=21)) == stocked.occurred_on


def test_the_province_and_ditjen_each_see_the_request_waiting_for_them(seeded, client):
    kepri, ditjen = User.objects.get(username="kepri"), User.objects.get(username="ditjen")
    natuna = BlankRequest.objects.get(office__code="2103", status=Status.SUBMITTED)
    karimun = BlankRequest.objects.get(office__code="2102", status=Status.FORWARDED)
    assert access.has_permission(kepri, "blanko.forward_blank_request", natuna.office)
    assert not access.has_permission(kepri, "blanko.allocate_blanks",
                                     services.central_office())
    assert access.has_permission(ditjen, "blanko.allocate_blanks", services.central_office())
    client.force_login(kepri)
    province = client.get(reverse("blanko:province_requests", args=["21"]))
    assert province.status_code == 200
    assert natuna.number in province.content.decode()
    client.force_login(ditjen)
    central = client.get(reverse("blanko:central_home"))
    assert central.status_code == 200
    assert karimun.number in central.content.decode()


def test_ditjen_s_allocation_plan_is_short_and_shares_the_store(seeded, client):
    free = selectors.central_stock()["free"]
    lines = allocation_plan()
    totals = plan_totals(lines, free=free)
    assert totals["scarce"] is True
    assert (totals["free"], totals["asked"], totals["proposed"]) == (
        CENTRAL_STOCK_QUANTITY, 4_500, CENTRAL_STOCK_QUANTITY)
    assert {line.office.code for line in lines} == {"2102", "2101"}
    for line in lines:
        # Phase 1 gives the floor need, phase 2 a share of the rest: less than was asked.
        assert line.phase1 == line.floor_need < line.proposed < line.asked
    # Karimun asks twice as much as Bintan, and has at most a little more floor need:
    # it gets about twice as much.
    proposed = {line.office.code: line.proposed for line in lines}
    assert 1_500 < proposed["2102"] < 1_800 and 700 < proposed["2101"] < 1_000
    client.force_login(User.objects.get(username="ditjen"))
    page = client.get(reverse("layanan:allocation_plan")).content.decode()
    assert 'data-testid="plan-scarce"' in page and "Stok kurang" in page
    for line in lines:
        assert line.request.number in page


def test_kepri_s_rebalancing_proposal_waits_for_tanjungpinang(seeded, client):
    [proposal] = RebalancingProposal.objects.filter(lender__code__startswith="21")
    assert (proposal.status, proposal.proposed_by.username) == (
        RebalancingProposal.Status.PROPOSED, "kepri")
    # The first line of the day's plan: Tanjungpinang, still on its 2020 stock, lends
    # to Bintan, the lowest in cover since it lent 300 to Natuna (demo.plan, PACES).
    first = rebalancing_plan(province_code="21")[0]
    assert (proposal.lender, proposal.borrower, proposal.quantity) == (
        first.lender, first.borrower, first.quantity)
    assert (proposal.lender.code, proposal.borrower.code) == ("2172", "2101")
    assert proposal.quantity in (100, 200, 300)
    assert proposal.number.startswith("RB/21/") and "Kabupaten Bintan" in proposal.note
    # Its lender's supervisor decides on the loans page; the borrower reads it there.
    client.force_login(User.objects.get(username="supervisor"))
    page = client.get(reverse("blanko:loan_list", args=["2172"])).content.decode()
    assert 'data-testid="rebalancing-to-decide"' in page and proposal.number in page
    accept = reverse("blanko:rebalancing_accept", args=["2172", proposal.pk])
    assert accept in page
    assert reverse("blanko:rebalancing_decline", args=["2172", proposal.pk]) in page
    assert ">Setujui<" in page and ">Tolak<" in page
    assert client.get(accept).status_code == 200  # the confirmation of Setujui
    client.force_login(User.objects.get(username="kabid.bintan"))
    page = client.get(reverse("blanko:loan_list", args=["2101"])).content.decode()
    assert 'data-testid="rebalancing-incoming"' in page and proposal.number in page
    assert ">Setujui<" not in page
    # The coordinator sees it among the proposals sent.
    client.force_login(User.objects.get(username="kepri"))
    page = client.get(reverse("layanan:rebalancing_plan", args=["21"])).content.decode()
    assert proposal.number in page


def test_a_second_run_adds_no_request_no_procurement_and_no_proposal(seeded):
    assert counts() == seeded["first"]
    assert seeded["first"]["proposals"] == 1
    for said in ("permohonan blanko menunggu", "Usulan pemerataan RB/21/"):
        assert said in seeded["out"]
        assert said not in seeded["again"]
