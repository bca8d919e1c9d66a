"""`seed_demo` gives every Kepulauan Riau office a history that runs up to today.

The 2020 story stays as it was; beside it, the seven kab/kota print every weekday
of the last WINDOW_DAYS days at their own pace, two loans between offices are open,
Natuna is about a week from running out, and Batam's stock will not last until the
blanks it asked for are expected (its daily print quota). The figures are read through the real
rollup and dashboard, as the province viewer and the supervisors see them.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from blanko import selectors
from blanko.models import (
    BlankRequest,
    Delivery,
    Destruction,
    Loan,
    Movement,
    Office,
    RebalancingProposal,
    Shipment,
    StaffProfile,
    StockCount,
)
from config.tooling.demo.plan import (
    PACES,
    WINDOW_DAYS,
    daily_use,
    days_between,
    weekday_on_or_before,
)
from layanan.supervision.dashboard import office_dashboard
from layanan.supervision.quota import office_quota
from layanan.supervision.rollup import office_rollup
from tests.helpers import LEDGER_CLEAN, today, verify_ledger
from tests.tooling.helpers import seed_demo_twice

pytestmark = pytest.mark.django_db

KEPRI = {"2101": "Kabupaten Bintan", "2102": "Kabupaten Karimun", "2103": "Kabupaten Natuna",
         "2104": "Kabupaten Lingga", "2105": "Kabupaten Kepulauan Anambas",
         "2171": "Kota Batam", "2172": "Kota Tanjungpinang"}
D = datetime.date


def counts() -> dict[str, int]:
    return {
        "movements": Movement.objects.count(), "deliveries": Delivery.objects.count(),
        "loans": Loan.objects.count(), "shipments": Shipment.objects.count(),
        "counts": StockCount.objects.count(), "destructions": Destruction.objects.count(),
        "users": User.objects.count(), "blank_requests": BlankRequest.objects.count(),
        "proposals": RebalancingProposal.objects.count(),
    }


def recaps(code: str):
    """The living part's daily printing recaps of an office (the story ends in 2020)."""
    return Movement.objects.filter(from_location__office__code=code,
                                   reason=Movement.Reason.ISSUE, occurred_on__year__gt=2020)


def rollup_rows():
    day = today()
    return {row.office.code: row for row in office_rollup(
        offices=Office.objects.filter(code__startswith="21"), as_of=day, today=day)}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with seed_demo_twice(django_db_blocker, measure=counts) as seeded:
        yield seeded


def test_every_kepri_office_prints_every_weekday_up_to_today(seeded):
    assert dict(Office.objects.filter(code__startswith="21").values_list("code", "name")) \
        == KEPRI
    start = weekday_on_or_before(today() - datetime.timedelta(days=WINDOW_DAYS))
    weekdays = [day for day in days_between(start, today()) if day.weekday() < 5]
    for code in KEPRI:
        days = sorted(recaps(code).values_list("occurred_on", flat=True))
        assert days == weekdays, code
    assert "Riwayat harian 7 kantor Kepulauan Riau dicatat sampai" in seeded["out"]


def test_each_office_prints_at_its_own_pace(seeded):
    paces = {pace.code: pace for pace in PACES}
    for code in KEPRI:
        for movement in recaps(code):
            assert movement.quantity == daily_use(paces[code], movement.occurred_on)[0]
    average = {code: sum(recaps(code).values_list("quantity", flat=True)) for code in KEPRI}
    assert average["2171"] > average["2172"] > average["2101"] > average["2104"] \
        > average["2105"]
    assert len({pace.pace for pace in PACES}) == len(PACES)


def test_the_rollup_shows_use_today_and_only_natuna_near_a_stock_out(seeded):
    rows = rollup_rows()
    assert set(rows) == set(KEPRI)
    for code, row in rows.items():
        assert row.forecast.used > 0 and row.forecast.stock > 0, code
    near = {code for code, row in rows.items() if row.forecast.days_of_cover < 14}
    assert near == {"2103"}
    # Whatever the average's method, a week of stock: every store held blanks all window.
    natuna = rows["2103"].forecast
    assert 0 < natuna.stock * 28 < 14 * natuna.used
    assert rows["2103"].incoming == 300  # Bintan's loan, still at sea


