"""The full-text index, kept by the database itself so that every write path keeps it current.

PostgreSQL: a stored generated tsvector (title A, captions B, body C) with a GIN index, under a
text search configuration that stems English and folds accents (unaccent).
SQLite: an external-content FTS5 table over the same three columns (porter stemming, diacritics
removed) kept in step with the article table by triggers.

SQLite drops a table's triggers when a migration rebuilds the table, so ``ensure_index`` runs
after every migrate and puts back (and rebuilds from) whatever is missing.

PostgreSQL also keeps a compact ranking vector (``search_rank_vector``: title A, captions B; see
``ensure_rank_vector``): matching uses the full vector through its GIN index, but ranking reads
only the compact one, which stays in the table row instead of being toasted, so ranking tens of
thousands of matches does not decompress every article's full vector.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'newsroom_english') THEN
            CREATE TEXT SEARCH CONFIGURATION newsroom_english (COPY = english);
            ALTER TEXT SEARCH CONFIGURATION newsroom_english
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
        END IF;
    END $$
    """,
    # Each pair of neighbouring words, with their distance ("gaza 1 citi"), as one more lexeme:
    # a phrase of two words is then one lexeme that the GIN index answers exactly, instead of a
    # phrase operator that makes PostgreSQL recheck (decompress) the vector of every candidate
    # row. SET search_path FROM CURRENT: the functions also run where the search path is empty
    # (pg_restore).
    r"""
    CREATE OR REPLACE FUNCTION newsroom_pairs(vector tsvector) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
        SELECT coalesce(array_to_tsvector(array_agg(DISTINCT pair)), ''::tsvector)
        FROM (
            SELECT lexeme || ' ' || (lead(pos) OVER w - pos) || ' ' || lead(lexeme) OVER w
                AS pair
            FROM unnest(vector) AS u(lexeme, positions, weights), unnest(u.positions) AS pos
            WINDOW w AS (ORDER BY pos)
        ) pairs
        WHERE pair IS NOT NULL
    $$
    """,
    r"""
    CREATE OR REPLACE FUNCTION newsroom_search_vector(title text, captions text, body text)
    RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
        SELECT words || newsroom_pairs(words) FROM (SELECT
            setweight(to_tsvector('newsroom_english'::regconfig, coalesce(title, '')), 'A') ||
            setweight(to_tsvector('newsroom_english'::regconfig, coalesce(captions, '')), 'B') ||
            setweight(to_tsvector('newsroom_english'::regconfig, coalesce(body, '')), 'C')
            AS words) w
    $$
    """,
    # A word or a quoted phrase as the stored vector answers it: one word is itself; two words
    # are their pair lexeme (exact, no recheck); longer phrases are their pairs (narrowing the
    # candidates through the index) and the phrase itself (exact).
    r"""
    CREATE OR REPLACE FUNCTION newsroom_phrase_query(config regconfig, phrase text)
    RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
        SELECT CASE
            WHEN tokens <= 1 THEN phraseto_tsquery(config, phrase)
            WHEN tokens = 2 THEN pairs
            ELSE pairs && phraseto_tsquery(config, phrase)
        END
        FROM (
            SELECT
                (SELECT count(*) FROM unnest(v) AS u(lexeme, positions, weights),
                    unnest(u.positions)) AS tokens,
                array_to_string(ARRAY(
                    SELECT '''' || replace(replace(pair, '\', '\\'), '''', '''''') || ''''
                    FROM unnest(tsvector_to_array(newsroom_pairs(v))) AS pair
                ), ' & ')::tsquery AS pairs
            FROM (SELECT to_tsvector(config, phrase) AS v) t
        ) p
    $$
    """,
    """
    ALTER TABLE articles_article ADD COLUMN IF NOT EXISTS search_vector tsvector
    GENERATED ALWAYS AS (newsroom_search_vector(title, caption_text, body)) STORED
    """,
    "CREATE INDEX IF NOT EXISTS article_search_vector_gin ON articles_article "
    "USING gin (search_vector)",
    # The title alone, with its own GIN index: the first ranking tier of a broad search (a word
    # in the title) is found through it, so that a page ranks only that tier's articles instead
    # of every match (see PostgresBackend.tiers).
    """
    ALTER TABLE articles_article ADD COLUMN IF NOT EXISTS search_title_vector tsvector
    GENERATED ALWAYS AS (newsroom_search_vector(title, '', '')) STORED
    """,
    "CREATE INDEX IF NOT EXISTS article_search_title_vector_gin ON articles_article "
    "USING gin (search_title_vector)",
]
# A database whose search_vector predates the word pairs gets it replaced (articles 0010).
POSTGRES_VECTOR_HAS_PAIRS = """
    SELECT pg_get_expr(d.adbin, d.adrelid) LIKE '%%newsroom_search_vector%%'
    FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
    WHERE d.adrelid = 'articles_article'::regclass AND a.attname = 'search_vector'
"""
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS article_search_title_vector_gin",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_title_vector",
    "DROP INDEX IF EXISTS article_search_vector_gin",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector",
]

