"""Issue 10: a card found defective after printing (CardPrint DEFECTIVE, with the
movement that took its blank from ISSUED to SPOILED), and the holds on the draws of
the cards printed so far, so that reversing one of them is refused as it is for a
new print. One INSERT ... SELECT, whatever the number of prints."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def hold_printed_cards(apps, schema_editor):
    CardPrint = apps.get_model("layanan", "CardPrint")
    MovementHold = apps.get_model("blanko", "MovementHold")
    quote = schema_editor.connection.ops.quote_name
    hold, prints = MovementHold._meta.db_table, CardPrint._meta.db_table
    schema_editor.execute(
        f"INSERT INTO {quote(hold)} (movement_id) "  # noqa: S608
        f"SELECT p.movement_id FROM {quote(prints)} p WHERE p.outcome = 'success' "
        f"AND NOT EXISTS (SELECT 1 FROM {quote(hold)} h WHERE h.movement_id = p.movement_id)"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('blanko', '0006_movement_hold_and_spoil_issued'),
        ('layanan', '0007_request_duplicate_flag'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='cardprint',
            name='defect_key',
            field=models.CharField(blank=True, max_length=100, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='cardprint',
            name='defect_movement',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='card_defect', to='blanko.movement', verbose_name='mutasi kartu rusak'),
        ),
        migrations.AddField(
            model_name='cardprint',
            name='defect_note',
            field=models.CharField(blank=True, db_default='', default='', max_length=500, verbose_name='catatan kerusakan'),
        ),
        migrations.AddField(
            model_name='cardprint',
            name='defective_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='dicatat rusak pada'),
        ),
        migrations.AddField(
            model_name='cardprint',
            name='defective_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='cardprint',
            name='outcome',
            field=models.CharField(choices=[('success', 'Berhasil'), ('spoiled', 'Rusak'), ('defective', 'Rusak setelah dicetak')], max_length=10, verbose_name='hasil'),
        ),
        migrations.AddConstraint(
            model_name='cardprint',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('defect_movement__isnull', False), ('defective_at__isnull', False), ('outcome', 'defective')), models.Q(models.Q(('outcome', 'defective'), _negated=True), ('defect_key__isnull', True), ('defect_movement__isnull', True), ('defective_at__isnull', True)), _connector='OR'), name='print_defect_only_when_defective'),
        ),
        # The holds stay when this migration is undone: blanko's 0006 drops their table.
        migrations.RunPython(hold_printed_cards, migrations.RunPython.noop),
    ]
