"""Reads that every signed-in request makes, compiled by the ORM once.

The ORM builds and compiles a queryset anew each time it runs. For the reads that
every signed-in request makes before its view (the session, the user and the
user's permissions) that cost more than running them: on PostgreSQL the session took 0.40 ms
through the ORM against 0.14 ms from its compiled statement (issue 10, whose goal is
the signed-in page's share of a trivial view's rate). A `Compiled` keeps the SQL that
the ORM wrote for a queryset built with placeholder parameters, once per database
vendor, and runs it with the real ones. A parameter that the ORM would convert for the
database (a datetime, on SQLite a string) is converted by `prepare`, at compile time
and run time alike. Its rows are the database driver's: use it for text and integer
columns, whose values need no conversion on any backend, or convert them as the ORM
would (config.auth does, for the user).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import QuerySet


class Compiled:
    """`build(*placeholders)` compiled once per vendor, run with other parameters."""

    def __init__(self, build: Callable[..., QuerySet], *placeholders: Any,
                 prepare: Callable[..., tuple] | None = None) -> None:
        self._build = build
        self._placeholders = placeholders
        self._prepare = prepare or (lambda *params: params)
        self._sql: dict[str, str] = {}

    def sql(self) -> str:
        vendor = connection.vendor
        if vendor not in self._sql:
            sql, params = self._build(*self._placeholders).query.sql_with_params()
            # The parameters must be the placeholders, in order, each once: anything
            # else means the query took a parameter of its own, which would be lost.
            expected = tuple(self._prepare(*self._placeholders))
            if tuple(params) != expected:
                raise RuntimeError(f"{self._build.__qualname__} compiled with {params!r}, "
                                   f"not its placeholders {expected!r}")
            self._sql[vendor] = sql
        return self._sql[vendor]

    def rows(self, *params: Any) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql(), tuple(self._prepare(*params)))
            return cursor.fetchall()
