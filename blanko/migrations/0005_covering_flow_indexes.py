"""Wider movement indexes, for daily flows and use read from the index alone (issue 6).

The new indexes are built first and the old ones dropped after, both
concurrently on PostgreSQL, so postings go on throughout and no query is left
without an index; hence not atomic.
"""

from django.db import migrations, models

from blanko.migration_ops import AddIndexSafely, RemoveIndexSafely


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("blanko", "0004_case_insensitive_numbers"),
    ]

    operations = [
        AddIndexSafely(
            model_name="movement",
            index=models.Index(fields=["from_location", "occurred_on", "reason", "quantity"],
                               name="movement_from_day"),
        ),
        AddIndexSafely(
            model_name="movement",
            index=models.Index(fields=["to_location", "occurred_on", "reason", "quantity"],
                               name="movement_to_day"),
        ),
        AddIndexSafely(
            model_name="movement",
            index=models.Index(fields=["reason", "occurred_on", "from_location", "quantity"],
                               name="movement_reason_day"),
        ),
        RemoveIndexSafely(model_name="movement", name="movement_from_date"),
        RemoveIndexSafely(model_name="movement", name="movement_to_date"),
        RemoveIndexSafely(model_name="movement", name="movement_reason_date"),
    ]
