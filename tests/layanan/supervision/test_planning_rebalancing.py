"""Province rebalancing (issue 14, part 2): the arithmetic against scenarios worked out
by hand, and the same scenario read from the ledger in a fixed number of queries.

Scenario "uneven", all offices with lead time 30 (L + 14 = 44) but A with 100:
| office | a | s | k = ceil(a(L+14)) | t = floor(a × T) | role, g or need | cover |
| A | 10 | 2000 | 10 × 114 = 1140 | floor(10 × 3700/35) = 1057 | gives min(943, 860) = 860 | 200 |
| B | 20 | 200 | 880 | floor(20 × 3700/35) = 2114 | needs 1914 | 10 |
| C | 5 | 1500 | 220 | floor(5 × 3700/35) = 528 | gives min(972, 1280) = 972 | 300 |
| D | 0 | 900 | (no use: no part) | | | |
T = (2000 + 200 + 1500) ÷ (10 + 20 + 5) = 3700/35 = 105.7 days. Lenders by cover
descending: C, then A. C → B: min(972, 1914) = 972, rounded down 900 (C keeps 72, too
few for another); A → B: min(860, 1914 − 900 = 1014) = 860, rounded 800.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format

from blanko import access, services
from blanko.models import Office, RebalancingProposal
from layanan.supervision import rebalancing
from layanan.supervision.rebalancing import OfficeFigures, Proposal, plan
from tests.factories import OfficeFactory, make_user
from tests.helpers import today
from tests.layanan.supervision.scenarios import post_use


def figures(name, *, average, stock, lead=30, incoming=0):
    return OfficeFigures(office=name, stock=stock, average=Fraction(average),
                         lead_time_days=lead, code=name, incoming=incoming)


UNEVEN = [figures("A", average=10, stock=2000, lead=100), figures("B", average=20, stock=200),
          figures("C", average=5, stock=1500), figures("D", average=0, stock=900)]


# --- The arithmetic, from hand-made figures -------------------------------------------------


def test_uneven_province_lends_from_the_longest_cover_to_the_shortest_in_hundreds():
    result = plan(UNEVEN)
    assert result.province_cover == Fraction(3700, 35)
    assert result.proposals == [Proposal("C", "B", 900), Proposal("A", "B", 800)]
    by_name = {line.figures.office: line for line in result.lines}
    assert [(by_name[n].keep, by_name[n].target, by_name[n].can_give, by_name[n].needs)
            for n in "ABC"] == [(1140, 1057, 860, 0), (880, 2114, 0, 1914),
                                (220, 528, 972, 0)]
    assert [by_name[n].stock_after for n in "ABCD"] == [1200, 1900, 600, 900]
    assert by_name["B"].cover_after == 95  # 1900 / 20, from 10 days
    assert by_name["D"].role == rebalancing.NEITHER and by_name["D"].cover_after is None


def test_a_lender_never_goes_below_its_lead_time_and_fourteen_days_of_use():
    # A: k = ceil(10 × 44) = 440, t = floor(10 × 25) = 250: g = min(250, 60) = 60 < 100.
    result = plan([figures("A", average=10, stock=500), figures("B", average=10, stock=0)])
    assert result.lines[0].can_give == 60
    assert result.proposals == []


def test_balanced_province_gets_no_proposal_under_a_hundred_blanks():
    # T = 2950/30; t_A = 983, t_B = 1966: A could give 17, B needs 16; rounded down, 0.
    result = plan([figures("A", average=10, stock=1000), figures("B", average=20, stock=1950)])
    assert [(line.target, line.can_give, line.needs) for line in result.lines] == [
        (983, 17, 0), (1966, 0, 16)]
    assert result.proposals == []


def test_one_lender_fills_the_borrowers_shortest_cover_first():
    # T = 2000/30; t = floor(10 × 2000/30) = 666 each. A: k = ceil(10 × 15) = 150, gives
    # min(834, 1350) = 834. B (cover 15) needs 516, C (cover 35) 316. A → B 500 (B's 16
    # left is too few), A → C min(334, 316) = 316, rounded 300.
    result = plan([figures("A", average=10, stock=1500, lead=1),
                   figures("C", average=10, stock=350), figures("B", average=10, stock=150)])
    assert result.proposals == [Proposal("A", "B", 500), Proposal("A", "C", 300)]


def test_blanks_in_transit_count_as_the_receiving_office_s():
    """A: s 1,000, a 10, k 440. B: s 100, a 10, 300 on their way to it.
    Positions 1,000 and 400: T = 1,400 / 20 = 70, t = 700 each. A gives min(300, 560) =
    300, B needs 300: A → B 300. (Stock alone, T = 55 and t = 550: A → B 400.)"""
    result = plan([figures("A", average=10, stock=1000),
                   figures("B", average=10, stock=100, incoming=300)])
    assert result.province_cover == 70
    assert result.proposals == [Proposal("A", "B", 300)]
    assert result.lines[1].cover_after == 70  # (100 + 300 + 300) / 10, from 40
    without = plan([figures("A", average=10, stock=1000), figures("B", average=10, stock=100)])
    assert without.proposals == [Proposal("A", "B", 400)]


def test_an_accepted_loan_on_its_way_is_not_proposed_again():
    """After A → B 400 was accepted: A holds 600, B 100 with 400 coming. Positions 600 and
    500, T = 55, t = 550: A could give min(50, 160) = 50, under 100: no proposal. With
    the stock alone (T = 35, t = 350) A could give min(250, 160) = 160: B would be
    offered 100 more."""
    after = plan([figures("A", average=10, stock=600),
                  figures("B", average=10, stock=100, incoming=400)])
    assert after.proposals == []
    stock_alone = plan([figures("A", average=10, stock=600),
                        figures("B", average=10, stock=100)])
    assert stock_alone.proposals == [Proposal("A", "B", 100)]


def test_a_province_without_use_has_no_plan():
    result = plan([figures("A", average=0, stock=500)])
    assert result.proposals == [] and result.province_cover is None


# --- The same scenario, read from the ledger --------------------------------------------------


@pytest.fixture
def kepri(root):
    """Province 21 as in "uneven": blanks received 60 days ago, used 5 days ago (a whole
    28-day window with stock, so average = used ÷ 28), lead times from the offices'
    field (no request measured). Jawa Barat's Bandung is not part of it."""
    received_on = today() - datetime.timedelta(days=60)
    used_on = today() - datetime.timedelta(days=5)
    offices = {}
    for code, name, received, used, lead in [
            ("2171", "Kota Batam", 2280, 280, 100), ("2172", "Kota Tanjungpinang", 760, 560, 30),
            ("2101", "Kabupaten Bintan", 1640, 140, 30), ("2103", "Kabupaten Natuna", 900, 0, 30),
            ("3273", "Kota Bandung", 5000, 28, 30)]:
        office = OfficeFactory(code=code, name=name)
        Office.objects.filter(pk=office.pk).update(lead_time_days=lead)
        services.receive_allocation(office=office, quantity=received, reference=f"BAST/{code}",
                                    by=root, occurred_on=received_on)
        if used:
            post_use(office, root, used_on, used)
        offices[code] = office
    return offices


