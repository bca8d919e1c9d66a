"""Creates the role groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from blanko.roles import BLANKO_ROLES, grant


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant(app_label="blanko", roles=BLANKO_ROLES, group_model=apps.get_model("auth", "Group"),
          permission_model=apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("blanko", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
