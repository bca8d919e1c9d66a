from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError


@contextmanager
def raises_without_change(snapshot: Callable[[], dict],
                          exception: type[Exception] = ValidationError,
                          match: str | None = None) -> Iterator[pytest.ExceptionInfo]:
    """Expects `exception` (message matching `match`) and an unchanged `snapshot()`."""
    before = snapshot()
    with pytest.raises(exception, match=match) as info:
        yield info
    assert snapshot() == before
