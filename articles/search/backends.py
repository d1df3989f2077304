"""Full-text search on each database, behind one interface: ``get_backend().filter(queryset,
query)`` and ``get_backend().snippets(articles, query)``.

Both backends turn a :class:`~articles.search.query.SearchQuery` into the engine's own query
language themselves, quoting every word (PostgreSQL: ``'word'`` lexemes for ``to_tsquery``;
SQLite: ``"word"`` strings for FTS5 ``MATCH``), and pass it as a bound parameter: nothing an editor
types is ever read as engine syntax.

Ranking is the same on both: ``search_rank`` is a tier plus a relevance below 1, so that

- 2.x: a search word or phrase is in the title,
- 1.x: else one is in the captions,
- 0.x: else the match is in the body only,

and within a tier the engine's relevance (PostgreSQL ``ts_rank`` over the title and captions,
SQLite ``bm25`` weighted title 10, captions 4, body 1), then newest first (``search()`` orders by
``-search_rank, -created_at, -id``).

Speed on broad searches (a word in half of 100,000 articles):

- PostgreSQL ranks with a compact stored vector of the title (A) and captions (B),
  ``search_rank_vector``, that stays in the table row; matching uses the full vector and its GIN
  index. ``ts_rank`` over the full vector would decompress every match's toasted vector (about a
  second for 50,000 matches). The tsquery reaches the table through a one-row subquery, which
  the planner cannot see into: it then always uses the GIN index, where a known broad query
  could make it choose a sequential scan that decompresses every article's full vector (see
  ``PostgresBackend.filter``).
  The full vector is compressed with LZ4 where the server supports it (faster to decompress
  when a phrase search rechecks candidate rows; see ``articles.search.schema``).
- A page of a broad search ranks only the tier it shows (``tiers``, used by the search page):
  PostgreSQL finds the title tier through a GIN index on the title's own vector and ranks it
  alone, so a word found in 200 titles and 100,000 bodies ranks 200 articles for page 1;
  SQLite lists each tier with one FTS expression.
- SQLite counts the matches in the FTS index first (a few milliseconds, once per SearchQuery
  object). Up to ``SQLITE_RANKED_MATCHES`` matches, it joins the FTS table and ranks with
  ``bm25``; beyond, it keeps the tiers, found through the FTS index with column filters, and
  orders each tier newest first: ``bm25`` plus looking every match up through the FTS join in
  the wide article rows cost about 6 µs a match (0.35 s for the page and the count of ``Gaza``
  at 100,000 articles), the broad path about a third of that.
"""

from __future__ import annotations

import html
import re
import weakref
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Protocol

import numpy as np
from django.core.exceptions import ImproperlyConfigured
from django.db import connection as default_connection
from django.db import connections
from django.db.models import BooleanField, Expression, F, FloatField, Func
from django.db.models.sql.constants import INNER
from django.db.models.sql.datastructures import Join
from django.utils.safestring import SafeString, mark_safe

from articles.search.facets import ids_of, joined_ids
from articles.search.query import SearchQuery, Term, parse_query

POSTGRES_CONFIG = "newsroom_english"
FTS_TABLE = "article_fts"
# bm25 weights of the FTS columns: title, captions, body.
BM25_WEIGHTS = (10.0, 4.0, 1.0)
# ts_rank weights, in PostgreSQL's order: D, C, B (captions), A (title).
TS_RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
# The FTS columns of the first two ranking tiers.
TIER_COLUMNS = ("title", "caption_text")
# Above this many results, PostgreSQL ranks a page's tier alone (PostgresBackend.tiers).
POSTGRES_RANKED_MATCHES = 5000
# Above this many FTS matches, SQLite orders each tier newest first instead of by bm25.
SQLITE_RANKED_MATCHES = 5000
SNIPPET_WORDS = 30
SNIPPET_HEAD_CHARS = 1000
# Articles per snippet query (a page is one query; an export, one per batch).
SNIPPET_BATCH = 500

