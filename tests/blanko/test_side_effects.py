"""The side effects of a ledger write (its audit log lines) wait for the commit.

A posting inside a transaction that is rolled back afterwards (a print refused
after its draw, say) must leave no log line behind saying that it happened.
"""

from __future__ import annotations

import logging

import pytest
from django.db import transaction

from blanko import services
from blanko.models import Movement
from tests.blanko.helpers import previous_month_day

LEDGER_LOG = "siblanko.ledger"


class Rollback(Exception):
    """Raised to roll an atomic block back."""


def ledger_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == LEDGER_LOG]


def test_a_committed_posting_logs_one_line(stocked, operator, caplog,
                                           django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO, logger=LEDGER_LOG)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        movement = services.issue_blank(office=stocked, by=operator, reference="REG-1")

    assert len(callbacks) == 1
    [line] = ledger_lines(caplog)
    assert line.startswith(f"movement id={movement.pk} reason=issue qty=1 ")
    assert "user=petugas_uji ref=REG-1" in line


def test_a_posting_rolled_back_with_its_transaction_logs_nothing(
        stocked, operator, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO, logger=LEDGER_LOG)
    before = Movement.objects.count()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, \
            pytest.raises(Rollback), transaction.atomic():
        services.issue_blank(office=stocked, by=operator)
        raise Rollback

    assert callbacks == []
    assert ledger_lines(caplog) == []
    assert Movement.objects.count() == before


def test_a_replayed_posting_logs_nothing_again(stocked, operator, caplog,
                                               django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO, logger=LEDGER_LOG)

    with django_capture_on_commit_callbacks(execute=True):
        services.issue_blank(office=stocked, by=operator, idempotency_key="klik-1")
        services.issue_blank(office=stocked, by=operator, idempotency_key="klik-1")

    assert len(ledger_lines(caplog)) == 1


def test_a_month_close_rolled_back_logs_nothing(office, supervisor, caplog,
                                                django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO, logger=LEDGER_LOG)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, \
            pytest.raises(Rollback), transaction.atomic():
        services.close_month(office=office, month=previous_month_day(), by=supervisor)
        raise Rollback

    assert callbacks == []
    assert ledger_lines(caplog) == []


@pytest.mark.django_db(transaction=True)
def test_with_real_transactions_only_the_committed_posting_is_logged(stocked, operator,
                                                                     caplog):
    """No test-case transaction around it: a real rollback, then a real commit."""
    caplog.set_level(logging.INFO, logger=LEDGER_LOG)

    with pytest.raises(Rollback), transaction.atomic():
        services.issue_blank(office=stocked, by=operator, reference="DIBATALKAN")
        raise Rollback
    assert ledger_lines(caplog) == []

    services.issue_blank(office=stocked, by=operator, reference="JADI")
    [line] = ledger_lines(caplog)
    assert line.endswith("ref=JADI")
