"""Province rebalancing proposals: the coordinator proposes, the lender accepts (the loan
opens under the proposal's number) or declines with a reason; who may do what; what a
refused or repeated call writes; the pages of the coordinator and of both offices."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from blanko import access, services, supply_figures
from blanko.models import Loan, Movement, RebalancingProposal, Shipment
from tests.blanko.helpers import form_errors, ledger_snapshot, messages_of, url
from tests.factories import OfficeFactory, make_user
from tests.helpers import raises_without_change, today
from tests.layanan.supervision.scenarios import post_use

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


def test_no_loan_is_proposed_both_ways_at_once(proposal, coordinator, office, receive):
    receive(office, 500)
    with unchanged(match="batalkan usulan itu dulu sebelum mengusulkan arah sebaliknya"):
        services.propose_rebalancing(lender=office, borrower=proposal.lender, quantity=100,
                                     by=coordinator)


def test_a_lender_s_waiting_proposals_stay_within_its_stock(proposal, coordinator, root):
    """Batam holds 2,000 and 800 are already proposed to Tanjungpinang: 1,200 more fit,
    1,300 do not."""
    bintan = OfficeFactory(code="2101", name="Kabupaten Bintan")
    karimun = OfficeFactory(code="2102", name="Kabupaten Karimun")
    with unchanged(match="sudah 800 blanko; ditambah usulan ini \\(1.300\\) melebihi "
                         "stoknya \\(2.000\\)"):
        services.propose_rebalancing(lender=proposal.lender, borrower=bintan, quantity=1_300,
                                     by=coordinator)
    services.propose_rebalancing(lender=proposal.lender, borrower=bintan, quantity=1_200,
                                 by=coordinator)
    with unchanged(match="sudah 2.000 blanko"):
        services.propose_rebalancing(lender=proposal.lender, borrower=karimun, quantity=100,
                                     by=coordinator)


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
    with unchanged(match="berstatus \"Disetujui\""):  # another form: refused
        services.accept_rebalancing(proposal=proposal, by=other_supervisor,
                                    idempotency_key="k2")


def test_a_key_replayed_by_another_user_is_no_replay(proposal, other_supervisor, other_office):
    """The lender's Administrator sends the Supervisor's form again: the proposal is
    already accepted, and the answer says so rather than "disetujui" for them."""
    services.accept_rebalancing(proposal=proposal, by=other_supervisor, idempotency_key="k1")
    administrator = make_user(access.ADMINISTRATOR, other_office, username="adm_btm")
    with unchanged(match="berstatus \"Disetujui\""):
        services.accept_rebalancing(proposal=proposal, by=administrator, idempotency_key="k1")


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
    assert "disetujui" in messages_of(response)[0]
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


# --- The lender's confirmation: its own store before the one click ------------------------------


@pytest.fixture
def busy_lender(other_office, root):
    """Batam: 2,280 received 60 days ago, 280 used five days ago: 2,000 in store, 10 a
    day over the 28 days, lead time 30 days (the office's default): it keeps at least
    ⌈10 × (30 + 14)⌉ = 440, the plan's minimum."""
    services.receive_allocation(office=other_office, quantity=2280, reference="BAST/BTM",
                                by=root, occurred_on=today() - datetime.timedelta(days=60))
    post_use(other_office, root, today() - datetime.timedelta(days=5), 280)
    return other_office


@pytest.fixture
def busy_proposal(busy_lender, office, coordinator):
    return services.propose_rebalancing(lender=busy_lender, borrower=office, quantity=800,
                                        by=coordinator)


def text_of(page: str, name: str) -> str:
    """The text of the element marked data-testid=`name`, tags and spaces squeezed out."""
    text = page.split(f'data-testid="{name}"', 1)[1].split(">", 1)[1]
    depth, out = 0, []
    for part in re.split(r"(<[^>]*>)", text):
        if part.startswith("</"):
            if depth == 0:
                break
            depth -= 1
        elif part.startswith("<"):
            depth += not part.endswith("/>") and not part.startswith("<br")
        else:
            out.append(part)
    return " ".join("".join(out).split())


def confirmation(client, proposal) -> str:
    response = client.get(url("rebalancing_accept", proposal.lender, proposal.pk))
    assert response.status_code == 200
    return response.content.decode()


def test_the_confirmation_shows_the_stock_after_and_no_warning_above_the_minimum(
        client, busy_proposal, other_supervisor):
    """2,000 − 800 = 1,200, 120 days at 10 a day; above the 440 kept: no warning."""
    client.force_login(other_supervisor)
    page = confirmation(client, busy_proposal)
    assert text_of(page, "stock-now") == "2.000"
    assert text_of(page, "stock-after") == "1.200"
    assert text_of(page, "cover-after") == "120,0"
    assert text_of(page, "minimum") == ("440 (pemakaian 44 hari: waktu tunggu kiriman Ditjen "
                                       "30 hari + 14 hari cadangan)")
    assert "alert-warning" not in page and "alert-danger" not in page


def test_the_confirmation_warns_below_the_minimum_and_of_a_stock_fallen_since(
        client, busy_proposal, other_supervisor, third_office):
    """The review's case: proposed on 2,000, the lender has since lent 1,000 elsewhere;
    1,000 − 800 = 200 would be left, under the 440 it keeps, 20 days of use."""
    services.lend_to_office(lender=busy_proposal.lender, borrower=third_office, quantity=1000,
                            reference="PJ/LAIN", by=other_supervisor)
    client.force_login(other_supervisor)
    page = confirmation(client, busy_proposal)
    assert (text_of(page, "stock-now"), text_of(page, "stock-after"),
            text_of(page, "cover-after")) == ("1.000", "200", "20,0")
    assert text_of(page, "warning-minimum") == (
        "Perhatian: sesudah pinjaman ini stok kantor ini tinggal 200 blanko, di bawah stok "
        "minimumnya, 440 blanko: pemakaian 44 hari (10,0 blanko per hari), yaitu waktu "
        "tunggu kiriman Ditjen 30 hari ditambah 14 hari cadangan. Stok kantor ini dapat "
        "habis sebelum kiriman berikutnya tiba.")
    assert text_of(page, "warning-stock-fell").startswith(
        "Perhatian: usulan ini dibuat saat stok kantor ini 2.000 blanko; sekarang tinggal "
        "1.000 blanko.")
    assert "Setujui dan kirim pinjaman" in page  # warned, the lender may still accept


def test_the_minimum_is_the_plan_s_own(client, busy_proposal, other_supervisor):
    """The confirmation reads k from the coordinator's plan, not from a copy of the rule."""
    from layanan.supervision.rebalancing import province_plan

    [line] = [line for line in province_plan(province_code="21").lines
              if line.figures.office == busy_proposal.lender]
    client.force_login(other_supervisor)
    assert text_of(confirmation(client, busy_proposal), "minimum").startswith(
        f"{line.keep} (")


def test_a_lender_short_of_the_proposal_gets_no_accept_button(client, busy_proposal,
                                                               other_supervisor):
    services.lend_to_office(lender=busy_proposal.lender, borrower=busy_proposal.borrower,
                            quantity=1500, reference="PJ/1", by=other_supervisor)
    client.force_login(other_supervisor)
    page = confirmation(client, busy_proposal)
    assert "kurang dari jumlah usulan (800)" in text_of(page, "warning-short")
    assert text_of(page, "stock-after") == "–" and "Setujui dan kirim pinjaman" not in page
    # A form still open from before is refused, and says why.
    response = client.post(url("rebalancing_accept", busy_proposal.lender, busy_proposal.pk),
                           {"key": "lama"})
    assert response.status_code == 200 and "tidak mencukupi" in response.content.decode()


def test_without_the_supervision_layer_the_confirmation_shows_the_stock_alone(
        client, busy_proposal, other_supervisor, monkeypatch):
    monkeypatch.setattr(supply_figures, "_lender_provider", None)
    client.force_login(other_supervisor)
    page = confirmation(client, busy_proposal)
    assert (text_of(page, "stock-now"), text_of(page, "stock-after"),
            text_of(page, "cover-after")) == ("2.000", "1.200", "–")
    assert 'data-testid="minimum"' not in page and "alert-warning" not in page


def test_accepting_from_the_confirmation_opens_the_loan_once(client, busy_proposal,
                                                             other_supervisor):
    client.force_login(other_supervisor)
    page = confirmation(client, busy_proposal)
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page).group(1)
    target = url("rebalancing_accept", busy_proposal.lender, busy_proposal.pk)
    response = client.post(target, {"key": key})
    assert response.status_code == 302
    assert response.url == url("loan_list", busy_proposal.lender)
    assert messages_of(response)[0].startswith(f"Usulan {busy_proposal.number} disetujui")
    assert client.post(target, {"key": key}).status_code == 302  # the double click
    assert Loan.objects.filter(reference=busy_proposal.number).count() == 1
    busy_proposal.refresh_from_db()
    assert busy_proposal.status == Status.ACCEPTED
    # Decided: the page says so, with neither figures nor button.
    page = confirmation(client, busy_proposal)
    assert "sudah diputuskan" in page and 'data-testid="lender-effect"' not in page
    assert "Setujui dan kirim pinjaman" not in page