# Where the engine marks a match (control characters: PostgreSQL deletes them from the text first,
# mark() ignores unbalanced ones), <mark> goes, once the text is escaped.
START, STOP = "\x02", "\x03"
_SPACES = re.compile(r"\s+")


class Tier:
    """One ranking tier of a result set: its results in order, and how many they are. Either
    can be given as a function, called when first needed."""

    def __init__(self, queryset, count: int | Callable[[], int]) -> None:
        self._queryset = queryset
        self._count = count

    @cached_property
    def queryset(self):
        return self._queryset() if callable(self._queryset) else self._queryset

    @cached_property
    def count(self) -> int:
        return self._count() if callable(self._count) else self._count


class SearchBackend(Protocol):
    def filter(self, queryset, query: SearchQuery):
        """The articles of ``queryset`` that match, annotated with ``search_rank`` (a float,
        higher is better). Not ordered: ``ArticleQuerySet.search`` orders."""

    def tiers(
        self, queryset, query: SearchQuery, ids: np.ndarray, *, narrowed: bool = False
    ) -> list[Tier] | None:
        """The results of ``query`` within ``queryset`` (every other filter applied) as their
        ranking tiers, best first: each tier's results ordered and counted (among ``ids``,
        every result's id), so that the tiers one after the other give the order of
        ``filter(queryset, query)`` by rank. A page then ranks only the tier it shows.
        ``narrowed``: filters other than the search narrowed the results. None when ranking
        every match at once is cheap enough."""

    def match_ids(self, query: SearchQuery, using: str) -> np.ndarray | None:
        """The ids of every article matching ``query``, whatever its status, when the engine's
        index gives them faster than the article table; else None."""

    def listed(self, queryset, ids: np.ndarray):
        """The articles of ``queryset``'s model with these ids, unordered, when the database
        takes a long list of ids well; else None."""

    def snippets(self, articles_or_ids, query: SearchQuery) -> dict[int, SafeString]:
        """Per article id, about 30 words around the matches, escaped, the matched words in
        ``<mark>``: from the body, or from the captions or the title when only they match.
        Articles with nothing to mark are left out (show their lead instead)."""


def get_backend(connection=None) -> SearchBackend:
    """The backend for ``connection`` (the default database's when not given)."""
    connection = connection or default_connection
    backend = _BACKENDS.get(connection.vendor)
    if backend is None:
        raise ImproperlyConfigured(
            f"Search supports PostgreSQL and SQLite, not {connection.vendor!r}."
        )
    return backend(connection)


# --- Engine query text -----------------------------------------------------------------------


def tsquery_text(query: SearchQuery, *, weights: str = "", any_term: bool = False) -> str:
    """The ``to_tsquery`` input for ``query``: every word single-quoted (a phrase is one quoted
    string: the configuration's own parser splits it and keeps the word distances, stop words
    included), groups ANDed, exclusions as ``& !``. With ``any_term``, every positive term ORed
    and no exclusions (for the ranking tiers and highlighting); ``weights`` restricts every term
    to those weights ("A": the title)."""

    def term(t: Term) -> str:
        return tsquery_term(t, weights=weights)

    if any_term:
        return " | ".join(term(t) for t in query.terms)
    positive = " & ".join(
        "( " + " | ".join(term(t) for t in group) + " )" for group in query.groups
    )
    excluded = "".join(f" & !{term(t)}" for t in query.excluded)
    return positive + excluded


def tsquery_term(t: Term, *, weights: str = "") -> str:
    """One term as ``to_tsquery`` input: its words single-quoted, ``:*`` for a prefix."""
    quoted = "'" + " ".join(t.words).replace("\\", "\\\\").replace("'", "''") + "'"
    suffix = ("*" if t.prefix else "") + weights
    return f"{quoted}:{suffix}" if suffix else quoted


