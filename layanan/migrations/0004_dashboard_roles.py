"""Gives the role groups the dashboard, report and key-date permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from blanko.roles import grant
from layanan.supervisor_roles import SUPERVISOR_VIEW_ROLES


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant(app_label="layanan", roles=SUPERVISOR_VIEW_ROLES,
          group_model=apps.get_model("auth", "Group"),
          permission_model=apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [("layanan", "0003_keydate")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