def test_the_plan_reads_each_office_s_dashboard_figures_from_the_ledger(kepri):
    proposals = rebalancing.rebalancing_plan(province_code="21")
    assert [(p.lender.code, p.borrower.code, p.quantity) for p in proposals] == [
        ("2101", "2172", 900), ("2171", "2172", 800)]
    lines = {line.figures.office.code: line for line in
             rebalancing.province_plan(province_code="21").lines}
    assert set(lines) == {"2101", "2103", "2171", "2172"}
    assert (lines["2171"].figures.average, lines["2171"].figures.stock,
            lines["2171"].keep) == (10, 2000, 1140)


def test_a_past_date_uses_the_stock_of_that_day(kepri):
    # Before the use, the stores held what they received and had used nothing: no plan.
    as_of = today() - datetime.timedelta(days=6)
    assert rebalancing.rebalancing_plan(province_code="21", as_of=as_of) == []


def test_the_plan_runs_the_same_queries_for_four_offices_as_for_eight(kepri, root):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            rebalancing.rebalancing_plan(province_code="21")
        return len(captured)

    before = count()
    for code in ("2102", "2104", "2105", "2106"):
        office = OfficeFactory(code=code, name=f"Kantor {code}")
        services.receive_allocation(office=office, quantity=500, reference=f"BAST/{code}",
                                    by=root, occurred_on=today() - datetime.timedelta(days=60))
        post_use(office, root, today() - datetime.timedelta(days=3), 56)
    assert count() == before <= 8


