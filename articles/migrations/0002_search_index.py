from django.db import migrations

from articles.search.schema import drop_index, ensure_index


def create(apps, schema_editor):
    ensure_index(schema_editor.connection)


def drop(apps, schema_editor):
    drop_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
