"""Gives the role groups their service-request permissions."""

from django.db import migrations

from blanko.roles import AUTH_ROLES, create_all_permissions, grant
from layanan.roles import LAYANAN_ROLES


def create_roles(apps, schema_editor):
    create_all_permissions(apps)
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    grant(app_label="layanan", roles=LAYANAN_ROLES, group_model=Group,
          permission_model=Permission)
    grant(app_label="auth", roles=AUTH_ROLES, group_model=Group, permission_model=Permission)


class Migration(migrations.Migration):
    dependencies = [
        ("layanan", "0001_initial"),
        ("blanko", "0002_roles"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
