"""Plain helpers shared by every test package (fixtures live in the conftest files)."""

from __future__ import annotations

import datetime
import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

LEDGER_CLEAN = "tidak ada selisih"  # what verify_ledger prints when no balance drifts


def today() -> datetime.date:
    """The business date in Jakarta, as the services see it."""
    return timezone.localdate()


def noon(day: datetime.date) -> datetime.datetime:
    """Midday in Jakarta on `day`, for services that take `at`."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


@contextmanager
def raises_without_change(snapshot: Callable[[], dict],
                          exception: type[Exception] = ValidationError,
                          match: str | None = None) -> Iterator[pytest.ExceptionInfo]:
    """Expects `exception` (message matching `match`) and an unchanged `snapshot()`."""
    before = snapshot()
    with pytest.raises(exception, match=match) as info:
        yield info
    assert snapshot() == before


def verify_ledger() -> str:
    """What `verify_ledger` prints; it raises CommandError on drift, before returning."""
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)
    return out.getvalue()


def run_together(workers: int, work: Callable[[int], object]) -> list:
    """Runs work(i) in `workers` threads started at once; returns results or exceptions."""
    barrier = threading.Barrier(workers)
    results: list = [None] * workers

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:  # reported by the test
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results
