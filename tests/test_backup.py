"""Backups: the ledger survives a dumpdata/loaddata round trip, and still verifies."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from blanko.models import Balance, Loan, Movement
from layanan.models import ServiceRequest

EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]


@pytest.mark.django_db(transaction=True)
def test_ledger_round_trips_through_dumpdata_and_loaddata(tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Movement.objects.count(), Balance.objects.count(), Loan.objects.count(),
              ServiceRequest.objects.count())
    balances = dict(Balance.objects.values_list("location__code", "quantity"))
    dump = tmp_path / "cadangan.json"
    call_command("dumpdata", "--natural-foreign", "--natural-primary",
                 *[f"--exclude={app}" for app in EXCLUDE], output=str(dump))

    call_command("flush", "--no-input")
    assert Movement.objects.count() == 0
    call_command("loaddata", str(dump), stdout=io.StringIO())

    assert (Movement.objects.count(), Balance.objects.count(), Loan.objects.count(),
            ServiceRequest.objects.count()) == counts
    assert dict(Balance.objects.values_list("location__code", "quantity")) == balances
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)
    assert "tidak ada selisih" in out.getvalue()