def test_batam_s_stock_will_not_last_until_its_request_so_it_has_a_daily_quota(
        seeded, client):
    """Batam asked Ditjen the day before; its requests take 60 days and its stock lasts
    about 45, so its stock is spread over the days until then: the quota, on its
    supervisor's dashboard and print queue. No other office has one."""
    quotas = {office.code: office_quota(office=office)
              for office in Office.objects.filter(code__startswith="21")}
    assert {code for code, quota in quotas.items() if quota} == {"2171"}
    quota, batam = quotas["2171"], Office.objects.get(code="2171")
    asked = BlankRequest.objects.get(office=batam, status=BlankRequest.Status.SUBMITTED)
    assert (quota.source, quota.reference, quota.late) == ("request", asked.number, False)
    assert quota.arrival_on == asked.submitted_on + datetime.timedelta(days=60)
    assert 0 < quota.quantity < quota.average
    assert today() - datetime.timedelta(days=3) <= asked.submitted_on < today()
    client.force_login(User.objects.get(username="batam"))
    for url, testid in ((reverse("layanan:dashboard", args=["2171"]), "quota"),
                        (reverse("layanan:queue", args=["2171"]), "queue-quota")):
        html = client.get(url).content.decode()
        assert f'data-testid="{testid}"' in html, url
        assert asked.number in html.split(f'data-testid="{testid}-reason"')[1], url
    # It has asked: "ask Ditjen by" says so rather than that it is late.
    row = rollup_rows()["2171"]
    assert (row.forecast.open_request.number, row.forecast.ask_days_late) == (asked.number, 0)


def test_no_office_with_an_open_request_is_told_it_is_late_to_ask(seeded):
    rows = rollup_rows()
    asked = {code for code, row in rows.items() if row.forecast.open_request}
    assert asked == {"2101", "2102", "2103", "2171"}
    assert all(rows[code].forecast.ask_days_late == 0 for code in asked)


def test_the_supervisors_dashboard_is_alive_today(seeded, client):
    tanjungpinang = Office.objects.get(code="2172")
    data = office_dashboard(office=tanjungpinang, as_of=today(), today=today())
    assert data.forecast.used > 0 and not data.quiet
    assert sum(day.used for day in data.series) > 0
    client.force_login(User.objects.get(username="supervisor"))
    assert client.get(reverse("layanan:dashboard", args=["2172"])).status_code == 200


def test_the_province_viewer_sees_all_seven_offices(seeded, client):
    viewer = User.objects.get(username="provinsi")
    assert viewer.staff_profile.region_code == "21"
    client.force_login(viewer)
    html = client.get(reverse("layanan:rollup")).content.decode()
    for name in KEPRI.values():
        assert name in html


def test_two_loans_between_offices_are_open_today(seeded):
    batam_karimun = Loan.objects.get(lender_office__code="2171", borrower_office__code="2102",
                                     opened_on__year__gt=2020)
    assert batam_karimun.status == Loan.Status.OPEN
    assert (batam_karimun.delivered_quantity, batam_karimun.repaid_quantity) == (1_200, 0)
    assert today() < batam_karimun.due_on <= today() + datetime.timedelta(days=28)
    bintan_natuna = Loan.objects.get(lender_office__code="2101", borrower_office__code="2103")
    [shipment] = bintan_natuna.shipments.all()
    assert (shipment.status, shipment.remaining) == (Shipment.Status.IN_TRANSIT, 300)
    [owed] = selectors.outstanding_loans(office=Office.objects.get(code="2102"))
    assert (owed.direction, owed.quantity) == ("borrowed", 1_200)
    # Tanjungpinang still owes Batam only the 500 of 2020.
    [story] = selectors.outstanding_loans(office=Office.objects.get(code="2172"))
    assert (story.quantity, story.in_transit) == (500, 0)


def test_the_2020_story_is_left_as_it_was(seeded):
    start = weekday_on_or_before(today() - datetime.timedelta(days=WINDOW_DAYS))
    assert not Movement.objects.filter(occurred_on__range=(D(2021, 1, 1),
                                                           start - datetime.timedelta(days=1)))
    for code in ("2171", "2172"):
        office = Office.objects.get(code=code)
        assert selectors.balance_as_of(office=office, day=start - datetime.timedelta(days=1)) \
            == selectors.balance_as_of(office=office, day=D(2020, 12, 31))
    # The kabupaten join SiBlanko with a stock count on the window's first day.
    opening = StockCount.objects.filter(office__code__in=["2101", "2102", "2103", "2104",
                                                          "2105"])
    assert set(opening.values_list("counted_on", flat=True)) == {start}
    assert all(count.system_quantity == 0 < count.counted_quantity for count in opening)
    # Their supervisors record the history; they have no password to sign in with.
    for code in ("2101", "2103"):
        profile = StaffProfile.objects.get(office__code=code)
        assert not profile.user.has_usable_password()


def test_the_ledger_stays_clean(seeded):
    assert selectors.ledger_drift() == []
    assert LEDGER_CLEAN in verify_ledger()


def test_a_second_run_on_the_same_day_adds_nothing(seeded):
    assert counts() == seeded["first"]
    assert "tidak ada yang ditambah" in seeded["again"]
