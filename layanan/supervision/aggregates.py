"""SQL the ORM lacks, for PostgreSQL and SQLite alike: a median and a duration.

PostgreSQL has percentile_cont; SQLite gets the same aggregate as a Python
function registered on each new connection (see LayananConfig.ready), the way
Django itself adds functions to SQLite.
"""

from __future__ import annotations

import statistics

from django.db.models import Aggregate, FloatField, Func

SQLITE_MEDIAN = "siblanko_median"


class Median(Aggregate):
    """The median of a numeric expression (the mean of the two middle values when
    their number is even), NULLs left out; NULL when there is none."""

    name = "Median"
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # Attributes, not keywords: Aggregate.as_sql wraps self.template for FILTER.
        median = self.copy()
        median.function = SQLITE_MEDIAN
        median.template = Aggregate.template
        return median.as_sql(compiler, connection, **extra_context)


class SecondsBetween(Func):
    """end - start, in seconds, for two datetime expressions."""

    output_field = FloatField()
    arg_joiner = " - "
    template = "CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision)"
    arity = 2

    def as_sqlite(self, compiler, connection, **extra_context):
        # julianday() counts days in a double, good to about 0.05 ms today; rounded to
        # the millisecond, whole seconds and minutes come out exact.
        return super().as_sql(compiler, connection, arg_joiner=") - julianday(",
                              template="ROUND((julianday(%(expressions)s)) * 86400.0, 3)",
                              **extra_context)


class _SqliteMedian:
    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return statistics.median(self.values) if self.values else None


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_MEDIAN, 1, _SqliteMedian)