def match_tsquery_sql(query: SearchQuery, *, any_term: bool = False) -> tuple[str, list]:
    """The tsquery that matches ``query`` against the stored vector, as SQL: the same logic as
    ``tsquery_text``, but each word or phrase goes through ``newsroom_phrase_query``, which
    answers a phrase with the vector's word-pair lexemes (see articles.search.schema). A
    prefix stays a ``to_tsquery`` prefix. With ``any_term``, every positive term ORed and no
    exclusions."""
    params: list = []

    def term(t: Term) -> str:
        if t.prefix:
            params.extend([POSTGRES_CONFIG, tsquery_term(t)])
            return "to_tsquery(%s::regconfig, %s)"
        params.extend([POSTGRES_CONFIG, " ".join(t.words)])
        return "newsroom_phrase_query(%s::regconfig, %s)"

    if any_term:
        return "(" + " || ".join(term(t) for t in query.terms) + ")", params
    groups = " && ".join("(" + " || ".join(term(t) for t in group) + ")" for group in query.groups)
    excluded = "".join(f" && (!!{term(t)})" for t in query.excluded)
    return f"({groups}{excluded})", params


def fts5_match(query: SearchQuery, *, column: str | None = None, any_term: bool = False) -> str:
    """The FTS5 ``MATCH`` expression for ``query``: every word double-quoted (``"trip"*`` for a
    prefix; the tokenizer splits a quoted phrase), groups ANDed, ``NOT`` for exclusions. With
    ``any_term``, every positive term ORed and no exclusions; ``column`` restricts the
    expression to one column."""

    def term(t: Term) -> str:
        quoted = '"' + " ".join(t.words).replace('"', '""') + '"'
        return quoted + ("*" if t.prefix else "")

    if any_term:
        expression = " OR ".join(term(t) for t in query.terms)
    else:
        expression = " AND ".join(
            "(" + " OR ".join(term(t) for t in group) + ")" for group in query.groups
        )
        if query.excluded:
            excluded = " OR ".join(term(t) for t in query.excluded)
            expression = f"({expression}) NOT ({excluded})"
    if column is not None:
        expression = f"{{{column}}} : ({expression})"
    return expression


# --- SQL expressions that know the article table's alias -------------------------------------


class _ArticleSQL(Func):
    """Raw SQL about the article row; ``{T}`` stands for the article table's alias, whatever it
    is in this query (it changes when the queryset becomes a subquery)."""

    def __init__(self, sql: str, params: Iterable, output_field) -> None:
        super().__init__(F("pk"), output_field=output_field)
        self.sql = sql
        self.sql_params = tuple(params)

    def as_sql(self, compiler, connection, **extra_context):
        table = compiler.quote_name_unless_alias(self.source_expressions[0].alias)
        return self.sql.replace("{T}", table), list(self.sql_params)


class _PostgresMatch(_ArticleSQL):
    """The match condition, out of the planner's sight: it then takes a fixed 0.5% of the table
    to match and reads the GIN index, where, seeing a broad word, it can choose a sequential
    scan that reads and decompresses every article's full vector (about 1 s at 100,000).

    A page ordered by an indexed column (newest first) gets the condition twice over: 0.5% of
    0.5%, or the planner walks the date index for a rare word, reading every article's vector
    until it has a page (0.7 s). Not always: for a phrase, which the index cannot check alone,
    each copy rereads the vector of every candidate row."""

    def __init__(self, sql: str, params: Iterable) -> None:
        super().__init__(sql, params, BooleanField())

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        if _limited_and_index_ordered(compiler.query):
            return f"({sql} AND {sql})", params * 2
        return sql, params


def _limited_and_index_ordered(query) -> bool:
    if not query.is_sliced:
        return False
    ordering = query.order_by or (query.get_meta().ordering if query.default_ordering else ())
    if not ordering:
        return False
    first = ordering[0]
    if not isinstance(first, str):
        first = getattr(getattr(first, "expression", None), "name", "")
    return first.lstrip("-") in {"created_at", "id", "pk"}