@pytest.mark.parametrize("user_fixture, at_lender, at_borrower", [
    ("other_supervisor", 200, 404), ("lender_administrator", 200, 404),
    # The borrower's supervisor: the lender is another office; at its own office, the
    # proposal is not one it lends in.
    ("supervisor", 404, 404),
    ("other_operator", 403, 403), ("coordinator", 403, 403),  # no manage_loan
])
def test_only_the_lender_s_supervisor_or_administrator_sees_the_confirmation(
        client, request, busy_proposal, user_fixture, at_lender, at_borrower):
    client.force_login(request.getfixturevalue(user_fixture))
    for office, status in ((busy_proposal.lender, at_lender),
                           (busy_proposal.borrower, at_borrower)):
        response = client.get(url("rebalancing_accept", office, busy_proposal.pk))
        assert response.status_code == status
        assert ('data-testid="stock-now"' in response.content.decode()) == (status == 200)


@pytest.fixture
def lender_administrator(other_office):
    return make_user(access.ADMINISTRATOR, other_office, username="admin_batam",
                     is_staff=True)


def test_the_lender_s_list_shows_its_stock_after_each_proposal(client, busy_proposal,
                                                               other_supervisor, third_office,
                                                               coordinator):
    """Two waiting proposals, each on its own: 800 leaves 1,200 (120 days), 1,200 leaves
    800 (80 days), neither under the 440 (both together: see the next test); after 1,000
    lent elsewhere, the 800 would leave 200, under the 440."""
    second = services.propose_rebalancing(lender=busy_proposal.lender, borrower=third_office,
                                          quantity=1200, by=coordinator)
    client.force_login(other_supervisor)
    page = client.get(url("loan_list", busy_proposal.lender)).content.decode()
    assert (text_of(page, f"stock-{busy_proposal.number}"),
            text_of(page, f"cover-{busy_proposal.number}")) == ("2.000 → 1.200", "120,0")
    assert (text_of(page, f"stock-{second.number}"),
            text_of(page, f"cover-{second.number}")) == ("2.000 → 800", "80,0")
    services.cancel_rebalancing(proposal=second, by=coordinator)
    services.lend_to_office(lender=busy_proposal.lender, borrower=third_office, quantity=1000,
                            reference="PJ/LAIN", by=other_supervisor)
    page = client.get(url("loan_list", busy_proposal.lender)).content.decode()
    assert text_of(page, f"stock-{busy_proposal.number}") == (
        "1.000 → 200 di bawah minimum 440")
    # "Setujui" opens the confirmation: a link, no form that accepts from the list.
    assert f'href="{url("rebalancing_accept", busy_proposal.lender, busy_proposal.pk)}"' in page
    assert 'name="key"' not in page


