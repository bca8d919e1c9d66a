"""Creates the role groups with their permissions.

The roles are written out here as they were when this migration was made, not
imported from blanko.roles: a migration must grant the same on every database,
whatever the roles become later. Later changes come in their own migrations, and
blanko.roles.ensure_roles (post_migrate) adds what is missing after every migrate.
"""

from django.db import migrations

from blanko.roles import create_all_permissions, grant

_OPERATOR = ["issue_blank", "spoil_blank", "view_ledger"]
_SUPERVISOR = [
    *_OPERATOR, "receive_blank", "manage_loan", "count_stock", "destroy_blank",
    "reverse_movement", "close_month",
]
ROLES = {
    "Operator": _OPERATOR,
    "Supervisor": _SUPERVISOR,
    "Administrator": [
        *_SUPERVISOR, "view_office", "add_office", "change_office", "view_staffprofile",
        "add_staffprofile", "change_staffprofile", "view_delivery", "add_delivery",
        "view_movement", "view_balance", "view_location", "view_loan", "add_loan",
        "view_stockcount", "add_stockcount", "view_destruction", "add_destruction",
        "view_monthclose", "add_monthclose", "view_shipment",
    ],
    "Viewer": ["view_ledger"],
}


def create_roles(apps, schema_editor):
    create_all_permissions(apps)
    grant(app_label="blanko", roles=ROLES, group_model=apps.get_model("auth", "Group"),
          permission_model=apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("blanko", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
