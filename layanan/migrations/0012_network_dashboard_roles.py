"""The network roles of the supply cycle (blanko 0012) read the dashboards: a province
coordinator its province's offices and rollup, Ditjen's allocator every office.

The roles are written out as they were when this migration was made, not imported
from layanan.roles (see blanko's 0002_roles).
"""

from django.db import migrations

from blanko.roles import create_all_permissions, grant

ROLES = {
    "Province": ["view_dashboard"],
    "National": ["view_dashboard"],
}


def create_roles(apps, schema_editor):
    create_all_permissions(apps)
    grant(app_label="layanan", roles=ROLES, group_model=apps.get_model("auth", "Group"),
          permission_model=apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("layanan", "0011_request_indexes_in_state"),
        ("blanko", "0012_supply_roles"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
