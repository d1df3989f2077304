from django.db import migrations

from articles.search.schema import ensure_facet_tokens


def create(apps, schema_editor):
    ensure_facet_tokens(schema_editor.connection)


class Migration(migrations.Migration):
    """A change token for the articles themselves (triggers on the article table), which the
    search's result ids cached by query follow (``articles.search.facets.joined_ids``)."""

    dependencies = [("articles", "0011_search_title_vector")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