class _FtsSQL(Expression):
    """Raw SQL about the joined FTS row: ``{F}`` stands for the FTS table's hidden column
    (``<alias>.article_fts``), ``{R}`` for the row's rowid (the article id). ``grouped_sql``
    replaces ``sql`` in a query that groups or aggregates, where SQLite cannot run bm25()."""

    def __init__(
        self,
        sql: str,
        params: Iterable,
        alias: str,
        output_field,
        grouped_sql: str | None = None,
        grouped_params: Iterable = (),
    ) -> None:
        super().__init__(output_field=output_field)
        self.sql = sql
        self.sql_params = tuple(params)
        self.alias = alias
        self.grouped_sql = grouped_sql
        self.grouped_params = tuple(grouped_params)

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def get_group_by_cols(self):
        # One value per article row: grouping by the article's columns is enough.
        return []

    def as_sql(self, compiler, connection):
        sql, params = self.sql, self.sql_params
        if self.grouped_sql is not None and _aggregates(compiler.query):
            sql, params = self.grouped_sql, self.grouped_params
        fts = compiler.quote_name_unless_alias(self.alias)
        sql = sql.replace("{F}", f"{fts}.{FTS_TABLE}").replace("{R}", f"{fts}.rowid")
        return sql, list(params)


def _aggregates(query) -> bool:
    """Whether ``query`` groups or aggregates rows (SQLite's bm25() cannot run there)."""
    return query.group_by is not None or any(
        getattr(annotation, "contains_aggregate", False)
        for annotation in query.annotation_select.values()
    )


class _FtsJoinField:
    """The little of a relation field that Django reads from a join in the alias map (when the
    query becomes the outer query of a subquery): the joined table."""

    class related_model:
        class _meta:
            db_table = FTS_TABLE


_FTS_JOIN_FIELD = _FtsJoinField()


class _FtsJoin(Join):
    """``INNER JOIN article_fts ON article_fts.rowid = <article>.id``: the FTS table has no
    model, so the join is added to the query's alias map by hand."""

    def __init__(self, parent_alias: str, table_alias: str | None = None) -> None:
        self.table_name = FTS_TABLE
        self.parent_alias = parent_alias
        self.table_alias = table_alias
        self.join_type = INNER
        self.join_field = _FTS_JOIN_FIELD
        self.join_fields = ()
        self.join_cols = ()
        self.nullable = False
        self.filtered_relation = None

    def as_sql(self, compiler, connection):
        qn = compiler.quote_name_unless_alias
        alias = "" if self.table_alias == self.table_name else f" {self.table_alias}"
        return (
            f"INNER JOIN {qn(self.table_name)}{alias} "
            f"ON ({qn(self.table_alias)}.rowid = {qn(self.parent_alias)}.{qn('id')})"
        ), []

    def relabeled_clone(self, change_map):
        return self.__class__(
            change_map.get(self.parent_alias, self.parent_alias),
            change_map.get(self.table_alias, self.table_alias),
        )

    @property
    def identity(self):
        return (self.__class__, self.table_name, self.parent_alias, self.table_alias)

    def demote(self):
        return self.relabeled_clone({})

    # An outer join would keep articles the MATCH cannot see: the join stays inner.
    promote = demote


# --- Snippets --------------------------------------------------------------------------------


def _ids(articles_or_ids) -> list[int]:
    ids = []
    for item in articles_or_ids or ():
        pk = getattr(item, "pk", item)
        if pk is not None:
            ids.append(int(pk))
    return list(dict.fromkeys(ids))


def _as_query(query) -> SearchQuery:
    return query if isinstance(query, SearchQuery) else parse_query(query or "")


