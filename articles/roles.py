"""The two roles editors and viewers have, as Django groups with their permissions."""

EDITORS = "editors"
VIEWERS = "viewers"

_ALL_MODELS = (
    "article", "caption", "articlesource", "regiontag", "source", "sourcealias", "region",
    "placename", "importrun", "dumpfile", "occurrence", "regionsuggestion", "tagevent",
)  # fmt: skip

VIEWER_PERMISSIONS = tuple(f"view_{model}" for model in _ALL_MODELS)

EDITOR_PERMISSIONS = (
    *VIEWER_PERMISSIONS,
    "change_article",
    "tag_articles",
    "bulk_tag_articles",
    "merge_articles",
    "import_dumps",
    "add_caption", "change_caption", "delete_caption",
    "add_articlesource", "change_articlesource", "delete_articlesource",
    "add_regiontag", "change_regiontag", "delete_regiontag",
    "add_source", "change_source",
    "add_sourcealias", "change_sourcealias", "delete_sourcealias",
    "add_region", "change_region",
    "add_placename", "change_placename", "delete_placename",
    "change_regionsuggestion",
)  # fmt: skip

ROLE_PERMISSIONS = {EDITORS: EDITOR_PERMISSIONS, VIEWERS: VIEWER_PERMISSIONS}


def grant_role_permissions(apps) -> None:
    """Create the groups and give them their permissions; safe to run again (migrations do,
    each time the permission lists grow)."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
        )
