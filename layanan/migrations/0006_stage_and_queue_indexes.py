"""Indexes for the dashboard's stage times and the rollup's queue counts (issue 6).

Built concurrently on PostgreSQL (blanko.migration_ops.AddIndexSafely), so
registering and printing go on while they are built; hence not atomic.
"""

from django.db import migrations, models

from blanko.migration_ops import AddIndexSafely


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("layanan", "0005_performance_indexes"),
    ]

    operations = [
        AddIndexSafely(
            model_name="servicerequest",
            index=models.Index(condition=models.Q(("verified_at__isnull", False)),
                               fields=["office", "verified_at", "submitted_at"],
                               name="request_verified_at"),
        ),
        AddIndexSafely(
            model_name="servicerequest",
            index=models.Index(condition=models.Q(("printed_at__isnull", False)),
                               fields=["office", "printed_at", "verified_at"],
                               name="request_printed_at"),
        ),
        AddIndexSafely(
            model_name="servicerequest",
            index=models.Index(condition=models.Q(("delivered_at__isnull", False)),
                               fields=["office", "delivered_at", "printed_at"],
                               name="request_delivered_at"),
        ),
        AddIndexSafely(
            model_name="servicerequest",
            index=models.Index(condition=models.Q(("kind", "new"),
                                                  ("printable_from__isnull", False),
                                                  ("status__in", ["submitted", "verified"])),
                               fields=["office", "printable_from", "status"],
                               name="request_pemula_waiting"),
        ),
    ]