def mark(text: str) -> SafeString:
    """Escape ``text``, then turn the START/STOP sentinels into balanced ``<mark>`` tags."""
    escaped = html.escape(_SPACES.sub(" ", text).strip())
    parts, open_mark = [], False
    for piece in re.split(f"([{START}{STOP}])", escaped):
        if piece == START:
            if not open_mark:
                parts.append("<mark>")
                open_mark = True
        elif piece == STOP:
            if open_mark:
                parts.append("</mark>")
                open_mark = False
        else:
            parts.append(piece)
    if open_mark:
        parts.append("</mark>")
    # Safe: every piece of the text was escaped above; only our own tags were added.
    return mark_safe("".join(parts).replace("<mark></mark>", ""))


def _best(candidates: Iterable[str | None]) -> str | None:
    """The first text with a match marked in it."""
    for text in candidates:
        if text and START in text:
            return text
    return None


# --- PostgreSQL ------------------------------------------------------------------------------


class _Backend:
    def __init__(self, connection) -> None:
        self.connection = connection

    def snippets(self, articles_or_ids, query) -> dict[int, SafeString]:
        query = _as_query(query)
        ids = _ids(articles_or_ids)
        result: dict[int, SafeString] = {}
        if query.is_empty:
            return result
        for start in range(0, len(ids), SNIPPET_BATCH):
            result.update(self._snippets(ids[start : start + SNIPPET_BATCH], query))
        return result


