"""Issue 13, the supply cycle: requests for blanks, their events, dispatches as shipments.

The central store's office (code 00) comes in 0011, the roles in 0012, and the index
of the movements by request in 0013 (built concurrently: the table is large). Adding
the nullable columns to the movements rewrites nothing on PostgreSQL.
"""

import django.db.models.deletion
import django.db.models.functions.comparison
import django.db.models.functions.text
import django.db.models.manager
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('blanko', '0009_shipment_reference'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='BlankRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=40, unique=True, verbose_name='nomor permohonan')),
                ('status', models.CharField(choices=[('submitted', 'Diajukan'), ('forwarded', 'Diteruskan provinsi'), ('allocated', 'Dialokasikan'), ('partly_received', 'Diterima sebagian'), ('received', 'Diterima'), ('refused', 'Ditolak'), ('cancelled', 'Dibatalkan')], default='submitted', max_length=20, verbose_name='status')),
                ('quantity', models.PositiveIntegerField(verbose_name='jumlah diminta')),
                ('forwarded_quantity', models.PositiveIntegerField(blank=True, null=True, verbose_name='jumlah diteruskan provinsi')),
                ('allocated_quantity', models.PositiveIntegerField(blank=True, help_text='0 berarti permohonan ditolak.', null=True, verbose_name='jumlah dialokasikan')),
                ('dispatched_quantity', models.PositiveIntegerField(default=0, verbose_name='jumlah dikirim')),
                ('received_quantity', models.PositiveIntegerField(default=0, verbose_name='jumlah diterima')),
                ('needed_by', models.DateField(blank=True, null=True, verbose_name='dibutuhkan sebelum')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='catatan')),
                ('figures', models.JSONField(blank=True, default=dict, verbose_name='angka dasbor')),
                ('submitted_on', models.DateField(verbose_name='tanggal permohonan')),
                ('idempotency_key', models.CharField(blank=True, editable=False, max_length=100, null=True, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='dibuat')),
            ],
            options={
                'verbose_name': 'permohonan blanko',
                'verbose_name_plural': 'permohonan blanko',
                'ordering': ['-submitted_on', '-id'],
                'permissions': [('request_blanks', 'Dapat mengajukan permohonan blanko'), ('forward_blank_request', 'Dapat meneruskan permohonan blanko'), ('allocate_blanks', 'Dapat mengalokasikan dan mengirim blanko dari gudang pusat'), ('view_blank_request', 'Dapat melihat permohonan blanko')],
            },
        ),
        migrations.CreateModel(
            name='BlankRequestEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('from_status', models.CharField(blank=True, choices=[('submitted', 'Diajukan'), ('forwarded', 'Diteruskan provinsi'), ('allocated', 'Dialokasikan'), ('partly_received', 'Diterima sebagian'), ('received', 'Diterima'), ('refused', 'Ditolak'), ('cancelled', 'Dibatalkan')], max_length=20, verbose_name='dari status')),
                ('to_status', models.CharField(choices=[('submitted', 'Diajukan'), ('forwarded', 'Diteruskan provinsi'), ('allocated', 'Dialokasikan'), ('partly_received', 'Diterima sebagian'), ('received', 'Diterima'), ('refused', 'Ditolak'), ('cancelled', 'Dibatalkan')], max_length=20, verbose_name='ke status')),
                ('quantity', models.PositiveIntegerField(blank=True, null=True, verbose_name='jumlah')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='catatan')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='waktu')),
            ],
            options={
                'verbose_name': 'riwayat permohonan blanko',
                'verbose_name_plural': 'riwayat permohonan blanko',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.AlterModelOptions(
            name='office',
            options={'default_manager_name': 'all_objects', 'ordering': ['code'], 'verbose_name': 'kantor', 'verbose_name_plural': 'kantor'},
        ),
        migrations.AlterModelManagers(
            name='office',
            managers=[
                ('all_objects', django.db.models.manager.Manager()),
            ],
        ),
        migrations.RemoveConstraint(
            model_name='office',
            name='office_code_four_digits',
        ),
        migrations.AlterField(
            model_name='movement',
            name='reason',
            field=models.CharField(choices=[('receipt_ditjen', 'Penerimaan dari Ditjen Dukcapil'), ('receipt_province', 'Penerimaan dari provinsi'), ('procurement', 'Pengadaan ke gudang pusat'), ('dispatch', 'Dikirim ke kab/kota'), ('loan_in', 'Pinjaman diterima'), ('loan_out', 'Pinjaman diberikan'), ('repayment_in', 'Pengembalian pinjaman diterima'), ('repayment_out', 'Pengembalian pinjaman dikirim'), ('transit_cancel', 'Pengiriman dibatalkan'), ('issue', 'Dicetak untuk penduduk'), ('spoil', 'Rusak'), ('spoil_issued', 'Kartu rusak setelah dicetak'), ('destroy', 'Dimusnahkan'), ('adjustment', 'Penyesuaian stock opname'), ('reversal', 'Pembalikan')], max_length=30, verbose_name='alasan'),
        ),
        migrations.AlterField(
            model_name='shipment',
            name='kind',
            field=models.CharField(choices=[('loan', 'Pinjaman'), ('repayment', 'Pengembalian'), ('dispatch', 'Kiriman Ditjen')], max_length=20, verbose_name='jenis'),
        ),
        migrations.AlterField(
            model_name='shipment',
            name='loan',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='shipments', to='blanko.loan'),
        ),
        migrations.AlterField(
            model_name='shipment',
            name='reference',
            field=models.CharField(blank=True, help_text='Surat pengantar kiriman ini: surat pinjaman, surat pengembalian, atau BAST kiriman Ditjen.', max_length=100, verbose_name='nomor surat'),
        ),
        migrations.AddConstraint(
            model_name='office',
            constraint=models.CheckConstraint(condition=models.Q(('code__regex', '^([0-9]{4}|00)$')), name='office_code_kab_kota_or_central'),
        ),
        migrations.AddField(
            model_name='blankrequest',
            name='created_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='diajukan oleh'),
        ),
        migrations.AddField(
            model_name='blankrequest',
            name='office',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='blank_requests', to='blanko.office', verbose_name='kantor'),
        ),
        migrations.AddField(
            model_name='movement',
            name='blank_request',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='movements', to='blanko.blankrequest', verbose_name='permohonan blanko'),
        ),
        migrations.AddField(
            model_name='shipment',
            name='blank_request',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='shipments', to='blanko.blankrequest', verbose_name='permohonan blanko'),
        ),
        migrations.AddConstraint(
            model_name='shipment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('blank_request__isnull', False), ('kind', 'dispatch'), ('loan__isnull', True)), models.Q(models.Q(('kind', 'dispatch'), _negated=True), ('blank_request__isnull', True), ('loan__isnull', False)), _connector='OR'), name='shipment_loan_or_blank_request'),
        ),
        migrations.AddConstraint(
            model_name='shipment',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('reference'), condition=models.Q(('kind', 'dispatch')), name='shipment_unique_dispatch_bast'),
        ),
        migrations.AddField(
            model_name='blankrequestevent',
            name='blank_request',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='blanko.blankrequest'),
        ),
        migrations.AddField(
            model_name='blankrequestevent',
            name='by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='oleh'),
        ),
        migrations.AddIndex(
            model_name='blankrequest',
            index=models.Index(fields=['office', 'submitted_on'], name='blank_request_office_day'),
        ),
        migrations.AddIndex(
            model_name='blankrequest',
            index=models.Index(fields=['status', 'submitted_on'], name='blank_request_status_day'),
        ),
        migrations.AddConstraint(
            model_name='blankrequest',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__gt', 0), ('quantity__lte', 10000000), models.Q(('forwarded_quantity__isnull', True), models.Q(('forwarded_quantity__gt', 0), ('forwarded_quantity__lte', 10000000)), _connector='OR'), models.Q(('allocated_quantity__isnull', True), ('allocated_quantity__lte', django.db.models.functions.comparison.Coalesce(models.F('forwarded_quantity'), models.F('quantity'))), _connector='OR'), ('dispatched_quantity__lte', django.db.models.functions.comparison.Coalesce(models.F('allocated_quantity'), 0)), ('received_quantity__lte', models.F('dispatched_quantity'))), name='blank_request_quantities_consistent'),
        ),
    ]
