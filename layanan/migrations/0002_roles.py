"""Gives the role groups their service-request permissions, and the Administrator the
user-management rights of the Django admin.

The roles are written out as they were when this migration was made, not imported
from layanan.roles and blanko.roles (see blanko's 0002_roles).
"""

from django.db import migrations

from blanko.roles import create_all_permissions, grant

_OPERATOR = ["register_request", "process_request", "view_personal_data",
             "view_servicerequest"]
ROLES = {
    "Operator": _OPERATOR,
    "Supervisor": [*_OPERATOR, "view_access_log", "export_personal_data"],
    "Administrator": ["view_servicerequest"],
}
AUTH_ROLES = {
    "Administrator": ["view_user", "add_user", "change_user", "view_group"],
}


def create_roles(apps, schema_editor):
    create_all_permissions(apps)
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    grant(app_label="layanan", roles=ROLES, group_model=Group, permission_model=Permission)
    grant(app_label="auth", roles=AUTH_ROLES, group_model=Group, permission_model=Permission)


class Migration(migrations.Migration):
    dependencies = [
        ("layanan", "0001_initial"),
        ("blanko", "0002_roles"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
