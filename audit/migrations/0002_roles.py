from django.db import migrations

# Editors and viewers may read the audit of corrections in the admin; nobody may change it.
GROUPS = ("editors", "viewers")


def grant_view(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("audit")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="audit", codename="view_correction")
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(view)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("articles", "0004_roles"),
    ]

    operations = [migrations.RunPython(grant_view, migrations.RunPython.noop)]
