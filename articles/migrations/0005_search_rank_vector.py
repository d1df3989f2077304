from django.db import migrations

from articles.search.schema import drop_rank_vector, ensure_rank_vector


def create(apps, schema_editor):
    ensure_rank_vector(schema_editor.connection)


def drop(apps, schema_editor):
    drop_rank_vector(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_roles")]

    operations = [migrations.RunPython(create, drop)]