def test_the_borrower_s_list_shows_no_figures_of_the_lender(client, busy_proposal, supervisor):
    client.force_login(supervisor)
    page = client.get(url("loan_list", busy_proposal.borrower)).content.decode()
    assert busy_proposal.number in page
    assert f'data-testid="stock-{busy_proposal.number}"' not in page


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


@pytest.mark.parametrize("quantity", ["1" * 5_000, "6_00", "²", ""])
def test_a_tampered_quantity_sends_nothing_and_says_so(client, lender, office, coordinator,
                                                       quantity):
    client.force_login(coordinator)
    response = client.post(plan_url(), {"lender": lender.code, "borrower": office.code,
                                         "quantity": quantity})
    assert response.status_code == 302
    assert messages_of(response) == ["Usulan tidak lengkap; muat ulang halaman ini."]
    assert not RebalancingProposal.objects.exists()


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



def test_the_coordinator_sees_when_an_accepted_loan_was_cancelled(client, proposal, coordinator,
                                                                 other_supervisor):
    loan = services.accept_rebalancing(proposal=proposal, by=other_supervisor)
    client.force_login(coordinator)
    assert f'data-testid="loan-status-{proposal.number}"' not in client.get(
        plan_url()).content.decode()  # accepted, the loan under way: nothing more to say
    services.cancel_shipment(shipment=Shipment.objects.get(loan=loan), by=other_supervisor,
                             reason="Salah kirim")
    page = client.get(plan_url()).content.decode()
    status = page.split(f'data-testid="loan-status-{proposal.number}">')[1].split("<")[0]
    assert status == "pinjaman dibatalkan"


