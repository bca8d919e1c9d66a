"""Helpers of the tooling tests."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management import call_command
from django.db import transaction


@contextmanager
def seed_demo_twice(django_db_blocker, *, measure: Callable[[], Any]) -> Iterator[dict]:
    """Runs seed_demo twice in one transaction that is rolled back afterwards (it takes
    seconds: a module-scoped fixture seeds once for all its tests). Gives what `measure`
    found after the first run and both runs' output."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out, again = io.StringIO(), io.StringIO()
            call_command("seed_demo", stdout=out)
            first = measure()
            call_command("seed_demo", stdout=again)
            yield {"first": first, "out": out.getvalue(), "again": again.getvalue()}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
