"""The supply cycle's permissions, and the two network roles: Province (a province
coordinator, scoped to one province code) and National (Ditjen's allocator).

The roles are written out as they were when this migration was made, not imported
from blanko.roles (see 0002_roles).
"""

from django.db import migrations

from blanko.roles import create_all_permissions, grant

ROLES = {
    "Supervisor": ["request_blanks", "view_blank_request"],
    "Administrator": ["request_blanks", "view_blank_request", "view_blankrequest"],
    "Viewer": ["view_blank_request"],
    "Province": ["view_ledger", "view_blank_request", "forward_blank_request"],
    "National": ["view_ledger", "view_blank_request", "allocate_blanks"],
}


def create_roles(apps, schema_editor):
    create_all_permissions(apps)
    grant(app_label="blanko", roles=ROLES, group_model=apps.get_model("auth", "Group"),
          permission_model=apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("blanko", "0011_central_store"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
