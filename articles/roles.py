"""The two roles editors and viewers have, as Django groups with their permissions."""

EDITORS = "editors"
VIEWERS = "viewers"

_ALL_MODELS = (
    "article", "caption", "articlesource", "regiontag", "source", "sourcealias", "region",
    "placename", "importrun", "dumpfile", "occurrence",
)  # fmt: skip

VIEWER_PERMISSIONS = tuple(f"view_{model}" for model in _ALL_MODELS)

EDITOR_PERMISSIONS = (
    *VIEWER_PERMISSIONS,
    "change_article",
    "tag_articles",
    "merge_articles",
    "import_dumps",
    "add_caption", "change_caption", "delete_caption",
    "add_articlesource", "change_articlesource", "delete_articlesource",
    "add_regiontag", "change_regiontag", "delete_regiontag",
    "add_source", "change_source",
    "add_sourcealias", "change_sourcealias", "delete_sourcealias",
    "add_region", "change_region",
    "add_placename", "change_placename", "delete_placename",
)  # fmt: skip

ROLE_PERMISSIONS = {EDITORS: EDITOR_PERMISSIONS, VIEWERS: VIEWER_PERMISSIONS}
