"""What the import computes from a block's text alone: the parsed record, its fingerprint, the
caption credits, the outlets the body cites, the region suggestions and the near-duplicate
sketch.

Pure Python (no Django), so that an import can run it in worker processes while its own
process writes to the database: the parse and the sketch cost more than the writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from articles.credits import Credit, cited_sources, split_caption
from articles.dumps import Block, RawBlock, fingerprint, read_block
from articles.suggest import Gazetteer, Suggestion
from duplicates.engine import Sketch, sketch_of


@dataclass(frozen=True, slots=True)
class PreparedBlock:
    """A block with everything derived from its text; only ``block`` when it was rejected."""

    block: Block
    fingerprint: str | None = None
    body: str = ""
    # The credit of each caption, in order (None for a caption without one).
    credits: tuple[Credit | None, ...] = ()
    cited: tuple[str, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    # None when it could not be computed: the near-duplicate hook computes it again, and logs
    # the failure without failing the import.
    sketch: Sketch | None = None


@dataclass(frozen=True)
class Preparer:
    gazetteer: Gazetteer
    suggestion_threshold: float

    def prepare(self, raw: RawBlock) -> PreparedBlock:
        block = read_block(raw)
        record = block.record
        if record is None:
            return PreparedBlock(block)
        body = "\n\n".join(record.paragraphs)
        return PreparedBlock(
            block=block,
            fingerprint=fingerprint(record),
            body=body,
            credits=tuple(split_caption(line)[1] for line in record.captions),
            cited=tuple(cited_sources(body)),
            suggestions=tuple(
                self.gazetteer.suggest(
                    title=record.title,
                    captions=record.captions,
                    body=body,
                    threshold=self.suggestion_threshold,
                )
            ),
            sketch=_sketch_or_none(record.title, body),
        )

    def prepare_all(self, raws: Sequence[RawBlock]) -> list[PreparedBlock]:
        return [self.prepare(raw) for raw in raws]


def _sketch_or_none(title: str, body: str) -> Sketch | None:
    try:
        return sketch_of(title, body)
    except Exception:
        return None


# In a worker process: the preparer it was started with (sent once, not with every batch).
_preparer: Preparer | None = None


def start_preparing(preparer: Preparer) -> None:
    global _preparer
    _preparer = preparer


def prepare_batch(raws: Sequence[RawBlock]) -> list[PreparedBlock]:
    """``Preparer.prepare_all`` with the preparer given to :func:`start_preparing`."""
    if _preparer is None:
        raise RuntimeError("start_preparing() was not called in this process")
    return _preparer.prepare_all(raws)
