"""National scope becomes an explicit choice on the staff profile.

Until now a profile with no office and no region meant "national": emptying a
profile widened it to every office. The data step keeps what existing rows were
given: a profile with no office and no region becomes explicitly national (audit
them after upgrading: the README says how), and a profile with both an office and a
region keeps its office, which is what access.py used. After this migration an
empty profile sees nothing, and the CHECK constraints keep the scope coherent.
"""

import django.core.validators
from django.conf import settings
from django.db import migrations, models


def mark_empty_profiles_national(apps, schema_editor):
    StaffProfile = apps.get_model("blanko", "StaffProfile")
    StaffProfile.objects.filter(office__isnull=True, region_code="").update(national=True)
    StaffProfile.objects.filter(office__isnull=False).exclude(region_code="").update(
        region_code="")


class Migration(migrations.Migration):

    dependencies = [
        ('blanko', '0006_movement_hold_and_spoil_issued'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='staffprofile',
            name='national',
            field=models.BooleanField(default=False, help_text='Melihat semua kantor (Ditjen Dukcapil). Tanpa kantor dan tanpa wilayah.', verbose_name='nasional'),
        ),
        migrations.AlterField(
            model_name='staffprofile',
            name='region_code',
            field=models.CharField(blank=True, help_text='Untuk peninjau: kode provinsi (2 digit). Kosongkan bila ada kantor.', max_length=4, validators=[django.core.validators.RegexValidator('^[0-9]{2}$', 'Kode wilayah harus kode provinsi 2 digit, misalnya 21.')], verbose_name='cakupan wilayah'),
        ),
        # Going back needs nothing: a national row has no office and no region, which is
        # what national meant before. (An empty, non-national row becomes national again.)
        migrations.RunPython(mark_empty_profiles_national, migrations.RunPython.noop,
                             elidable=False),
        migrations.AddConstraint(
            model_name='staffprofile',
            constraint=models.CheckConstraint(condition=models.Q(('national', False), models.Q(('office__isnull', True), ('region_code', '')), _connector='OR'), name='staffprofile_national_has_no_office_or_region', violation_error_message='Cakupan nasional tidak boleh disertai kantor atau wilayah.'),
        ),
        migrations.AddConstraint(
            model_name='staffprofile',
            constraint=models.CheckConstraint(condition=models.Q(('office__isnull', True), ('region_code', ''), _connector='OR'), name='staffprofile_office_or_region_not_both', violation_error_message='Pilih kantor atau wilayah, tidak keduanya.'),
        ),
    ]