class PostgresBackend(_Backend):
    def filter(self, queryset, query: SearchQuery):
        return queryset.filter(_matches(query)).annotate(search_rank=_rank(query))

    def tiers(
        self, queryset, query: SearchQuery, ids: np.ndarray, *, narrowed: bool = False
    ) -> list[Tier] | None:
        newest = ("-search_rank", "-created_at", "-id")

        def listed(tier_ids: np.ndarray, rank: _ArticleSQL):
            # Every id of the tier known: rank those rows, without matching or filtering again
            # (a filter's semi-join over every match is what costs on a broad search).
            return self.listed(queryset, tier_ids).annotate(search_rank=rank).order_by(*newest)

        if len(ids) <= POSTGRES_RANKED_MATCHES:
            return [Tier(listed(ids, _rank(query)), len(ids))]
        # The first tier (a term in the title) through the title's own GIN index, ranked alone;
        # the rest as filter() orders it. The two are split by one condition, so together they
        # hold every result once.
        title_sql, title_params = match_tsquery_sql(query, any_term=True)
        in_title = f"{{T}}.search_title_vector @@ (SELECT {title_sql})"
        relevance = _ArticleSQL(
            f"(2 + {_relevance_sql()})::double precision",
            [TS_RANK_WEIGHTS, POSTGRES_CONFIG, tsquery_text(query, any_term=True)],
            FloatField(),
        )

        def in_title_mask() -> np.ndarray:
            manager = queryset.model._default_manager.db_manager(queryset.db)
            title_ids = ids_of(manager.filter(_PostgresMatch(in_title, title_params)))
            return np.isin(ids, title_ids, assume_unique=True)

        if narrowed:
            mask = in_title_mask()
            return [
                Tier(lambda: listed(ids[mask], relevance), int(mask.sum())),
                Tier(lambda: listed(ids[~mask], _rank(query)), int((~mask).sum())),
            ]

        def count_in_title() -> int:
            return int(in_title_mask().sum())

        first = queryset.filter(_PostgresMatch(in_title, title_params))
        if len(query.groups) > 1 or query.excluded:
            first = first.filter(_matches(query))  # else a term in the title is a match
        rest = self.filter(queryset, query).filter(
            _PostgresMatch(f"NOT ({in_title})", title_params)
        )
        first = Tier(first.annotate(search_rank=relevance).order_by(*newest), count_in_title)
        return [first, Tier(rest.order_by(*newest), lambda: len(ids) - first.count)]

    def match_ids(self, query: SearchQuery, using: str) -> np.ndarray | None:
        return None  # the GIN index alone cannot tell: the table rows are read either way

    def listed(self, queryset, ids: np.ndarray):
        """The articles with these ids, as one array parameter (Django's ``pk__in`` would
        send one parameter per id)."""
        manager = queryset.model._default_manager.db_manager(queryset.db)
        return manager.filter(_ArticleSQL("{T}.id = ANY(%s)", [ids.tolist()], BooleanField()))

    def _snippets(self, ids: list[int], query: SearchQuery) -> dict[int, SafeString]:
        # ts_headline marks the words the way the index stems them; it is asked for the whole
        # text (HighlightAll) and the window of about SNIPPET_WORDS words around the first
        # match is cut here, which keeps punctuation and short words at the ends.
        # It parses all the text it is given (about 0.5 ms per 2,000 characters): the body's
        # first SNIPPET_HEAD_CHARS first, where a broad word usually is; the whole body only
        # when nothing matched there but the body does match (its weight C in the stored vector
        # says so). OFFSET 0 keeps the first headline from being computed twice.
        # "<" and ">" are swapped for private-use characters on the way in, or the parser would
        # take "<script>" for a tag and drop it; the sentinels are deleted from the text.
        sql = """
            SELECT a.id,
                CASE WHEN strpos(h.head, %(start)s) > 0 OR length(a.body) <= %(head)s
                        OR NOT ts_filter(a.search_vector, '{c}') @@ q.q
                    THEN h.head
                    ELSE ts_headline(%(config)s::regconfig,
                                     translate(a.body, %(from)s, %(to)s), q.q, %(options)s)
                END,
                strpos(h.head, %(start)s) > 0 AND length(a.body) > %(head)s,
                ts_headline(%(config)s::regconfig, translate(a.caption_text, %(from)s, %(to)s),
                            q.q, %(options)s),
                ts_headline(%(config)s::regconfig, translate(a.title, %(from)s, %(to)s),
                            q.q, %(options)s)
            FROM (SELECT to_tsquery(%(config)s::regconfig, %(query)s) AS q) q,
                articles_article a,
                LATERAL (
                    SELECT ts_headline(%(config)s::regconfig,
                                       translate(left(a.body, %(head)s), %(from)s, %(to)s),
                                       q.q, %(options)s) AS head
                    OFFSET 0
                ) h
            WHERE a.id = ANY(%(ids)s)
        """
        params = {
            "config": POSTGRES_CONFIG,
            "query": tsquery_text(query, any_term=True),
            "ids": ids,
            "start": START,
            "head": SNIPPET_HEAD_CHARS,
            "from": "<>" + START + STOP,
            "to": _LT + _GT,
            "options": f'StartSel="{START}", StopSel="{STOP}", HighlightAll=true',
        }
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        result = {}
        for pk, body, body_cut, captions, title in rows:
            text = _best((body, captions, title))
            if text is None:
                continue
            more_after = bool(body_cut) and text is body
            text = text.replace(_LT, "<").replace(_GT, ">")
            result[pk] = mark(_window(text, more_after=more_after))
        return result


def _matches(query: SearchQuery) -> _PostgresMatch:
    # The one-row subquery keeps the tsquery out of the planner's sight, and gives NULL,
    # matching nothing, if no positive word survives the configuration (a stop word it knows
    # and the parser here does not): "!excluded" alone would match nearly everything.
    match_sql, match_params = match_tsquery_sql(query)
    return _PostgresMatch(
        "{T}.search_vector @@ (SELECT CASE WHEN numnode(to_tsquery(%s::regconfig, %s)) > 0 "
        f"THEN {match_sql} END)",
        [POSTGRES_CONFIG, tsquery_text(query, any_term=True), *match_params],
    )


