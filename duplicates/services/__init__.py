"""Writes of the duplicates feature: keyword-only and atomic.

- ``on_articles_imported(articles)``: the import's hook (band keys and candidates of new articles)
- ``find_candidates_for(articles=...)``, ``find_duplicates(...)``: candidates on demand
- ``store_sketches(sketches=...)``: band keys, in bulk
- ``merge_articles(...)``, ``undo_merge(...)``, ``mark_not_duplicate(...)``: editors' decisions
"""

from duplicates.services.candidates import (
    ArchiveReport,
    Progress,
    find_candidates_for,
    find_duplicates,
    on_articles_imported,
)
from duplicates.services.merging import (
    MergeError,
    mark_not_duplicate,
    merge_articles,
    undo_merge,
)
from duplicates.services.sketches import store_sketches

__all__ = [
    "ArchiveReport",
    "MergeError",
    "Progress",
    "find_candidates_for",
    "find_duplicates",
    "mark_not_duplicate",
    "merge_articles",
    "on_articles_imported",
    "store_sketches",
    "undo_merge",
]
