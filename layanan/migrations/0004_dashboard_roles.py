"""Gives the role groups the dashboard, report and key-date permissions.

The roles are written out as they were when this migration was made, not imported
from layanan.roles (see blanko's 0002_roles).
"""

from django.db import migrations

from blanko.roles import create_all_permissions, grant

_KEY_DATE_ADMIN = ["view_keydate", "add_keydate", "change_keydate", "delete_keydate"]
ROLES = {
    "Supervisor": ["view_dashboard", "view_report"],
    "Administrator": ["view_dashboard", "view_report", *_KEY_DATE_ADMIN],
    # Province and national viewers read the rollup and each office's dashboard.
    "Viewer": ["view_dashboard"],
}


def create_roles(apps, schema_editor):
    create_all_permissions(apps)
    grant(app_label="layanan", roles=ROLES, group_model=apps.get_model("auth", "Group"),
          permission_model=apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [("layanan", "0003_keydate")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
