"""Creates the role groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

LEDGER_OPERATOR = ["issue_blank", "spoil_blank", "view_ledger"]
LEDGER_SUPERVISOR = LEDGER_OPERATOR + [
    "receive_blank", "manage_loan", "count_stock", "destroy_blank", "reverse_movement",
    "close_month",
]
ROLES = {
    "Operator": LEDGER_OPERATOR,
    "Supervisor": LEDGER_SUPERVISOR,
    "Administrator": LEDGER_SUPERVISOR + [
        "view_office", "add_office", "change_office", "view_staffprofile", "add_staffprofile",
        "change_staffprofile", "view_delivery", "add_delivery", "view_movement",
        "view_balance", "view_location", "view_loan", "add_loan", "view_stockcount",
        "add_stockcount", "view_destruction", "add_destruction", "view_monthclose",
        "view_shipment",
    ],
    "Viewer": ["view_ledger"],
}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="blanko", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("blanko", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
