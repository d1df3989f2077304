"""Editors and viewers may see the duplicates models in the admin; merging and deciding need
``articles.merge_articles``, which the editors group already has."""

from django.db import migrations

MODELS = ("articlesketch", "duplicatecandidate", "mergerecord")
GROUPS = ("editors", "viewers")


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("duplicates")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="duplicates", codename__in=[f"view_{m}" for m in MODELS]
    )
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("duplicates", "0001_initial"),
        ("articles", "0004_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
