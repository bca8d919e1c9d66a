"""Gives the role groups the dashboard, report and key-date permissions."""

from django.db import migrations

from blanko.roles import create_all_permissions, grant
from layanan.roles import SUPERVISOR_VIEW_ROLES


def create_roles(apps, schema_editor):
    create_all_permissions(apps)
    grant(app_label="layanan", roles=SUPERVISOR_VIEW_ROLES,
          group_model=apps.get_model("auth", "Group"),
          permission_model=apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [("layanan", "0003_keydate")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