def test_send_all_with_nothing_to_send_says_so(client, coordinator):
    client.force_login(coordinator)
    response = client.post(plan_url(), {"send": "semua"})
    assert messages_of(response) == [
        "Tidak ada usulan baru untuk dikirim: rencana hari ini kosong, atau setiap "
        "usulannya masih menunggu jawaban kantor atau baru saja ditolak."]


def test_an_office_outside_the_province_is_named_as_the_reason(client, lender, coordinator):
    OfficeFactory(code="3273", name="Kota Bandung")
    client.force_login(coordinator)
    response = client.post(plan_url(), {"lender": lender.code, "borrower": "3273",
                                         "quantity": "100"})
    assert messages_of(response) == [
        "Pemberi dan penerima pinjaman harus kantor di provinsi ini."]
    assert not RebalancingProposal.objects.exists()


@pytest.mark.parametrize("pk", ["²", "١", "-1", "abc", "1" * 5_000])
def test_a_tampered_cancel_is_a_404_never_a_500(client, proposal, coordinator, pk):
    client.force_login(coordinator)
    assert client.post(plan_url(), {"cancel": pk}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == Status.PROPOSED


# --- Wording: "Setujui" approves a proposal, "Terima" stays for receiving blanks ----------------


def test_approving_is_setujui_in_the_url_the_pages_and_the_messages(client, busy_proposal,
                                                                   other_supervisor,
                                                                   coordinator):
    target = url("rebalancing_accept", busy_proposal.lender, busy_proposal.pk)
    assert target.endswith(f"/pemerataan/{busy_proposal.pk}/setujui/")
    client.force_login(other_supervisor)
    listing = client.get(url("loan_list", busy_proposal.lender)).content.decode()
    assert "Kantor pemberi pinjaman menyetujui usulan" in listing
    assert "menerima usulan" not in listing
    page = confirmation(client, busy_proposal)
    assert "bila usulan ini disetujui" in page and "Bila disetujui, pinjaman dibuka" in page
    assert "diterima" not in page  # "penerimaannya" (the borrower's receipt) stays
    client.force_login(coordinator)
    plan = client.get(plan_url()).content.decode()
    assert "menyetujui atau menolak usulan" in plan and "menerima atau menolak" not in plan


def test_a_refused_approval_says_it_cannot_be_approved(proposal, other_supervisor,
                                                      coordinator):
    services.cancel_rebalancing(proposal=proposal, by=coordinator)
    with unchanged(match="tidak dapat disetujui"):
        services.accept_rebalancing(proposal=proposal, by=other_supervisor)


def test_a_short_lender_is_told_the_proposal_cannot_be_approved(client, busy_proposal,
                                                               other_supervisor):
    services.lend_to_office(lender=busy_proposal.lender, borrower=busy_proposal.borrower,
                            quantity=1500, reference="PJ/1", by=other_supervisor)
    client.force_login(other_supervisor)
    assert "usulan ini tidak dapat disetujui" in text_of(confirmation(client, busy_proposal),
                                                         "warning-short")


# --- The decline page tells what declining does --------------------------------------------------


def test_the_decline_page_says_what_declining_does(client, proposal, other_supervisor):
    from blanko.selectors.rebalancing import DECLINED_REST_DAYS

    client.force_login(other_supervisor)
    page = client.get(url("rebalancing_decline", proposal.lender, proposal.pk)
                      ).content.decode()
    assert "Bila diterima" not in page and "Bila disetujui" not in page
    assert text_of(page, "decline-effect") == (
        "Bila ditolak, usulan ini tidak menjadi pinjaman: tidak ada blanko yang keluar dari "
        "stok kantor ini. Koordinator provinsi membaca alasan penolakan di halaman "
        "pemerataan, dan Kota Tanjungpinang di halaman pinjamannya; usulan pinjaman dari "
        "kantor ini ke Kota Tanjungpinang tidak ikut "
        f"\"Kirim semua usulan\" selama {DECLINED_REST_DAYS} hari (koordinator "
        "masih dapat mengirimnya sendiri-sendiri).")
    assert DECLINED_REST_DAYS == 7  # the coordinator's page leaves the pair out as long


# --- A refused decision shows the page as reopening it would ----------------------------------


@pytest.mark.parametrize("meanwhile", ["cancelled", "approved_by_another"])
def test_a_refused_approval_shows_the_decided_page_without_the_button(
        client, busy_proposal, other_supervisor, coordinator, lender_administrator, meanwhile):
    client.force_login(other_supervisor)
    page = confirmation(client, busy_proposal)
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page).group(1)
    if meanwhile == "cancelled":
        services.cancel_rebalancing(proposal=busy_proposal, by=coordinator)
        status = "Dibatalkan"
    else:
        services.accept_rebalancing(proposal=busy_proposal, by=lender_administrator,
                                    idempotency_key="lain")
        status = "Disetujui"
    response = client.post(url("rebalancing_accept", busy_proposal.lender, busy_proposal.pk),
                           {"key": key})
    assert response.status_code == 200
    page = response.content.decode()
    assert text_of(page, "refusal") == (
        f"Usulan {busy_proposal.number} berstatus &quot;{status}&quot;; tidak dapat "
        "disetujui.")
    reopened = confirmation(client, busy_proposal)
    for shown in (page, reopened):
        assert 'data-testid="proposal-decided"' in shown
        assert "Setujui dan kirim pinjaman" not in shown and "Bila disetujui" not in shown
        assert 'data-testid="lender-effect"' not in shown and 'name="key"' not in shown
        assert "Tolak usulan ini" not in shown
    assert Loan.objects.filter(reference=busy_proposal.number).count() == (
        meanwhile == "approved_by_another")
    when = date_format(timezone.localdate(), "j F Y")
    assert text_of(reopened, "proposal-outcome") == (
        f"Dibatalkan koordinator provinsi pada {when}." if meanwhile == "cancelled" else
        f"Disetujui pada {when}: pinjaman {busy_proposal.number}.")


