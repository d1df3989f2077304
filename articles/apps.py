from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def ensure_search_index(sender, using, **kwargs) -> None:
    from articles.search.schema import ensure_index

    ensure_index(connections[using])


class ArticlesConfig(AppConfig):
    name = "articles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from articles import signals  # noqa: F401

        post_migrate.connect(ensure_search_index, sender=self)
