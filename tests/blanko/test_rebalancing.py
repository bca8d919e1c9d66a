"""Province rebalancing proposals: the coordinator proposes, the lender accepts (the loan
opens under the proposal's number) or declines with a reason; who may do what; what a
refused or repeated call writes; the pages of the coordinator and of both offices."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from blanko import access, services
from blanko.models import Loan, Movement, RebalancingProposal, Shipment
from tests.blanko.helpers import form_errors, ledger_snapshot, messages_of, url
from tests.factories import OfficeFactory, make_user
from tests.helpers import raises_without_change, today

pytestmark = pytest.mark.usefixtures("ledger_clean_after")

Status = RebalancingProposal.Status


def snapshot() -> dict:
    return {**ledger_snapshot(), "proposals": list(
        RebalancingProposal.objects.order_by("pk").values_list(
            "pk", "status", "decline_reason", "loan_id", "decided_by_id"))}


def unchanged(exception=ValidationError, match=None):
    return raises_without_change(snapshot, exception, match)


@pytest.fixture
def coordinator(db):
    return make_user(access.PROVINCE, None, username="kepri_uji", office__region="21")


@pytest.fixture
def far_coordinator(db):
    return make_user(access.PROVINCE, None, username="jabar_uji", office__region="32")


@pytest.fixture
def lender(other_office, receive):
    """Batam, with 2,000 blanks."""
    receive(other_office, 2000)
    return other_office


@pytest.fixture
def proposal(lender, office, coordinator):
    return services.propose_rebalancing(lender=lender, borrower=office, quantity=800,
                                        by=coordinator, note="Tanjungpinang 10 hari")


# --- Propose ------------------------------------------------------------------------------------


def test_the_coordinator_proposes_a_numbered_loan_and_nothing_moves(lender, office, coordinator,
                                                                    third_office):
    before = ledger_snapshot()
    proposal = services.propose_rebalancing(lender=lender, borrower=office, quantity=800,
                                            by=coordinator)
    assert proposal.number == f"RB/21/{today().year}/0001"
    assert (proposal.status, proposal.quantity, proposal.proposed_by) == (
        Status.PROPOSED, 800, coordinator)
    assert ledger_snapshot() == before
    second = services.propose_rebalancing(lender=lender, borrower=third_office,
                                          quantity=100, by=coordinator)
    assert second.number == f"RB/21/{today().year}/0002"


@pytest.mark.parametrize("user_fixture", ["far_coordinator", "supervisor", "other_supervisor",
                                          "administrator", "region_viewer"])
def test_only_the_coordinator_of_the_province_proposes(request, lender, office, user_fixture):
    user = request.getfixturevalue(user_fixture)
    with unchanged(PermissionDenied):
        services.propose_rebalancing(lender=lender, borrower=office, quantity=100, by=user)


@pytest.mark.parametrize("quantity, message", [
    (150, "kelipatan 100"), (0, "lebih dari 0"), (2100, "hanya memiliki 2.000"),
])
def test_a_proposal_is_whole_hundreds_within_the_lender_s_stock(lender, office, coordinator,
                                                                quantity, message):
    with unchanged(match=message):
        services.propose_rebalancing(lender=lender, borrower=office, quantity=quantity,
                                     by=coordinator)


def test_a_proposal_stays_within_one_province(lender, coordinator, root):
    bandung = OfficeFactory(code="3273", name="Kota Bandung")
    with unchanged(PermissionDenied):  # Bandung is outside the coordinator's scope
        services.propose_rebalancing(lender=lender, borrower=bandung, quantity=100,
                                     by=coordinator)
    with unchanged(match="provinsi yang sama"):  # a superuser reaches both, still refused
        services.propose_rebalancing(lender=lender, borrower=bandung, quantity=100, by=root)
    with unchanged(match="berbeda"):
        services.propose_rebalancing(lender=lender, borrower=lender, quantity=100,
                                     by=coordinator)


def test_one_waiting_proposal_per_pair(proposal, coordinator):
    with unchanged(match="masih menunggu"):
        services.propose_rebalancing(lender=proposal.lender, borrower=proposal.borrower,
                                     quantity=100, by=coordinator)


def test_the_database_refuses_an_inconsistent_proposal(proposal):
    with pytest.raises(IntegrityError), transaction.atomic():
        RebalancingProposal.objects.filter(pk=proposal.pk).update(status=Status.ACCEPTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        RebalancingProposal.objects.filter(pk=proposal.pk).update(quantity=850)


# --- Accept ------------------------------------------------------------------------------------


def test_accepting_opens_the_loan_under_the_proposal_s_number_and_sends_the_blanks(
        proposal, other_supervisor, office):
    loan = services.accept_rebalancing(proposal=proposal, by=other_supervisor,
                                       idempotency_key="k1")
    assert (loan.reference, loan.quantity, loan.lender_office, loan.borrower_office) == (
        proposal.number, 800, proposal.lender, office)
    shipment = Shipment.objects.get(loan=loan)
    assert (shipment.status, shipment.quantity) == (Shipment.Status.IN_TRANSIT, 800)
    assert services.office_location(proposal.lender, "transit").balance.quantity == 800
    assert services.office_location(proposal.lender, "stock").balance.quantity == 1200
    proposal.refresh_from_db()
    assert (proposal.status, proposal.loan, proposal.decided_by) == (
        Status.ACCEPTED, loan, other_supervisor)


def test_a_double_click_accepts_once(proposal, other_supervisor):
    first = services.accept_rebalancing(proposal=proposal, by=other_supervisor,
                                        idempotency_key="k1")
    again = services.accept_rebalancing(proposal=proposal, by=other_supervisor,
                                        idempotency_key="k1")
    assert again == first
    assert Loan.objects.count() == 1
    assert Movement.objects.filter(reason=Movement.Reason.LOAN_OUT).count() == 1
    with unchanged(match="berstatus \"Diterima\""):  # another form: refused
        services.accept_rebalancing(proposal=proposal, by=other_supervisor,
                                    idempotency_key="k2")


@pytest.mark.parametrize("user_fixture", ["supervisor", "operator", "coordinator",
                                          "third_supervisor"])
def test_only_the_lender_s_supervisor_accepts(request, proposal, user_fixture):
    # The borrower's supervisor, an operator, the coordinator, another office.
    user = request.getfixturevalue(user_fixture)
    with unchanged(PermissionDenied):
        services.accept_rebalancing(proposal=proposal, by=user)


def test_accepting_more_than_the_lender_now_holds_writes_nothing(proposal, other_supervisor):
    # The proposal was made on 2,000; 500 are left when the lender answers.
    services.lend_to_office(lender=proposal.lender, borrower=proposal.borrower,
                            quantity=1500, reference="PJ/1", by=other_supervisor)
    with unchanged(match="tidak mencukupi"):
        services.accept_rebalancing(proposal=proposal, by=other_supervisor)


# --- Decline, cancel ----------------------------------------------------------------------------


def test_declining_needs_a_reason_and_closes_the_proposal(proposal, other_supervisor):
    with unchanged(match="alasan"):
        services.decline_rebalancing(proposal=proposal, by=other_supervisor, reason="  ")
    declined = services.decline_rebalancing(proposal=proposal, by=other_supervisor,
                                            reason="Stok untuk Pilkada")
    assert (declined.status, declined.decline_reason) == (Status.DECLINED, "Stok untuk Pilkada")
    with unchanged(match="berstatus \"Ditolak\""):
        services.accept_rebalancing(proposal=proposal, by=other_supervisor)


def test_the_borrower_cannot_decline(proposal, supervisor):
    with unchanged(PermissionDenied):
        services.decline_rebalancing(proposal=proposal, by=supervisor, reason="tidak")


def test_the_coordinator_withdraws_a_waiting_proposal_only(proposal, coordinator,
                                                           other_supervisor):
    services.cancel_rebalancing(proposal=proposal, by=coordinator)
    proposal.refresh_from_db()
    assert proposal.status == Status.CANCELLED
    with unchanged(match="berstatus"):
        services.accept_rebalancing(proposal=proposal, by=other_supervisor)


# --- The lender's and the borrower's loan pages --------------------------------------------------


def test_the_lender_sees_the_proposal_with_accept_and_decline(client, proposal,
                                                              other_supervisor):
    client.force_login(other_supervisor)
    page = client.get(url("loan_list", proposal.lender)).content.decode()
    assert proposal.number in page
    assert url("rebalancing_accept", proposal.lender, proposal.pk) in page
    assert url("rebalancing_decline", proposal.lender, proposal.pk) in page


def test_the_borrower_sees_it_read_only_and_cannot_open_its_forms(client, proposal,
                                                                  supervisor):
    client.force_login(supervisor)
    page = client.get(url("loan_list", proposal.borrower)).content.decode()
    assert proposal.number in page and 'data-testid="rebalancing-incoming"' in page
    assert "rebalancing_accept" not in page and "/pemerataan/" not in page
    # Its own office in the URL: not a proposal it lends in. The lender's: another office.
    for office in (proposal.borrower, proposal.lender):
        assert client.post(url("rebalancing_accept", office, proposal.pk),
                           {"key": "x"}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == Status.PROPOSED


def test_the_accept_form_opens_the_loan_once(client, proposal, other_supervisor):
    client.force_login(other_supervisor)
    target = url("rebalancing_accept", proposal.lender, proposal.pk)
    response = client.post(target, {"key": "klik-1"})
    assert response.status_code == 302
    assert "diterima" in messages_of(response)[0]
    assert client.post(target, {"key": "klik-1"}).status_code == 302  # the double click
    assert Loan.objects.filter(reference=proposal.number).count() == 1


def test_the_decline_form_shows_the_missing_reason(client, proposal, other_supervisor):
    client.force_login(other_supervisor)
    target = url("rebalancing_decline", proposal.lender, proposal.pk)
    response = client.post(target, {"reason": ""})
    assert response.status_code == 200 and form_errors(response)
    response = client.post(target, {"reason": "Untuk Pilkada"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Status.DECLINED


def test_an_operator_of_the_lender_gets_no_decision_page(client, proposal, other_operator):
    client.force_login(other_operator)
    assert client.get(url("rebalancing_accept", proposal.lender, proposal.pk)
                      ).status_code == 403


# --- The coordinator's plan page -----------------------------------------------------------------


def plan_url(province: str = "21") -> str:
    return reverse("layanan:rebalancing_plan", kwargs={"province": province})


def test_the_coordinator_sends_a_proposal_from_the_plan_page(client, lender, office,
                                                            coordinator):
    client.force_login(coordinator)
    assert client.get(plan_url()).status_code == 200
    response = client.post(plan_url(), {"lender": lender.code, "borrower": office.code,
                                         "quantity": "500"})
    assert response.status_code == 302
    sent = RebalancingProposal.objects.get()
    assert (sent.lender, sent.borrower, sent.quantity) == (lender, office, 500)
    page = client.get(plan_url()).content.decode()
    assert sent.number in page and "Diusulkan" in page
    # A second click on the same button is refused, not sent twice.
    client.post(plan_url(), {"lender": lender.code, "borrower": office.code,
                             "quantity": "500"})
    assert RebalancingProposal.objects.count() == 1


def test_the_coordinator_cancels_from_the_plan_page(client, proposal, coordinator):
    client.force_login(coordinator)
    client.post(plan_url(), {"cancel": str(proposal.pk)})
    proposal.refresh_from_db()
    assert proposal.status == Status.CANCELLED


@pytest.mark.parametrize("user_fixture, status", [
    ("supervisor", 403), ("administrator", 403), ("region_viewer", 403),
    ("far_coordinator", 404),
])
def test_the_plan_page_is_the_coordinator_s_own(client, request, lender, office, user_fixture,
                                                status):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(plan_url()).status_code == status
    assert client.post(plan_url(), {"lender": lender.code, "borrower": office.code,
                                    "quantity": "500"}).status_code == status
    assert not RebalancingProposal.objects.exists()


def test_the_plan_page_refuses_a_code_that_is_no_province(client, coordinator):
    client.force_login(coordinator)
    assert client.get(plan_url("2172")).status_code == 404

