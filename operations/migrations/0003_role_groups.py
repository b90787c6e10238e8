"""Create the Analysts, Staff and Editors groups with their permissions."""

from django.db import migrations


def forwards(apps, schema_editor):
    from operations.roles import sync_role_groups

    sync_role_groups(apps)


def backwards(apps, schema_editor):
    from operations.roles import ROLE_PERMISSIONS

    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0002_countries_and_exploitation_forms"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
