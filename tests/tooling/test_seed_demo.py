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
from blanko.models import Delivery, Loan, MonthClose, Movement, Office

D = datetime.date


def run(command: str) -> str:
    out = StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_replays_the_2020_story_once_with_a_clean_ledger():
    first = run("seed_demo")
    assert "Cerita 2020 dicatat." in first

    # The demo logins are printed and work, with their roles.
    for username, password in [("petugas", "petugas-siblanko"),
                               ("supervisor", "supervisor-siblanko"),
                               ("admin", "admin-siblanko")]:
        assert username in first and password in first
        assert User.objects.get(username=username).check_password(password)
    assert User.objects.get(username="petugas").groups.get().name == access.OPERATOR
    assert User.objects.get(username="supervisor").groups.get().name == access.SUPERVISOR

    # The story: the store runs dry in early July 2020, Batam lends 1,000 blanks,
    # half are paid back in November, 6,000 come from Ditjen in September.
    tpi = Office.objects.get(code="2172")
    assert selectors.balance_as_of(office=tpi, day=D(2020, 7, 3)) == 0
    assert selectors.balance_as_of(office=tpi, day=D(2020, 7, 14)) == 1_000
    loan = Loan.objects.get(borrower_office=tpi)
    assert (loan.lender_office.code, loan.quantity, loan.repaid_quantity) == ("2171", 1_000, 500)
    [borrowed] = selectors.outstanding_loans(office=tpi)
    assert (borrowed.direction, borrowed.quantity, borrowed.in_transit) == ("borrowed", 500, 0)
    assert Delivery.objects.filter(office=tpi, quantity=6_000,
                                   received_on=D(2020, 9, 14)).exists()
    assert MonthClose.objects.filter(office=tpi).count() == 10

    # Every balance matches its movements.
    assert selectors.ledger_drift() == []
    assert "tidak ada selisih" in run("verify_ledger")

    # A second run adds nothing.
    counts = (Movement.objects.count(), Delivery.objects.count(), User.objects.count())
    assert "sudah ada" in run("seed_demo")
    assert (Movement.objects.count(), Delivery.objects.count(), User.objects.count()) == counts
