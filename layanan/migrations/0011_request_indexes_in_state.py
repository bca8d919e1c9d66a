"""The indexes that 0005 and 0010 build with raw SQL, now in the model state too.

They exist already (built concurrently by those migrations), so this migration only
tells Django about them: `makemigrations` then sees the model's Meta.indexes as
they are, and a later change to one of them is an ordinary AddIndex or RemoveIndex
(use blanko.migration_ops' concurrent ones). Nothing runs on the database, either
way. request_office_name_keys is a PostgreSQL-only index (blanko.indexes): on
SQLite it never exists, and on PostgreSQL without pg_trgm 0010 could not build it.
"""

import django.contrib.postgres.fields
from django.db import migrations, models

import blanko.indexes


class Migration(migrations.Migration):
    dependencies = [("layanan", "0010_office_name_search_keys")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AddIndex(
                model_name="servicerequest",
                index=models.Index(condition=models.Q(("status", "verified")),
                                   fields=["office", "priority_tier", "printable_from"],
                                   name="request_verified_office"),
            ),
            migrations.AddIndex(
                model_name="servicerequest",
                index=models.Index(fields=["office", "-submitted_at", "-id"],
                                   name="request_office_recent"),
            ),
            migrations.AddIndex(
                model_name="servicerequest",
                index=blanko.indexes.PostgresGinIndex(
                    models.Func(models.F("office"), models.F("full_name"),
                                function="request_name_keys",
                                output_field=django.contrib.postgres.fields.ArrayField(
                                    base_field=models.TextField(), size=None)),
                    name="request_office_name_keys"),
            ),
        ]),
    ]
