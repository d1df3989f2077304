"""Result counts and facet counts for a result set, from one list of its ids.

Counting a broad search's facets in SQL costs a join per facet over every match (a query for
``Gaza`` matches more than half of the archive), on every page. Search engines keep the
facet values of every document in memory as columns ("doc values") and count a result set
against them; so does this module:

- the result set's ids come from the database in one query (the same query that filters,
  wrapped; no ranking), or for a search with no other filter from the search index, and are
  split by status with the list of the few articles that are not active (merged ones): that
  gives the exact count and the status facet;
- the (article, value) pairs of each facet kind (region tags, sources, publishers, import runs)
  are held per process as numpy arrays, and counting a result set is a mask and a bincount:
  about a millisecond for 100,000 articles.

The pairs are reloaded when the database says that their table changed: triggers (see
``articles.search.schema``) leave a change token per kind. SQLite's row triggers write a random
token, so a rolled-back change never leaves behind a token that a later change could repeat;
PostgreSQL's statement triggers append a row instead, so that writers do not wait on one
another, and the token is the newest row's id: a sequence never hands out an id twice, so a
rolled-back change leaves a token that no later change repeats. Reloading a kind prunes its
older rows.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import F

# kind -> SQL of its distinct (article id, value id) pairs
PAIR_SQL = {
    "region": "SELECT article_id, region_id FROM articles_regiontag",
    "source": "SELECT DISTINCT article_id, source_id FROM articles_articlesource",
    "publisher": (
        "SELECT DISTINCT article_id, source_id FROM articles_articlesource WHERE role = 'publisher'"
    ),
    "run": (
        "SELECT DISTINCT o.article_id, f.run_id FROM articles_occurrence o "
        "JOIN articles_dumpfile f ON f.id = o.file_id WHERE o.article_id IS NOT NULL"
    ),
    # Not facets, but what the source filter needs with a role chosen ("publisher" is above).
    "photo": (
        "SELECT DISTINCT article_id, source_id FROM articles_articlesource WHERE role = 'photo'"
    ),
    "cited": (
        "SELECT DISTINCT article_id, source_id FROM articles_articlesource WHERE role = 'cited'"
    ),
}
FACET_KINDS = ("region", "source", "publisher", "run")
# kind -> the change token it follows (sources and their roles come from one table)
TOKEN_OF = {
    "region": "region",
    "source": "source",
    "publisher": "source",
    "photo": "source",
    "cited": "source",
    "run": "run",
}

# What the result ids of a query depend on: every table a search or filter reads.
ID_TOKENS = ("article", "region", "run", "source")
# Result ids kept per process, by query, in all (the oldest are dropped first).
ID_CACHE_BYTES = 16 << 20

SQLITE_TOKENS = "SELECT kind, token FROM search_facet_generation"
# One index probe per kind (search_facet_change_kind_idx), however many rows are there.
POSTGRES_TOKENS = " UNION ALL ".join(
    f"(SELECT '{kind}', max(id) FROM search_facet_change WHERE kind = '{kind}')"
    for kind in sorted({*TOKEN_OF.values(), *ID_TOKENS})
)
POSTGRES_PRUNE = "DELETE FROM search_facet_change WHERE kind = %s AND id < %s"


@dataclass(frozen=True)
class ResultStats:
    """The counts of a result set: ``count`` of the articles with the chosen status (``ids``),
    ``status_counts`` over every status, and per facet kind, value id -> articles."""

    count: int
    status_counts: dict[str, int]
    facets: dict[str, dict[int, int]]
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), compare=False)


@dataclass
class _Pairs:
    token: object
    articles: np.ndarray
    values: np.ndarray


@dataclass
class _Index:
    kinds: dict[str, _Pairs] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_indexes: dict[tuple[str, str], _Index] = {}
_indexes_lock = threading.Lock()


def result_stats(queryset, *, status: str | None, ids: np.ndarray | None = None) -> ResultStats:
    """Counts for ``queryset`` (every filter applied but status): how many articles have
    ``status`` (every status when None), how many have each status, and the facet counts of
    those with ``status``. ``ids``, when given, are the ids of ``queryset`` whatever their
    status (found without it: see ``narrowed``): only their statuses are then looked up."""
    ids = ids_of(queryset) if ids is None else ids
    ids_by_status = _split_by_status(ids, queryset.model, using=queryset.db)
    status_counts = {value: len(ids) for value, ids in ids_by_status.items()}
    chosen_lists = [ids for value, ids in ids_by_status.items() if status in (None, value)]
    chosen = np.concatenate(chosen_lists) if chosen_lists else np.zeros(0, dtype=np.int64)
    return ResultStats(
        count=len(chosen),
        status_counts=status_counts,
        facets=facet_counts(chosen, using=queryset.db),
        ids=chosen,
    )


def facet_counts(article_ids: np.ndarray, *, using: str) -> dict[str, dict[int, int]]:
    """Per facet kind, value id -> how many of ``article_ids`` have it."""
    every_kind = _current_pairs(using)
    pairs = {kind: every_kind[kind] for kind in FACET_KINDS}
    if not len(article_ids):
        return {kind: {} for kind in pairs}
    size = int(article_ids.max()) + 1
    for kind_pairs in pairs.values():
        if len(kind_pairs.articles):
            size = max(size, int(kind_pairs.articles.max()) + 1)
    chosen = np.zeros(size, dtype=bool)
    chosen[article_ids] = True
    counts = {}
    for kind, kind_pairs in pairs.items():
        values = kind_pairs.values[chosen[kind_pairs.articles]]
        if not len(values):
            counts[kind] = {}
            continue
        tally = np.bincount(values)
        present = np.flatnonzero(tally)
        counts[kind] = dict(zip(present.tolist(), tally[present].tolist(), strict=True))
    return counts


def narrowed(ids: np.ndarray, conditions: list[tuple[str, list[int]]], *, using: str) -> np.ndarray:
    """``ids`` kept where the article has, for each condition (a kind of PAIR_SQL: region,
    source, publisher, photo, cited, run; and value ids), one of the values: the search page's
    filters answered from the pairs held in memory, where SQL would join every match (a
    source's tens of thousands of articles against a broad search: 0.2 s on PostgreSQL)."""
    if not conditions:
        return ids
    pairs = _current_pairs(using)
    for kind, values in conditions:
        kind_pairs = pairs[kind]
        having = kind_pairs.articles[np.isin(kind_pairs.values, np.array(values, dtype=np.int64))]
        ids = ids[np.isin(ids, having)]
    return ids


def warm_up(using: str = DEFAULT_DB_ALIAS) -> None:
    """Load the facet pairs now: a server worker calls this as it starts (see gunicorn.conf.py),
    so that its first searches do not wait for them (close to a second at 100,000 articles)."""
    _current_pairs(using)


def ids_of(queryset) -> np.ndarray:
    """The ids of ``queryset``, in one query (see ``joined_ids``). (Grouping them by status in
    that query costs PostgreSQL three times as much: see _split_by_status.)"""
    try:
        inner = queryset.order_by().annotate(facet_id=F("pk")).values_list("facet_id")
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:
        return np.zeros(0, dtype=np.int64)
    return joined_ids(connections[queryset.db], sql, params, column="facet_id")


@dataclass
class _IdCache:
    entries: OrderedDict = field(default_factory=OrderedDict)
    size: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key, tokens) -> np.ndarray | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != tokens:
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def put(self, key, tokens, ids: np.ndarray) -> None:
        if ids.nbytes > ID_CACHE_BYTES:
            return
        with self.lock:
            if (old := self.entries.pop(key, None)) is not None:
                self.size -= old[1].nbytes
            self.entries[key] = (tokens, ids)
            self.size += ids.nbytes
            while self.size > ID_CACHE_BYTES:
                _, (_, dropped) = self.entries.popitem(last=False)
                self.size -= dropped.nbytes


