from django.db import migrations

from articles.search.schema import ensure_phrase_pairs


def create(apps, schema_editor):
    ensure_phrase_pairs(schema_editor.connection)


class Migration(migrations.Migration):
    """PostgreSQL: the stored search vector gains a lexeme per pair of neighbouring words, so
    that a quoted phrase is answered by the GIN index alone. Rewrites the article table."""

    dependencies = [("articles", "0009_bulk_tag_permission")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
