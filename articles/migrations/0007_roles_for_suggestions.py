from django.db import migrations

from articles.roles import grant_role_permissions


def grant(apps, schema_editor):
    grant_role_permissions(apps)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_region_suggestions_and_tag_history")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
