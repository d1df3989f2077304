from django.db import migrations

from articles.search.schema import ensure_index


def create(apps, schema_editor):
    ensure_index(schema_editor.connection)


class Migration(migrations.Migration):
    """PostgreSQL: a stored vector of the title alone, with its GIN index, for the first ranking
    tier of broad searches. Rewrites the article table (about a minute at 100,000 articles)."""

    dependencies = [("articles", "0010_search_phrase_pairs")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