_id_cache = _IdCache()


def joined_ids(connection, sql: str, params, *, column: str) -> np.ndarray:
    """The ids in ``column`` of what ``sql`` selects, joined into one string by the database
    and parsed by numpy in C: a broad search's tens of thousands of ids never become Python
    objects.

    They are kept by query until a change token of a table a search reads moves (see
    ``ID_TOKENS``): the next page of a search, another order or a facet chosen on it, and the
    searches editors repeat, reuse them. The array is read-only: it is shared."""
    tokens = _tokens(connection)
    if tokens is not None:
        tokens = tuple(tokens.get(kind) for kind in ID_TOKENS)
        if None in tokens:
            tokens = None  # a table without a token: nothing would tell that it changed
    key = (connection.alias, str(connection.settings_dict["NAME"]), sql, repr(params), column)
    if tokens is not None and (ids := _id_cache.get(key, tokens)) is not None:
        return ids
    ids = _joined_ids(connection, sql, params, column=column)
    ids.flags.writeable = False
    if tokens is not None:
        _id_cache.put(key, tokens, ids)
    return ids


def _joined_ids(connection, sql: str, params, *, column: str) -> np.ndarray:
    joined = (
        f"string_agg(r.{column}::text, ',')"
        if connection.vendor == "postgresql"
        else f"group_concat(r.{column})"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {joined} FROM ({sql}) r", params)
        (ids,) = cursor.fetchone()
    return np.fromstring(ids or "", dtype=np.int64, sep=",")


def _split_by_status(ids: np.ndarray, model, *, using: str) -> dict[str, np.ndarray]:
    """``ids`` grouped by status, reading only the articles that are not active (merged ones:
    few, and found through the status index)."""
    active = model.Status.ACTIVE
    # "IN", not "NOT =": the status index finds those rows; a negation reads the whole table.
    inactive = model._default_manager.db_manager(using).filter(
        status__in=[value for value in model.Status.values if value != active]
    )
    by_status: dict[str, list[int]] = {}
    for pk, status in inactive.order_by().values_list("pk", "status"):
        by_status.setdefault(status, []).append(pk)
    grouped = {
        status: ids[np.isin(ids, np.array(pks, dtype=np.int64))]
        for status, pks in by_status.items()
    }
    inactive_ids = np.array([pk for pks in by_status.values() for pk in pks], dtype=np.int64)
    grouped[active] = ids[~np.isin(ids, inactive_ids)]
    return {status: group for status, group in grouped.items() if len(group)}


def _current_pairs(using: str) -> dict[str, _Pairs]:
    connection = connections[using]
    key = (using, str(connection.settings_dict["NAME"]))
    with _indexes_lock:
        index = _indexes.setdefault(key, _Index())
    tokens = _tokens(connection)
    with index.lock:
        for kind, sql in PAIR_SQL.items():
            token = tokens.get(TOKEN_OF[kind]) if tokens is not None else object()
            cached = index.kinds.get(kind)
            if cached is None or token is None or cached.token != token:
                articles, values = _load_pairs(connection, sql)
                index.kinds[kind] = _Pairs(token, articles, values)
                _prune(connection, TOKEN_OF[kind], token)
        return dict(index.kinds)


def _tokens(connection) -> dict[str, object] | None:
    """The change token of each kind; None when the database keeps none (then every count
    reloads, which is correct, only slower)."""
    sql = POSTGRES_TOKENS if connection.vendor == "postgresql" else SQLITE_TOKENS
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
    except DatabaseError:
        return None
    return {kind: tuple(token) for kind, *token in rows}


def _prune(connection, kind: str, token) -> None:
    """PostgreSQL: drop the change rows older than ``token`` (they no longer decide anything)."""
    if connection.vendor != "postgresql" or not token or token[0] is None:
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(POSTGRES_PRUNE, [kind, token[0]])
    except DatabaseError:
        pass  # a read-only replica, say: the rows are only kept longer


def _load_pairs(connection, sql: str) -> tuple[np.ndarray, np.ndarray]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=2 * len(rows))
    flat = flat.reshape(-1, 2)
    return flat[:, 0].copy(), flat[:, 1].copy()