def _rank(query: SearchQuery) -> _ArticleSQL:
    """``search_rank``: the tier (2 title, 1 captions, 0 body) plus the relevance."""
    config, positive, relevance = (
        POSTGRES_CONFIG,
        tsquery_text(query, any_term=True),
        _relevance_sql(),
    )
    return _ArticleSQL(
        "(CASE WHEN {T}.search_rank_vector @@ to_tsquery(%s::regconfig, %s) "
        f"THEN 2 + {relevance} "
        "WHEN {T}.search_rank_vector @@ to_tsquery(%s::regconfig, %s) "
        f"THEN 1 + {relevance} "
        "ELSE 0 END)::double precision",
        [
            config,
            tsquery_text(query, any_term=True, weights="A"),
            TS_RANK_WEIGHTS,
            config,
            positive,
            config,
            tsquery_text(query, any_term=True, weights="B"),
            TS_RANK_WEIGHTS,
            config,
            positive,
        ],
        FloatField(),
    )


def _relevance_sql() -> str:
    # The compact vector holds only the title and the captions: a body-only match has nothing
    # in it to rank, so ts_rank runs for the first two tiers only.
    return "ts_rank(%s::real[], {T}.search_rank_vector, to_tsquery(%s::regconfig, %s), 32)"


# Stand-ins for "<" and ">" in the text PostgreSQL's headline parser sees.
_LT, _GT = "\ue000", "\ue001"


