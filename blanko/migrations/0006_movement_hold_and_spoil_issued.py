"""Issue 10: a held movement (the draw of a printed card) is never reversed; a card
found defective after printing moves from ISSUED to SPOILED with a cause
(reason `spoil_issued`). The holds of the prints that exist already are written by
layanan's migration 0008, which knows the prints."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('blanko', '0005_covering_flow_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='MovementHold',
            fields=[
                ('movement', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='hold', serialize=False, to='blanko.movement', verbose_name='mutasi')),
            ],
            options={
                'verbose_name': 'mutasi terikat',
                'verbose_name_plural': 'mutasi terikat',
            },
        ),
        migrations.RemoveConstraint(
            model_name='movement',
            name='movement_cause_only_for_spoil',
        ),
        migrations.AlterField(
            model_name='movement',
            name='reason',
            field=models.CharField(choices=[('receipt_ditjen', 'Penerimaan dari Ditjen Dukcapil'), ('receipt_province', 'Penerimaan dari provinsi'), ('loan_in', 'Pinjaman diterima'), ('loan_out', 'Pinjaman diberikan'), ('repayment_in', 'Pengembalian pinjaman diterima'), ('repayment_out', 'Pengembalian pinjaman dikirim'), ('transit_cancel', 'Pengiriman dibatalkan'), ('issue', 'Dicetak untuk penduduk'), ('spoil', 'Rusak'), ('spoil_issued', 'Kartu rusak setelah dicetak'), ('destroy', 'Dimusnahkan'), ('adjustment', 'Penyesuaian stock opname'), ('reversal', 'Pembalikan')], max_length=30, verbose_name='alasan'),
        ),
        migrations.AddConstraint(
            model_name='movement',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('reason__in', ('spoil', 'spoil_issued')), models.Q(('cause', ''), _negated=True)), models.Q(models.Q(('reason__in', ('spoil', 'spoil_issued')), _negated=True), ('cause', '')), ('reason', 'reversal'), _connector='OR'), name='movement_cause_only_for_spoil'),
        ),
    ]