def test_a_declined_proposal_s_page_gives_the_reason(client, proposal, other_supervisor):
    services.decline_rebalancing(proposal=proposal, by=other_supervisor,
                                 reason="Stok untuk Pilkada")
    client.force_login(other_supervisor)
    page = confirmation(client, proposal)
    when = date_format(timezone.localdate(), "j F Y")
    assert text_of(page, "proposal-outcome") == (
        f"Ditolak pada {when}. Alasan: Stok untuk Pilkada")


def test_a_refused_decline_shows_the_decided_page_without_the_form(client, proposal,
                                                                  other_supervisor,
                                                                  coordinator):
    client.force_login(other_supervisor)
    target = url("rebalancing_decline", proposal.lender, proposal.pk)
    services.cancel_rebalancing(proposal=proposal, by=coordinator)
    response = client.post(target, {"reason": "Stok untuk Pilkada"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "tidak dapat ditolak" in text_of(page, "refusal")
    assert 'data-testid="proposal-decided"' in page
    assert 'name="reason"' not in page and "Bila ditolak" not in page
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decline_reason) == (Status.CANCELLED, "")


# --- Several waiting proposals draw on the same store -------------------------------------------


def test_the_lender_s_list_adds_the_stock_after_all_waiting_proposals(
        client, busy_proposal, other_supervisor, third_office, coordinator):
    """800 and 300 waiting on 2,000: each line as if alone (1,200 and 1,700), and below
    them 2,000 → 900 after both, 90 days at 10 a day."""
    second = services.propose_rebalancing(lender=busy_proposal.lender, borrower=third_office,
                                          quantity=300, by=coordinator)
    client.force_login(other_supervisor)
    page = client.get(url("loan_list", busy_proposal.lender)).content.decode()
    assert text_of(page, f"stock-{busy_proposal.number}") == "2.000 → 1.200"
    assert text_of(page, f"stock-{second.number}") == "2.000 → 1.700"
    assert (text_of(page, "stock-after-all"), text_of(page, "cover-after-all")) == (
        "2.000 → 900", "90,0")
    assert "Setelah semua usulan yang menunggu (2 usulan, 1.100 blanko)" in page


def test_the_total_is_flagged_below_the_minimum_or_short(client, busy_proposal,
                                                        other_supervisor, third_office,
                                                        coordinator):
    """800 and 1,200: each alone leaves more than the 440 kept, both together nothing;
    after 1,000 lent elsewhere, the store cannot give both."""
    services.propose_rebalancing(lender=busy_proposal.lender, borrower=third_office,
                                 quantity=1200, by=coordinator)
    client.force_login(other_supervisor)
    page = client.get(url("loan_list", busy_proposal.lender)).content.decode()
    assert text_of(page, "stock-after-all") == "2.000 → 0 di bawah minimum 440"
    services.lend_to_office(lender=busy_proposal.lender, borrower=third_office, quantity=1000,
                            reference="PJ/LAIN", by=other_supervisor)
    page = client.get(url("loan_list", busy_proposal.lender)).content.decode()
    assert text_of(page, "stock-after-all") == "1.000 → – stok tidak cukup untuk semuanya"


def test_a_single_waiting_proposal_has_no_total(client, busy_proposal, other_supervisor):
    client.force_login(other_supervisor)
    page = client.get(url("loan_list", busy_proposal.lender)).content.decode()
    assert 'data-testid="stock-after-all"' not in page
    assert 'data-testid="others-waiting"' not in confirmation(client, busy_proposal)


def test_the_confirmation_tells_of_the_other_waiting_proposals(client, busy_proposal,
                                                              other_supervisor, third_office,
                                                              coordinator):
    services.propose_rebalancing(lender=busy_proposal.lender, borrower=third_office,
                                 quantity=300, by=coordinator)
    client.force_login(other_supervisor)
    page = confirmation(client, busy_proposal)
    assert text_of(page, "stock-after") == "1.200"  # this proposal's own figure stays
    assert text_of(page, "others-waiting") == (
        "Masih ada 1 usulan lain yang menunggu keputusan kantor ini, seluruhnya 300 blanko. "
        "Stok kantor ini setelah semua usulan yang menunggu disetujui: 900 blanko, cukup "
        "untuk 90,0 hari.")


# --- What became of the proposals: both offices see the outcome for 30 days --------------------


@pytest.fixture
def outcomes(lender, office, third_office, coordinator, other_supervisor, root):
    """Batam lends: to Tanjungpinang, approved; to Lingga, declined; Lingga lends to
    Tanjungpinang, withdrawn; and Batam's older approval to Tanjungpinang, 31 days ago."""
    receive_third = services.receive_allocation(office=third_office, quantity=500,
                                                reference="BAST/LGA", by=root)
    assert receive_third
    old = services.propose_rebalancing(lender=lender, borrower=office, quantity=100,
                                       by=coordinator)
    services.accept_rebalancing(proposal=old, by=other_supervisor)
    old.refresh_from_db()
    RebalancingProposal.objects.filter(pk=old.pk).update(
        decided_at=old.decided_at - datetime.timedelta(days=31))
    approved = services.propose_rebalancing(lender=lender, borrower=office, quantity=800,
                                            by=coordinator)
    services.accept_rebalancing(proposal=approved, by=other_supervisor)
    declined = services.propose_rebalancing(lender=lender, borrower=third_office, quantity=200,
                                            by=coordinator)
    services.decline_rebalancing(proposal=declined, by=other_supervisor,
                                 reason="Stok untuk Pilkada")
    cancelled = services.propose_rebalancing(lender=third_office, borrower=office,
                                             quantity=100, by=coordinator)
    services.cancel_rebalancing(proposal=cancelled, by=coordinator)
    return {"old": old, "approved": approved, "declined": declined, "cancelled": cancelled}


def test_the_borrower_sees_what_became_of_its_proposals(client, outcomes, supervisor, office):
    client.force_login(supervisor)
    page = client.get(url("loan_list", office)).content.decode()
    approved, cancelled = outcomes["approved"], outcomes["cancelled"]
    assert text_of(page, f"outcome-{approved.number}") == (
        f"pinjaman {approved.number} (berjalan)")
    assert text_of(page, f"outcome-{cancelled.number}") == "ditarik koordinator provinsi"
    row = text_of(page, f"decided-{approved.number}")
    assert row.startswith(f"{approved.number} Kota Batam meminjamkan ke kantor ini 800")
    assert "Disetujui" in row
    # Batam's decline concerns Lingga, not Tanjungpinang; the older one is past 30 days
    # (its loan still shows among the loans).
    assert outcomes["declined"].number not in page
    assert f'data-testid="decided-{outcomes["old"].number}"' not in page


def test_the_borrower_reads_the_reason_it_was_declined_as_the_lender_was_told(
        client, lender, office, coordinator, other_supervisor, supervisor):
    declined = services.propose_rebalancing(lender=lender, borrower=office, quantity=200,
                                            by=coordinator)
    client.force_login(other_supervisor)
    response = client.post(url("rebalancing_decline", lender, declined.pk),
                           {"reason": "Stok untuk Pilkada"})
    assert messages_of(response) == [
        f"Usulan {declined.number} ditolak; koordinator provinsi dan Kota Tanjungpinang "
        "membaca alasannya."]
    client.force_login(supervisor)
    page = client.get(url("loan_list", office)).content.decode()
    assert text_of(page, f"outcome-{declined.number}") == "alasan: Stok untuk Pilkada"


def test_the_lender_keeps_its_decisions_in_view(client, outcomes, other_supervisor, lender):
    client.force_login(other_supervisor)
    page = client.get(url("loan_list", lender)).content.decode()
    declined = outcomes["declined"]
    assert text_of(page, f"outcome-{declined.number}") == "alasan: Stok untuk Pilkada"
    assert text_of(page, f"decided-{declined.number}").startswith(
        f"{declined.number} kantor ini meminjamkan ke Kabupaten Lingga 200")
    assert f'data-testid="decided-{outcomes["approved"].number}"' in page
    for other in ("cancelled", "old"):  # Lingga's proposal; past 30 days
        assert f'data-testid="decided-{outcomes[other].number}"' not in page


def test_the_loan_list_reads_the_proposals_in_one_query_however_many(
        client, busy_proposal, other_supervisor, third_office, coordinator):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("loan_list", busy_proposal.lender)).status_code == 200
        return len(queries)

    client.force_login(other_supervisor)
    client.get(url("loan_list", busy_proposal.lender))  # warm the session
    one = count()
    second = services.propose_rebalancing(lender=busy_proposal.lender, borrower=third_office,
                                          quantity=300, by=coordinator)
    services.decline_rebalancing(proposal=second, by=other_supervisor, reason="Tidak")
    for decide in (services.accept_rebalancing, services.cancel_rebalancing, None):
        made = services.propose_rebalancing(lender=busy_proposal.lender,
                                            borrower=third_office, quantity=100,
                                            by=coordinator)
        if decide is services.accept_rebalancing:
            decide(proposal=made, by=other_supervisor)
        elif decide is not None:
            decide(proposal=made, by=coordinator)
    page = client.get(url("loan_list", busy_proposal.lender)).content.decode()
    assert page.count('data-testid="decided-') == 3 and 'data-testid="stock-after-all"' in page
    assert count() == one


