"""`seed_demo` replays the 2020 Tanjungpinang story through the services, once.

One test, because seeding takes seconds: it checks the story, the logins, the
clean ledger and that a second run adds nothing.
"""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from blanko import access, selectors
from blanko.models import (
    BlankRequest,
    BlankRequestEvent,
    Delivery,
    Loan,
    MonthClose,
    Movement,
    Office,
    RebalancingProposal,
)

D = datetime.date


def run(command: str) -> str:
    out = StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_replays_the_2020_story_once_with_a_clean_ledger():
    first = run("seed_demo")
    assert "Cerita 2020 dicatat." in first

    # The demo logins are printed and work, with their roles and scopes.
    for username, password, role in [
            ("petugas", "petugas-siblanko", access.OPERATOR),
            ("supervisor", "supervisor-siblanko", access.SUPERVISOR),
            ("admin", "admin-siblanko", access.ADMINISTRATOR),
            ("kepri", "kepri-siblanko", access.PROVINCE),
            ("ditjen", "ditjen-siblanko", access.NATIONAL)]:
        assert username in first and password in first
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert user.groups.get().name == role
    kepri, ditjen = (User.objects.get(username=name).staff_profile
                     for name in ("kepri", "ditjen"))
    assert (kepri.office, kepri.region_code, kepri.national) == (None, "21", False)
    assert (ditjen.office, ditjen.region_code, ditjen.national) == (None, "", True)

    # The story: the store runs dry in early July 2020, Batam lends 1,000 blanks,
    # half are paid back in November, 6,000 come from Ditjen in September.
    tpi = Office.objects.get(code="2172")
    assert selectors.balance_as_of(office=tpi, day=D(2020, 7, 3)) == 0
    assert selectors.balance_as_of(office=tpi, day=D(2020, 7, 14)) == 1_000
    loan = Loan.objects.get(borrower_office=tpi)
    assert (loan.lender_office.code, loan.quantity, loan.repaid_quantity) == ("2171", 1_000, 500)
    [borrowed] = selectors.outstanding_loans(office=tpi)
    assert (borrowed.direction, borrowed.quantity, borrowed.in_transit) == ("borrowed", 500, 0)
    # The 6,000 come through the supply cycle, not as a direct delivery.
    assert not Delivery.objects.filter(office=tpi, quantity=6_000).exists()
    receipt = Movement.objects.get(to_location__office=tpi, occurred_on=D(2020, 9, 14))
    assert (receipt.reason, receipt.quantity, receipt.reference,
            receipt.blank_request.number) == (Movement.Reason.RECEIPT_DITJEN, 6_000,
                                              "470/1290/DUK/IX/2020", "PB/2172/2020/0001")
    assert MonthClose.objects.filter(office=tpi).count() == 10

    # Every balance matches its movements.
    assert selectors.ledger_drift() == []
    assert "tidak ada selisih" in run("verify_ledger")

    # A second run adds nothing.
    def counts():
        return (Movement.objects.count(), Delivery.objects.count(), User.objects.count(),
                BlankRequest.objects.count(), BlankRequestEvent.objects.count(),
                RebalancingProposal.objects.count())

    before = counts()
    assert "sudah ada" in run("seed_demo")
    assert counts() == before
