"""The movements of the supply cycle by request (a receipt, a lead time), built
concurrently on PostgreSQL so that postings go on meanwhile; hence not atomic."""

from django.db import migrations, models

from blanko.migration_ops import AddIndexSafely


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("blanko", "0012_supply_roles")]

    operations = [
        AddIndexSafely(
            model_name="movement",
            index=models.Index(condition=models.Q(("blank_request__isnull", False)),
                               fields=["blank_request", "occurred_on"],
                               name="movement_blank_request"),
        ),
    ]
