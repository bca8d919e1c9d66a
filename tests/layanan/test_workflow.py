"""The steps every request service shares (layanan.services.workflow): the event row in
the transaction, its log line only once the transaction has committed."""

from __future__ import annotations

import logging

import pytest
from django.db import DatabaseError
from django.db.models import QuerySet

from layanan import services
from layanan.models import CardPrint, RequestEvent, ServiceRequest, Suket
from tests.layanan.helpers import stock_of, submit, verified

Status = ServiceRequest.Status

pytestmark = pytest.mark.django_db

LOGGER = "siblanko.layanan"


def request_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == LOGGER]


def test_a_status_change_is_logged_once_it_has_committed(office, operator, give_stock, caplog,
                                                         django_capture_on_commit_callbacks):
    give_stock(office, 1)
    request = verified(office, operator)
    caplog.set_level(logging.INFO, logger=LOGGER)
    with django_capture_on_commit_callbacks() as callbacks:
        services.print_card(request=request, by=operator)
        assert request_lines(caplog) == []  # not before the commit
    for callback in callbacks:
        callback()
    assert request_lines(caplog) == [
        f"request id={request.pk} reg={request.registration_number} office={office.code} "
        f"verified->printed user={operator.username}"]


def test_a_rolled_back_print_logs_nothing(office, operator, give_stock, caplog, monkeypatch,
                                          django_capture_on_commit_callbacks):
    give_stock(office, 1)
    request = verified(office, operator)
    events = RequestEvent.objects.count()

    update = QuerySet.update

    def fail_on_the_sukets(queryset, **kwargs):
        if queryset.model is Suket:
            raise DatabaseError("disk full (injected)")
        return update(queryset, **kwargs)

    # The last write of a print, after the blank was drawn, the print recorded and the
    # request moved to PRINTED (each queued its log line): all of it rolls back.
    monkeypatch.setattr(QuerySet, "update", fail_on_the_sukets)
    caplog.set_level(logging.INFO)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, \
            pytest.raises(DatabaseError):
        services.print_card(request=request, by=operator)
    assert callbacks == []
    assert not CardPrint.objects.exists()
    assert request_lines(caplog) == []
    assert not [r for r in caplog.records if r.name == "siblanko.ledger"]
    assert stock_of(office) == 1
    assert RequestEvent.objects.count() == events
    request.refresh_from_db()
    assert request.status == Status.VERIFIED


def test_an_online_submission_is_logged_as_by_a_citizen(office, caplog,
                                                        django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO, logger=LOGGER)
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(office, None)
    assert request_lines(caplog) == [
        f"request id={request.pk} reg={request.registration_number} office={office.code} "
        "-->submitted user=warga"]


def test_a_suket_whose_event_fails_leaves_the_tier_as_it_was(office, operator, monkeypatch):
    request = verified(office, operator)
    assert request.priority_tier == 4
    create = QuerySet.create

    def fail_on_the_event(queryset, **kwargs):
        if queryset.model is RequestEvent:
            raise DatabaseError("disk full (injected)")
        return create(queryset, **kwargs)

    # The event row is the last write, after the suket and the new tier: one transaction.
    monkeypatch.setattr(QuerySet, "create", fail_on_the_event)
    with pytest.raises(DatabaseError):
        services.issue_suket(request=request, by=operator)
    request.refresh_from_db()
    assert (request.priority_tier, request.replaces_suket) == (4, False)
    assert not Suket.objects.exists()
