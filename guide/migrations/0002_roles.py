"""The editorial roles. Comment permissions are added by the comments app's migrations."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = "Redaktør"
MODERATOR = "Moderator"

EDITOR_PERMISSIONS = [
    ("guide", "chapter", ["add", "change", "delete", "view"]),
    ("guide", "section", ["add", "change", "delete", "view"]),
    ("guide", "edition", ["add", "change", "view"]),
]
MODERATOR_PERMISSIONS = [
    ("guide", "chapter", ["view"]),
    ("guide", "section", ["view"]),
    ("guide", "edition", ["view"]),
]


def _ensure_permissions(apps):
    # Permissions are normally created after all migrations have run.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def _grant(apps, group, spec):
    Permission = apps.get_model("auth", "Permission")
    for app_label, model, actions in spec:
        for action in actions:
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=f"{action}_{model}"
                )
            )


def create_roles(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    _grant(apps, editor, EDITOR_PERMISSIONS)
    moderator, _ = Group.objects.get_or_create(name=MODERATOR)
    _grant(apps, moderator, MODERATOR_PERMISSIONS)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITOR, MODERATOR]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("guide", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
