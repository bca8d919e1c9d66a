"""Creates the role groups with their permissions."""

from django.db import migrations

from blanko.roles import BLANKO_ROLES, create_all_permissions, grant


def create_roles(apps, schema_editor):
    create_all_permissions(apps)
    grant(app_label="blanko", roles=BLANKO_ROLES, group_model=apps.get_model("auth", "Group"),
          permission_model=apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("blanko", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
