"""Full-text search: one query syntax (``articles.search.query``, pure Python), one backend per
database (``articles.search.backends``: PostgreSQL full-text search, SQLite FTS5), and the index
the database keeps (``articles.search.schema``). Search from a queryset:
``Article.objects.active().search("Haftar -Russia")``.
"""

from articles.search.query import SearchQuery, Term, parse_query

__all__ = ["SearchQuery", "Term", "parse_query"]
