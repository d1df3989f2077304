"""Bulk tagging gets a permission of its own, ``articles.bulk_tag_articles``, so that an editor
can be allowed to tag articles one by one without being able to tag a whole search at once.
The editors group gets it; viewers do not."""

from django.db import migrations

from articles.roles import grant_role_permissions


def grant(apps, schema_editor):
    grant_role_permissions(apps)


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_tag_method_labels")]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [
                    ("tag_articles", "Can tag articles with regions"),
                    (
                        "bulk_tag_articles",
                        "Can tag many articles at once from a search",
                    ),
                    ("merge_articles", "Can merge duplicate articles and undo merges"),
                    ("import_dumps", "Can import dump files"),
                ],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
