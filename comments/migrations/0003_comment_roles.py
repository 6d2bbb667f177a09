"""Give the editorial roles their comment permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = {
    "Moderator": ["view_comment", "change_comment", "export_comment", "view_report"],
    "Redaktør": ["view_comment", "change_comment", "export_comment", "view_report"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="comments", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in PERMISSIONS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="comments", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0002_addressed_and_notifications"),
        ("guide", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