# --- The loan a proposal opens has no due date --------------------------------------------------


def test_an_approved_proposal_s_loan_has_no_due_date_and_the_lender_may_set_one(
        client, busy_proposal, other_supervisor):
    """No loan form or service suggests a default term, so none is invented here; the
    confirmation says so, and the lender sets one as for any loan it opened."""
    client.force_login(other_supervisor)
    assert "Pinjaman ini dibuka tanpa jatuh tempo" in confirmation(client, busy_proposal)
    loan = services.accept_rebalancing(proposal=busy_proposal, by=other_supervisor)
    assert loan.due_on is None
    due = today() + datetime.timedelta(days=90)
    response = client.post(url("loan_due_date", busy_proposal.lender, loan.pk),
                           {"due_on": due.isoformat()})
    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.due_on == due


@pytest.mark.parametrize(("printed", "warned"), [(0, False), (2, False), (199, False),
                                                 (200, True), (700, True)])
def test_the_stock_fell_warning_takes_a_tenth_of_the_stock(printed, warned):
    """The office user's case: two cards printed since the proposal warned as loudly as a
    loan of 1,000 sent elsewhere."""
    from blanko.views.rebalancing import LenderEffect

    effect = LenderEffect(stock=2_000 - printed, quantity=800, stock_when_proposed=2_000)
    assert effect.stock_fell is warned


def test_a_declined_proposal_reads_declined_in_english_not_rejected():
    from django.utils import translation

    with translation.override("en"):
        assert str(Status.DECLINED.label) == "Declined"
    with translation.override("id"):
        assert str(Status.DECLINED.label) == "Ditolak"
