"""BAST and berita acara numbers are unique whatever their letter case.

The services already refused "bast/1" after "BAST/1", but only the exact
spelling was unique in the database, so two concurrent requests could both pass.
"""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('blanko', '0003_movement_append_only_trigger'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='delivery',
            name='delivery_unique_bast',
        ),
        migrations.RemoveConstraint(
            model_name='destruction',
            name='destruction_unique_number',
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.UniqueConstraint(models.F('source'), django.db.models.functions.text.Lower('bast_number'), name='delivery_unique_bast'),
        ),
        migrations.AddConstraint(
            model_name='destruction',
            constraint=models.UniqueConstraint(models.F('office'), django.db.models.functions.text.Lower('number'), name='destruction_unique_number'),
        ),
    ]
