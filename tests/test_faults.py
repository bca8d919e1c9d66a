"""A failure half-way through a transaction leaves nothing half-done."""

from __future__ import annotations

import pytest
from django.db import DatabaseError

from blanko import access, services
from blanko.models import Movement
from blanko.selectors import stock_on_hand
from layanan import services as layanan_services
from layanan.models import CardPrint, RequestEvent, ServiceRequest
from tests.factories import make_user
from tests.helpers import LEDGER_CLEAN, verify_ledger


@pytest.mark.django_db(transaction=True)
def test_a_database_error_after_the_blank_is_drawn_rolls_the_print_back(office, monkeypatch):
    supervisor = make_user(access.SUPERVISOR, office, username="kabid")
    services.receive_allocation(office=office, quantity=5, reference="BAST-F1", by=supervisor)
    request = layanan_services.submit_request(
        office=office, nik="2172014501030001", full_name="Warga Uji", married=True,
        kind=ServiceRequest.Kind.DAMAGED, channel=ServiceRequest.Channel.COUNTER, by=supervisor,
    )
    request = layanan_services.verify_request(
        request=request, by=supervisor, documents={"kk": True, "damaged_card": True},
    )
    movements_before = Movement.objects.count()
    events_before = RequestEvent.objects.count()
    drawn = []
    real_issue = services.issue_blank

    def issue_then_note(**kwargs):
        movement = real_issue(**kwargs)
        drawn.append(movement.pk)
        return movement

    def fail(**kwargs):
        raise DatabaseError("disk full (injected)")

    monkeypatch.setattr("layanan.services.printing.ledger.issue_blank", issue_then_note)
    monkeypatch.setattr(CardPrint.objects, "create", fail)
    with pytest.raises(DatabaseError):
        layanan_services.print_card(request=request, by=supervisor)

    assert drawn, "the fault must come after the blank was drawn"
    assert not Movement.objects.filter(pk__in=drawn).exists()
    assert Movement.objects.count() == movements_before
    assert stock_on_hand(office=office) == 5
    request.refresh_from_db()
    assert request.status == ServiceRequest.Status.VERIFIED
    assert RequestEvent.objects.count() == events_before
    assert LEDGER_CLEAN in verify_ledger()


def test_sqlite_transactions_take_the_write_lock_at_begin_so_a_racing_writer_waits(tmp_path):
    """A deferred SQLite transaction that reads and then writes fails at once with
    "database is locked" when another writer holds the lock (six parallel prints gave
    five 500s); BEGIN IMMEDIATE waits up to the timeout instead."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
           "DJANGO_DEBUG": "1"}
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "django.setup(); from django.conf import settings;"
        "o = settings.DATABASES['default']['OPTIONS'];"
        "print(o.get('transaction_mode'), o.get('timeout'))"
    )
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, check=True)
    assert result.stdout.split() == ["IMMEDIATE", "20"]