def test_a_loan_on_its_way_counts_for_the_borrower_and_is_not_proposed_twice(kepri, root):
    """Bintan lends Tanjungpinang the 900 of the plan; they are on the road. Tanjungpinang:
    stock 200 and 900 coming, position 1,100; Bintan 600. Σp = 2,000 + 1,100 + 600 =
    3,700, as before the loan: Tanjungpinang still needs 2,114 − 1,100 = 1,014, Bintan
    can give min(600 − 528, 600 − 220) = 72, too few; Batam's 800 remains. (Stock alone,
    Σs = 2,800, T = 80: Bintan would be asked for 200 more.)"""
    services.lend_to_office(lender=kepri["2101"], borrower=kepri["2172"], quantity=900,
                            reference="RB/21/2026/0001", by=root)
    proposals = rebalancing.rebalancing_plan(province_code="21")
    assert [(p.lender.code, p.borrower.code, p.quantity) for p in proposals] == [
        ("2171", "2172", 800)]
    lines = {line.figures.office.code: line for line in
             rebalancing.province_plan(province_code="21").lines}
    assert (lines["2172"].figures.stock, lines["2172"].figures.incoming) == (200, 900)


# --- The coordinator's page -------------------------------------------------------------------


@pytest.fixture
def coordinator(db):
    return make_user(access.PROVINCE, None, username="kepri_uji", office__region="21")


PLAN_URL = "/provinsi/21/pemerataan/"


def test_the_page_shows_what_is_on_its_way_to_each_office(client, kepri, root, coordinator):
    services.lend_to_office(lender=kepri["2101"], borrower=kepri["2172"], quantity=900,
                            reference="RB/21/2026/0001", by=root)
    client.force_login(coordinator)
    html = client.get(PLAN_URL).content.decode()
    row = html.split("2172 · Kota Tanjungpinang")[1].split("</tr>")[0]
    cells = [cell.split(">")[-1] for cell in row.split("</td>")[:3]]
    assert cells == ["200", "900", "20,0"]  # stock, on its way, average a day


def test_a_pair_just_declined_is_not_sent_again_by_send_all(client, kepri, coordinator,
                                                           root):
    lender = make_user(access.SUPERVISOR, kepri["2101"])
    first = services.propose_rebalancing(lender=kepri["2101"], borrower=kepri["2172"],
                                         quantity=900, by=coordinator)
    services.decline_rebalancing(proposal=first, by=lender, reason="Stok untuk Pilkada")
    client.force_login(coordinator)
    html = client.get(PLAN_URL).content.decode()
    note = html.split(f'data-testid="declined-{first.number}">')[1].split("</p>")[0]
    first.refresh_from_db()
    day = date_format(timezone.localtime(first.decided_at), "j M Y")
    assert note == (f"Usulan {first.number} ditolak {day} (alasan: Stok untuk Pilkada); tidak "
                    "ikut \"Kirim semua usulan\" selama 7 hari.")
    client.post(PLAN_URL, {"send": "semua"})
    sent = RebalancingProposal.objects.exclude(pk=first.pk)
    assert [(p.lender.code, p.borrower.code, p.quantity) for p in sent] == [
        ("2171", "2172", 800)]
    # The coordinator may still send it again by hand, after talking to the lender.
    client.post(PLAN_URL, {"lender": "2101", "borrower": "2172", "quantity": "900"})
    assert RebalancingProposal.objects.filter(lender=kepri["2101"],
                                              status=RebalancingProposal.Status.PROPOSED
                                              ).count() == 1


def test_a_declined_pair_stays_out_of_send_all_however_many_proposals_came_since(
        client, kepri, coordinator):
    """The page lists the latest 50 proposals; the pairs to leave out are read apart."""
    lender = make_user(access.SUPERVISOR, kepri["2101"])
    first = services.propose_rebalancing(lender=kepri["2101"], borrower=kepri["2172"],
                                         quantity=900, by=coordinator)
    services.decline_rebalancing(proposal=first, by=lender, reason="Stok untuk Pilkada")
    for _ in range(51):
        later = services.propose_rebalancing(lender=kepri["2171"], borrower=kepri["2103"],
                                             quantity=100, by=coordinator)
        services.cancel_rebalancing(proposal=later, by=coordinator)
    client.force_login(coordinator)
    assert f'data-testid="declined-{first.number}"' in client.get(PLAN_URL).content.decode()
    client.post(PLAN_URL, {"send": "semua"})
    waiting = RebalancingProposal.objects.filter(status=RebalancingProposal.Status.PROPOSED)
    assert [(p.lender.code, p.borrower.code, p.quantity) for p in waiting] == [
        ("2171", "2172", 800)]


