"""seed_demo replays the 2020 requests once, across every kind, status and channel."""

from __future__ import annotations

import pytest

from blanko.models import Movement
from layanan.models import CardPrint, RequestEvent, ServiceRequest, Suket
from tests.helpers import LEDGER_CLEAN, verify_ledger
from tests.tooling.helpers import seed_demo_twice

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "requests": ServiceRequest.objects.count(),
        "events": RequestEvent.objects.count(),
        "movements": Movement.objects.count(),
        "prints": CardPrint.objects.count(),
        "sukets": Suket.objects.count(),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with seed_demo_twice(django_db_blocker, measure=counts) as seeded:
        yield seeded["first"]


def test_seed_demo_twice_adds_nothing_the_second_time(seeded):
    assert seeded["requests"] > 0 and seeded["events"] > seeded["requests"]
    assert counts() == seeded


def test_the_demo_has_every_kind_status_and_channel(seeded):
    requests = ServiceRequest.objects.all()
    assert set(requests.values_list("kind", flat=True)) == set(ServiceRequest.Kind.values)
    assert set(requests.values_list("status", flat=True)) == set(ServiceRequest.Status.values)
    assert set(requests.values_list("channel", flat=True)) == set(ServiceRequest.Channel.values)
    assert set(requests.values_list("priority_tier", flat=True)) >= {1, 2, 3, 4}


def test_the_demo_requests_follow_the_rules(seeded):
    for request in ServiceRequest.objects.prefetch_related("events", "prints"):
        events = list(request.events.all())
        assert events[0].from_status == "" and events[0].to_status == "submitted"
        assert events[-1].to_status == request.status
        successes = [p for p in request.prints.all() if p.outcome == "success"]
        assert len(successes) == (1 if request.status in ("printed", "delivered") else 0)
    spoiled = CardPrint.objects.filter(outcome="spoiled")
    assert spoiled.exists()
    assert all(p.movement.cause for p in spoiled.select_related("movement"))


def test_the_ledger_stays_clean_after_the_demo(seeded):
    assert LEDGER_CLEAN in verify_ledger()
    issued = Movement.objects.filter(reason=Movement.Reason.ISSUE,
                                     card_print__isnull=False).count()
    assert issued == CardPrint.objects.filter(outcome="success").count()
