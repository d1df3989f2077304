from django.urls import path, re_path

from articles.views import article, imports, regions, search, tagging

app_name = "articles"

urlpatterns = [
    path("", search.search, name="search"),
    path("export.<str:fmt>", search.export, name="export"),
    path("articles/<int:pk>/", article.article_detail, name="detail"),
    path("articles/<int:pk>/regions/", tagging.add_tag, name="add-tag"),
    path("articles/<int:pk>/regions/<slug:slug>/remove/", tagging.remove_tag, name="remove-tag"),
    re_path(
        # At most 19 digits: a longer id is a 404 here, not a ValueError from int() later.
        r"^suggestions/(?P<pk>[0-9]{1,19})/(?P<decision>accept|reject)/$",
        tagging.decide_suggestion,
        name="decide-suggestion",
    ),
    path("tag/", tagging.bulk_tag, name="bulk-tag"),
    path("regions/", regions.region_list, name="regions"),
    path("regions/<slug:slug>/", regions.region_detail, name="region"),
    path("regions/<slug:slug>/feed/", regions.RegionFeed(), name="region-feed"),
    path("imports/", imports.import_list, name="imports"),
    path("imports/<int:pk>/", imports.import_detail, name="import-detail"),
]
