from __future__ import annotations

import pytest
from django.core.management import call_command

from blanko import selectors
from blanko.models import Movement


@pytest.mark.django_db
def test_seed_demo_replays_the_2020_story_once():
    call_command("seed_demo")
    count = Movement.objects.count()
    call_command("seed_demo")
    assert Movement.objects.count() == count
    call_command("verify_ledger")
    from blanko.models import Office

    tpi = Office.objects.get(code="2172")
    import datetime

    assert selectors.balance_as_of(office=tpi, day=datetime.date(2020, 7, 3)) == 0
    assert selectors.balance_as_of(office=tpi, day=datetime.date(2020, 7, 14)) == 1_000