SQLITE_TABLE = """
    CREATE VIRTUAL TABLE IF NOT EXISTS article_fts USING fts5(
        title, caption_text, body,
        content='articles_article', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2',
        prefix='2 3 4'
    )
"""
SQLITE_TRIGGERS = {
    "article_fts_insert": """
        CREATE TRIGGER article_fts_insert AFTER INSERT ON articles_article BEGIN
            INSERT INTO article_fts(rowid, title, caption_text, body)
            VALUES (new.id, new.title, new.caption_text, new.body);
        END
    """,
    "article_fts_delete": """
        CREATE TRIGGER article_fts_delete AFTER DELETE ON articles_article BEGIN
            INSERT INTO article_fts(article_fts, rowid, title, caption_text, body)
            VALUES ('delete', old.id, old.title, old.caption_text, old.body);
        END
    """,
    "article_fts_update": """
        CREATE TRIGGER article_fts_update AFTER UPDATE OF title, caption_text, body
        ON articles_article BEGIN
            INSERT INTO article_fts(article_fts, rowid, title, caption_text, body)
            VALUES ('delete', old.id, old.title, old.caption_text, old.body);
            INSERT INTO article_fts(rowid, title, caption_text, body)
            VALUES (new.id, new.title, new.caption_text, new.body);
        END
    """,
}
SQLITE_DROP = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    "DROP TABLE IF EXISTS article_fts",
]


def ensure_index(connection: BaseDatabaseWrapper) -> None:
    """Create whatever part of the search index is missing; rebuild it if it was incomplete."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in POSTGRES_CREATE:
                cursor.execute(statement)
            ensure_rank_vector(connection)
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
                f"AND name IN ('article_fts', {', '.join(['%s'] * len(SQLITE_TRIGGERS))})",
                list(SQLITE_TRIGGERS),
            )
            present = {row[0] for row in cursor.fetchall()}
            cursor.execute(SQLITE_TABLE)
            for name, statement in SQLITE_TRIGGERS.items():
                if name not in present:
                    cursor.execute(statement)
            if not present.issuperset({"article_fts", *SQLITE_TRIGGERS}):
                cursor.execute("INSERT INTO article_fts(article_fts) VALUES ('rebuild')")
    ensure_facet_tokens(connection)


def ensure_phrase_pairs(connection: BaseDatabaseWrapper) -> None:
    """PostgreSQL: rebuild the stored vector with the word pairs where it has none. This
    rewrites the article table: minutes for a large archive."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(POSTGRES_VECTOR_HAS_PAIRS)
        row = cursor.fetchone()
        if row is not None and row[0]:
            return
        for statement in POSTGRES_DROP:
            cursor.execute(statement)
        for statement in POSTGRES_CREATE:
            cursor.execute(statement)
    ensure_rank_vector(connection)


