"""Benchmarks for Newsroom, run with ``python -m bench`` (``make bench``).

Sections (subcommands of ``python -m bench``):

- ``import`` (the default): generate a synthetic corpus of dump files and import it into SQLite
  and PostgreSQL, reporting articles per second and peak memory against the targets.
- ``corpus``: only generate (or check) the corpus.

Building blocks for later benchmarks:

- ``bench.corpus.generate(directory, articles, seed, repeat_share, files)`` writes a
  deterministic corpus and its ``manifest.json``; ``bench.corpus.ensure(...)`` reuses it when the
  manifest matches.
- ``bench.importing.load_corpus(database_url, corpus_dir=...)`` builds a fresh, migrated database,
  imports the corpus into it in a subprocess and returns the measured and verified stats.
"""

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / ".bench"
DEFAULT_CORPUS_DIR = BENCH_DIR / "corpus"
DEFAULT_SQLITE_PATH = BENCH_DIR / "bench.sqlite3"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/newsroom_bench"
PUBLISHER = "Asharq Al-Awsat"


def print_json_result(measure: Callable[[], object]) -> int:
    """A child process's end: run ``measure`` with anything it prints sent to standard error,
    then print its result as the one JSON line on standard output, which the parent reads."""
    out, sys.stdout = sys.stdout, sys.stderr
    try:
        result = measure()
    finally:
        sys.stdout = out
    print(json.dumps(result))
    return 0


def database_names(text: str) -> list[str]:
    """``--databases``: comma-separated database kinds, as ``sqlite`` and ``postgres``."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    aliases = {"postgresql": "postgres", "pg": "postgres", "sqlite3": "sqlite"}
    names = [aliases.get(name, name) for name in names]
    unknown = [name for name in names if name not in {"sqlite", "postgres"}]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from sqlite, postgres (got {text!r})")
    return list(dict.fromkeys(names))