def _window(text: str, *, more_after: bool = False) -> str:
    """About SNIPPET_WORDS words of ``text`` around its first match, "…" where cut."""
    words = text.split()
    first = next((i for i, word in enumerate(words) if START in word), 0)
    start = max(0, first - SNIPPET_WORDS // 3)
    end = min(len(words), start + SNIPPET_WORDS)
    start = max(0, end - SNIPPET_WORDS)
    window = " ".join(words[start:end])
    if start > 0:
        window = "… " + window
    if end < len(words) or more_after:
        window += " …"
    return window


# --- SQLite ----------------------------------------------------------------------------------


class SqliteBackend(_Backend):
    def filter(self, queryset, query: SearchQuery):
        match = fts5_match(query)
        # The tiers: a term in the title, else in the captions.
        tiers = [fts5_match(query, column=c, any_term=True) for c in TIER_COLUMNS]
        if self._match_count(queryset.db, query, match) > SQLITE_RANKED_MATCHES:
            return self._filter_broad(queryset, match, tiers)
        return self._filter_ranked(queryset, match, tiers)

    def _match_count(self, using: str, query: SearchQuery, match: str) -> int:
        # Counted once per SearchQuery object: a page that filters twice with the same query
        # (results and facet counts) pays for one count.
        counts = _MATCH_COUNTS.setdefault(query, {})
        if using not in counts:
            with connections[using].cursor() as cursor:
                cursor.execute(
                    f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match]
                )
                (counts[using],) = cursor.fetchone()
        return counts[using]

    def _filter_ranked(self, queryset, match: str, tiers: list[str]):
        queryset = queryset.all()
        query = queryset.query
        alias = query.join(_FtsJoin(query.get_initial_alias()), reuse=set())
        matches = _FtsSQL("{F} MATCH %s", [match], alias, BooleanField())
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        # bm25 with one column weighted: below zero when a term matched in that column.
        in_fts = f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"
        rank = _FtsSQL(
            "(CASE WHEN bm25({F}, 1.0, 0.0, 0.0) < 0 THEN 2 "
            "WHEN bm25({F}, 0.0, 1.0, 0.0) < 0 THEN 1 ELSE 0 END "
            f"+ (-bm25({{F}}, {weights})) / (1.0 - bm25({{F}}, {weights})))",
            [],
            alias,
            FloatField(),
            # With GROUP BY (annotate(Count(...))): the tiers alone, as on broad searches.
            grouped_sql=(
                f"(CASE WHEN {{R}} IN {in_fts} THEN 2.0 WHEN {{R}} IN {in_fts} THEN 1.0 "
                "ELSE 0.0 END)"
            ),
            grouped_params=tiers,
        )
        return queryset.filter(matches).annotate(search_rank=rank)

    def _filter_broad(self, queryset, match: str, tiers: list[str]):
        # "+" keeps SQLite from looking every match up by rowid in the wide article rows: it
        # reads the (status, created_at) index instead and probes the list of matches.
        in_fts = f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"
        matches = _ArticleSQL(f"+{{T}}.id IN {in_fts}", [match], BooleanField())
        rank = _ArticleSQL(
            f"(CASE WHEN {{T}}.id IN {in_fts} THEN 2.0 WHEN {{T}}.id IN {in_fts} THEN 1.0 "
            "ELSE 0.0 END)",
            tiers,
            FloatField(),
        )
        return queryset.filter(matches).annotate(search_rank=rank)

    def tiers(
        self, queryset, query: SearchQuery, ids: np.ndarray, *, narrowed: bool = False
    ) -> list[Tier] | None:
        match = fts5_match(query)
        if self._match_count(queryset.db, query, match) <= SQLITE_RANKED_MATCHES:
            return None  # bm25 ranks these few matches in one query
        title, captions = (fts5_match(query, column=c, any_term=True) for c in TIER_COLUMNS)
        # Each tier is one FTS expression: the index lists its members in a few milliseconds,
        # and within a tier the broad path's rank is the tier itself, so its page is the newest
        # of its members, which SQLite reads from the (status, created_at) index.
        expressions = [
            f"({match}) AND ({title})",
            f"({match}) AND ({captions}) NOT ({title})",
            f"({match}) NOT (({title}) OR ({captions}))",
        ]

        def counter(expression: str) -> Callable[[], int]:
            def count() -> int:
                members = self._fts_ids(queryset.db, expression)
                return int(np.isin(ids, members, assume_unique=True).sum())

            return count

        in_tier = f"+{{T}}.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"
        title_tier, captions_tier, body_tier = (
            queryset.filter(_ArticleSQL(in_tier, [e], BooleanField())).order_by(
                "-created_at", "-id"
            )
            for e in expressions
        )
        title_tier = Tier(title_tier, counter(expressions[0]))
        captions_tier = Tier(captions_tier, counter(expressions[1]))
        # A page of the last tier is rarely asked for: its count is what the others leave.
        body_tier = Tier(body_tier, lambda: len(ids) - title_tier.count - captions_tier.count)
        return [title_tier, captions_tier, body_tier]

    def listed(self, queryset, ids: np.ndarray):
        return None  # SQLite takes so many parameters badly; its filters' joins are quick

    def match_ids(self, query: SearchQuery, using: str) -> np.ndarray | None:
        # The FTS index lists the matches in a few milliseconds; filtering them through the
        # article table's (status, created_at) index costs ten times that on a broad search.
        ids = self._fts_ids(using, fts5_match(query))
        _MATCH_COUNTS.setdefault(query, {})[using] = len(ids)
        return ids

    def _fts_ids(self, using: str, match: str) -> np.ndarray:
        return joined_ids(
            connections[using],
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",
            [match],
            column="rowid",
        )

    def _snippets(self, ids: list[int], query: SearchQuery) -> dict[int, SafeString]:
        snippet = f"snippet({FTS_TABLE}, {{column}}, %s, %s, '…', {SNIPPET_WORDS})"
        columns = ", ".join(snippet.format(column=c) for c in (2, 1, 0))
        placeholders = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT rowid, {columns} FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})"
        )
        params = [START, STOP] * 3 + [fts5_match(query, any_term=True), *ids]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        result = {}
        for pk, body, captions, title in rows:
            text = _best((body, captions, title))
            if text is not None:
                result[pk] = mark(text)
        return result


_MATCH_COUNTS: weakref.WeakKeyDictionary[SearchQuery, dict[str, int]] = weakref.WeakKeyDictionary()
_BACKENDS = {"postgresql": PostgresBackend, "sqlite": SqliteBackend}
