"""Province rebalancing: the province coordinator proposes loans between the offices of
its province (`blanko.propose_rebalancing`). The lender's Supervisor or Administrator
accepts or declines with `manage_loan`, which they already hold.

The roles are written out as they were when this migration was made, not imported
from blanko.roles (see 0002_roles).
"""

from django.db import migrations

from blanko.roles import create_all_permissions, grant

ROLES = {
    "Province": ["propose_rebalancing"],
}


def create_roles(apps, schema_editor):
    create_all_permissions(apps)
    grant(app_label="blanko", roles=ROLES, group_model=apps.get_model("auth", "Group"),
          permission_model=apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("blanko", "0014_rebalancing"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
