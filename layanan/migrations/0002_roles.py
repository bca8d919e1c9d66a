"""Gives the role groups their service-request permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OPERATOR = ["register_request", "process_request", "view_personal_data", "view_servicerequest"]
SUPERVISOR = OPERATOR + ["view_access_log", "export_personal_data"]
ROLES = {
    "Operator": OPERATOR,
    "Supervisor": SUPERVISOR,
    "Administrator": ["view_servicerequest"],
}
# The Django admin manages users: the Administrator role carries those rights.
ADMIN_AUTH = ["view_user", "add_user", "change_user", "view_group"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="layanan", codename__in=codenames)
        )
    Group.objects.get(name="Administrator").permissions.add(
        *Permission.objects.filter(content_type__app_label="auth", codename__in=ADMIN_AUTH)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("layanan", "0001_initial"),
        ("blanko", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