def drop_index(connection: BaseDatabaseWrapper) -> None:
    statements = {"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


# The compact ranking vector (PostgreSQL). Title and captions only: with the body's lead as well
# the table rows grew about threefold, and the heap pages a broad search visits stopped fitting in
# memory; title and captions are what the ranking tiers need (see articles.search.backends).
POSTGRES_RANK_VECTOR = """
    ALTER TABLE articles_article ADD COLUMN IF NOT EXISTS search_rank_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('newsroom_english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('newsroom_english'::regconfig, coalesce(caption_text, '')), 'B')
    ) STORED
"""
# MAIN: compressed in the row if need be, moved out of it only as a last resort.
POSTGRES_RANK_VECTOR_STORAGE = (
    "ALTER TABLE articles_article ALTER COLUMN search_rank_vector SET STORAGE MAIN"
)
POSTGRES_RANK_VECTOR_DROP = "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_rank_vector"


# LZ4 (PostgreSQL 14+, when built with it) decompresses the toasted full vector several times
# faster than the default pglz: phrase searches, which recheck every candidate row's vector,
# took 40% less time at 100,000 articles. It applies to vectors written from then on. Optional:
# the search works the same without it, hence the blanket exception.
POSTGRES_VECTOR_LZ4 = """
    DO $$ BEGIN
        IF (SELECT attcompression FROM pg_attribute
            WHERE attrelid = 'articles_article'::regclass AND attname = 'search_vector') <> 'l'
        THEN
            EXECUTE 'ALTER TABLE articles_article ALTER COLUMN search_vector SET COMPRESSION lz4';
        END IF;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'search_vector keeps its compression: %', SQLERRM;
    END $$
"""


def ensure_rank_vector(connection: BaseDatabaseWrapper) -> None:
    """Add the compact ranking vector where it is missing, and have the full vector compressed
    with LZ4 where the server can (PostgreSQL only; idempotent)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(POSTGRES_VECTOR_LZ4)
        cursor.execute(POSTGRES_RANK_VECTOR)
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'articles_article'::regclass "
            "AND attname = 'search_rank_vector' AND NOT attisdropped"
        )
        row = cursor.fetchone()
        if row is not None and row[0] != "m":
            cursor.execute(POSTGRES_RANK_VECTOR_STORAGE)


def drop_rank_vector(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(POSTGRES_RANK_VECTOR_DROP)


# Change tokens for the in-memory facet counts and result ids (articles.search.facets): a write
# to a table that a facet counts from, or to the articles, leaves a new token for that kind.
FACET_TABLES = {
    "region": "articles_regiontag",
    "source": "articles_articlesource",
    "run": "articles_occurrence",
    # Not a facet: the articles themselves, for the ids cached by query (facets.joined_ids).
    "article": "articles_article",
}
SQLITE_FACET_TOKENS = [
    "CREATE TABLE IF NOT EXISTS search_facet_generation "
    "(kind TEXT PRIMARY KEY, token INTEGER NOT NULL)",
    *(
        f"INSERT OR IGNORE INTO search_facet_generation (kind, token) VALUES ('{kind}', random())"
        for kind in FACET_TABLES
    ),
    *(
        f"CREATE TRIGGER IF NOT EXISTS facet_{kind}_{event.lower()} AFTER {event} ON {table} "
        f"BEGIN UPDATE search_facet_generation SET token = random() WHERE kind = '{kind}'; END"
        for kind, table in FACET_TABLES.items()
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
]
# Statement triggers that append a row: no lock shared between writers (an import's long
# transaction and an editor's tagging never wait on each other), and a sequence never hands
# out the same id twice, even after a rollback.
POSTGRES_FACET_TOKENS = [
    "CREATE TABLE IF NOT EXISTS search_facet_change (id bigserial PRIMARY KEY, kind text NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_facet_change_kind_idx ON search_facet_change (kind, id)",
    """
    CREATE OR REPLACE FUNCTION search_facet_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_facet_change (kind) VALUES (TG_ARGV[0]);
        RETURN NULL;
    END $$
    """,
    *(
        f"CREATE OR REPLACE TRIGGER facet_{kind}_changed "
        f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION search_facet_changed('{kind}')"
        for kind, table in FACET_TABLES.items()
    ),
]


def ensure_facet_tokens(connection: BaseDatabaseWrapper) -> None:
    """Create the change-token table and its triggers where they are missing (idempotent; on
    SQLite, puts back the triggers that a migration rebuilding a table dropped)."""
    statements = {"postgresql": POSTGRES_FACET_TOKENS, "sqlite": SQLITE_FACET_TOKENS}
    with connection.cursor() as cursor:
        for statement in statements.get(connection.vendor, []):
            cursor.execute(statement)
