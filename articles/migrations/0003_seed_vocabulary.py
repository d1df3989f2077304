"""Seed the sources editors will meet in the dumps and the region vocabulary with its gazetteer.

Both are editable in the admin afterwards; seeding adds only what is missing.
"""

from django.db import migrations
from django.utils.text import slugify

from articles.credits import KNOWN_SOURCES, source_key
from articles.gazetteer import REGIONS


def seed(apps, schema_editor):
    Source = apps.get_model("articles", "Source")
    SourceAlias = apps.get_model("articles", "SourceAlias")
    Region = apps.get_model("articles", "Region")
    PlaceName = apps.get_model("articles", "PlaceName")

    for known in KNOWN_SOURCES:
        source, _ = Source.objects.get_or_create(
            name=known.name,
            defaults={"full_name": known.full_name, "kind": known.kind, "slug": slugify(known.name)},
        )
        for alias in {known.name, known.full_name, *known.aliases} - {""}:
            SourceAlias.objects.get_or_create(
                key=source_key(alias), defaults={"source": source, "alias": alias}
            )

    for name, place_names in REGIONS.items():
        region, _ = Region.objects.get_or_create(name=name, defaults={"slug": slugify(name)})
        for place_name in place_names:
            PlaceName.objects.get_or_create(region=region, name=place_name)


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_search_index")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