def test_a_waiting_proposal_the_plan_no_longer_makes_is_flagged(client, kepri, coordinator):
    """Bintan → Tanjungpinang 900 is in today's plan; Natuna → Batam 100 (no use at
    Natuna, no need at Batam) is not: the coordinator is told to think of cancelling it."""
    planned = services.propose_rebalancing(lender=kepri["2101"], borrower=kepri["2172"],
                                           quantity=900, by=coordinator)
    stale = services.propose_rebalancing(lender=kepri["2103"], borrower=kepri["2171"],
                                         quantity=100, by=coordinator)
    client.force_login(coordinator)
    html = client.get(PLAN_URL).content.decode()
    assert f'data-testid="stale-{planned.number}"' not in html
    flag = html.split(f'data-testid="stale-{stale.number}">')[1].split("<")[0]
    assert flag == "tidak ada lagi di rencana hari ini; pertimbangkan membatalkannya"


# --- The note a proposal from the plan carries --------------------------------------------------


def test_the_note_gives_both_offices_days_of_cover_in_indonesian_whatever_the_language():
    """B (borrower) 200 ÷ 20 = 10 days, C (lender) 1,500 ÷ 5 = 300 days; an office of
    1,250 days is written the Indonesian way; one without use is said to have none."""
    result = plan(UNEVEN + [figures("E", average=2, stock=2500)])
    office = {code: OfficeFactory.build(code=code, name=f"Kantor {code}") for code in "BCDE"}
    with translation.override("en"):
        assert rebalancing.proposal_note(plan=result, lender=office["C"],
                                         borrower=office["B"]) == (
            "Pemerataan provinsi: stok Kantor B cukup untuk sekitar 10 hari, stok Kantor C "
            "sekitar 300 hari.")
        assert rebalancing.proposal_note(plan=result, lender=office["E"],
                                         borrower=office["D"]) == (
            "Pemerataan provinsi: Kantor D tanpa pemakaian, stok Kantor E sekitar 1.250 hari.")


def _notes() -> dict[tuple[str, str], str]:
    return {(p.lender.code, p.borrower.code): p.note
            for p in RebalancingProposal.objects.select_related("lender", "borrower")}


def test_a_proposal_sent_from_the_plan_carries_the_day_s_figures_and_the_coordinator_s_words(
        client, kepri, coordinator):
    """Tanjungpinang 200 ÷ 20 = 10 days; Bintan 1,500 ÷ 5 = 300 days."""
    client.force_login(coordinator)
    client.post(PLAN_URL, {"lender": "2101", "borrower": "2172", "quantity": "900",
                           "note": "  Mohon dikirim sebelum Pilkada.  "})
    assert _notes() == {("2101", "2172"): (
        "Pemerataan provinsi: stok Kota Tanjungpinang cukup untuk sekitar 10 hari, stok "
        "Kabupaten Bintan sekitar 300 hari.\nMohon dikirim sebelum Pilkada.")}
    # The coordinator reads it in the list of proposals sent, escaped, a line each.
    sent = RebalancingProposal.objects.get()
    page = client.get(PLAN_URL).content.decode()
    cell = page.split(f'data-testid="note-{sent.number}">')[1].split("</td>")[0]
    assert cell == ("Pemerataan provinsi: stok Kota Tanjungpinang cukup untuk sekitar 10 "
                    "hari, stok Kabupaten Bintan sekitar 300 hari.<br>Mohon dikirim sebelum "
                    "Pilkada.")
    # The lender reads it on its loans page, instead of "–".
    lender = make_user(access.SUPERVISOR, kepri["2101"])
    client.force_login(lender)
    page = client.get("/kantor/2101/pinjaman/").content.decode()
    assert "stok Kota Tanjungpinang cukup untuk sekitar 10 hari" in page


def test_send_all_gives_each_proposal_its_note(client, kepri, coordinator, settings):
    """A coordinator reading the site in English stores the same Indonesian note."""
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(PLAN_URL, {"send": "semua"})
    assert _notes() == {
        ("2101", "2172"): "Pemerataan provinsi: stok Kota Tanjungpinang cukup untuk sekitar "
                          "10 hari, stok Kabupaten Bintan sekitar 300 hari.",
        ("2171", "2172"): "Pemerataan provinsi: stok Kota Tanjungpinang cukup untuk sekitar "
                          "10 hari, stok Kota Batam sekitar 200 hari."}


def test_a_coordinator_s_note_too_long_sends_nothing_and_says_so(client, kepri, coordinator):
    client.force_login(coordinator)
    response = client.post(PLAN_URL, {"lender": "2101", "borrower": "2172",
                                       "quantity": "900", "note": "x" * 500})
    assert not RebalancingProposal.objects.exists()
    assert any("terlalu panjang" in str(message)
               for message in get_messages(response.wsgi_request))
