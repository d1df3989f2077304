"""Importing dump files: every block stored or reported, each file all or nothing.

A file is read twice: once to checksum it (a file already imported is recognized before any work
is done), then block by block through the pure-Python parser. Blocks are written in batches, so
memory stays flat whatever the size of the dump.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import itertools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from django.db import reset_queries, transaction
from django.utils import timezone

from articles.credits import Credit
from articles.dumps import iter_raw_blocks, looks_binary
from articles.models import (
    Article,
    ArticleSource,
    Caption,
    DumpFile,
    ImportRun,
    Occurrence,
    Source,
)
from articles.preparing import PreparedBlock, Preparer, prepare_batch, start_preparing
from articles.services.sources import SourceDirectory, find_or_create_source
from articles.services.suggesting import RegionSuggester, store_new_article_suggestions
from articles.utils import chunked
from articles.workers import Workers
from duplicates.services import on_articles_imported

SNIFF_BYTES = 8192
HASH_CHUNK = 1 << 20
# How many rejected blocks a report keeps in memory to print; the rest are counted (and stored).
REPORTED_REJECTIONS_LIMIT = 1000
PREPARE_CHUNK = 100  # blocks a worker prepares at a time
# Worker processes an import starts by itself, and how much it must have to read first.
AUTO_WORKERS = 2
AUTO_WORKERS_MIN_BYTES = 4 << 20  # about 800 articles: starting the workers takes a second

ProgressCallback = Callable[[int], None]


@dataclass(frozen=True)
class Rejection:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class FileReport:
    path: str
    status: str
    message: str = ""
    blocks_read: int = 0
    articles_created: int = 0
    articles_seen_again: int = 0
    blocks_rejected: int = 0


@dataclass
class ImportReport:
    dry_run: bool
    run_id: int | None = None
    workers: int = 0  # worker processes it ran with
    files: list[FileReport] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    missing_paths: list[str] = field(default_factory=list)

    def total(self, counter: str) -> int:
        return sum(getattr(report, counter) for report in self.files)

    @property
    def files_read(self) -> int:
        return len(self.files)

    @property
    def unreadable_files(self) -> list[FileReport]:
        return [report for report in self.files if report.status == DumpFile.Status.UNREADABLE]

    @property
    def succeeded(self) -> bool:
        return not (self.total("blocks_rejected") or self.unreadable_files or self.missing_paths)


def expand_paths(paths: Iterable[str]) -> tuple[list[Path], list[str]]:
    """Files named directly, found in directories (``*.txt``, recursively) or matched by globs.

    Returns the files in a stable order without repeats, and the arguments that matched nothing.
    """
    found: dict[Path, None] = {}
    missing: list[str] = []
    for argument in paths:
        path = Path(argument)
        if path.is_dir():
            matches = sorted(p for p in path.rglob("*.txt") if p.is_file())
        elif path.is_file():
            matches = [path]
        else:
            matches = sorted(Path(p) for p in glob.glob(argument, recursive=True))
            matches = [p for p in matches if p.is_file()]
        if not matches:
            missing.append(argument)
        for match in matches:
            found.setdefault(match, None)
    return list(found), missing


def import_dump_files(
    *,
    paths: Sequence[Path],
    publisher: str,
    dry_run: bool = False,
    batch_size: int = 500,
    workers: int | None = None,
    started_by=None,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import ``paths`` as one import run. With ``dry_run`` everything is done and rolled back.

    Blocks are parsed, fingerprinted, sketched and scanned for credits, citations and regions
    in ``workers`` processes while this process writes what they return; 0 does it all here,
    None lets :func:`default_workers` choose by the size of the files.
    """
    if workers is None:
        workers = default_workers(_total_size(paths))
    report = ImportReport(dry_run=dry_run, workers=workers)
    with transaction.atomic():
        run = ImportRun.objects.create(
            publisher=find_or_create_source(name=publisher, kind=Source.Kind.OUTLET),
            started_by=started_by,
        )
        report.run_id = None if dry_run else run.pk
        if dry_run:
            _import_files(run, paths, batch_size, workers, report, on_progress)
            transaction.set_rollback(True)
            return report
    try:
        _import_files(run, paths, batch_size, workers, report, on_progress)
    except BaseException:
        _finish_run(run, report, ImportRun.Status.INTERRUPTED)
        raise
    _finish_run(run, report, ImportRun.Status.FINISHED)
    return report


def default_workers(total_bytes: int, cpus: int | None = None) -> int:
    """Worker processes for an import of ``total_bytes``: :data:`AUTO_WORKERS` where there are
    two CPUs or more and enough to read to repay starting them, else none. Two, not one per CPU:
    one worker gains nothing on two cores (it only moves the work), two gain a quarter, and each
    holds about 40 MB, which the import's memory target (250 MB) has room for twice."""
    cpus = (os.cpu_count() or 1) if cpus is None else cpus
    return AUTO_WORKERS if cpus >= 2 and total_bytes >= AUTO_WORKERS_MIN_BYTES else 0


def _total_size(paths: Sequence[Path]) -> int:
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):  # reported as unreadable when its turn comes
            total += path.stat().st_size
    return total


def _finish_run(run: ImportRun, report: ImportReport, status: str) -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.files_read = report.files_read
    run.blocks_read = report.total("blocks_read")
    run.articles_created = report.total("articles_created")
    run.articles_seen_again = report.total("articles_seen_again")
    run.blocks_rejected = report.total("blocks_rejected")
    run.save()


def _import_files(
    run: ImportRun,
    paths: Sequence[Path],
    batch_size: int,
    workers: int,
    report: ImportReport,
    on_progress: ProgressCallback | None,
) -> None:
    suggester = RegionSuggester()
    context = _ImportContext(sources=SourceDirectory(), suggester=suggester)
    preparer = Preparer(suggester.gazetteer, suggester.threshold)
    # One chunk ahead per worker: what waits in this process is kept small.
    with Workers(workers, start_preparing, (preparer,), ahead=workers) as pool:
        for path in paths:
            file_report = _import_file(run, path, batch_size, context, pool, report, on_progress)
            report.files.append(file_report)


def _checksum(path: Path) -> tuple[str, int, bytes]:
    digest = hashlib.sha256()
    size = 0
    head = b""
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            if not head:
                head = chunk[:SNIFF_BYTES]
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size, head


def _import_file(
    run: ImportRun,
    path: Path,
    batch_size: int,
    context: _ImportContext,
    pool: Workers,
    report: ImportReport,
    on_progress: ProgressCallback | None,
) -> FileReport:
    shown_path = str(path)
    try:
        sha256, size, head = _checksum(path)
    except OSError as error:
        message = f"cannot be read: {error.strerror or error}"
        DumpFile.objects.create(
            run=run, path=shown_path, size=0, sha256="", status="unreadable", message=message
        )
        return FileReport(shown_path, DumpFile.Status.UNREADABLE, message)

    def record(status: str, message: str, same_as: DumpFile | None = None) -> FileReport:
        DumpFile.objects.create(
            run=run,
            path=shown_path,
            size=size,
            sha256=sha256,
            status=status,
            message=message,
            same_as=same_as,
        )
        if on_progress:
            on_progress(size)
        return FileReport(shown_path, status, message)

    if looks_binary(head):
        return record(
            DumpFile.Status.UNREADABLE,
            "looks like a binary file (it contains NUL bytes), not a text dump; nothing imported",
        )
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        return record(DumpFile.Status.EMPTY, "the file is empty; nothing to import")
    earlier = DumpFile.objects.imported().with_checksum(sha256).order_by("id").first()
    if earlier is not None:
        return record(
            DumpFile.Status.ALREADY_IMPORTED,
            f"the same content was imported by import #{earlier.run_id} "
            f"(as {earlier.path}); nothing to do",
            same_as=earlier,
        )

    file_report = FileReport(shown_path, DumpFile.Status.IMPORTED)
    with transaction.atomic():
        dump_file = DumpFile.objects.create(
            run=run, path=shown_path, size=size, sha256=sha256, status=DumpFile.Status.IMPORTED
        )
        writer = _BatchWriter(dump_file, run.publisher_id, context, file_report, report)
        with path.open("rb") as handle:
            done = 0
            # Small chunks for the workers keep what is on its way between processes small.
            chunks = chunked(iter_raw_blocks(handle), PREPARE_CHUNK)
            prepared = itertools.chain.from_iterable(pool.map(prepare_batch, chunks))
            for batch in chunked(prepared, batch_size):
                writer.write(batch)
                # With DEBUG on, Django logs every query; a big dump would grow it without end.
                reset_queries()
                if on_progress:
                    # Workers read a few batches ahead: the bar runs that far ahead too.
                    position = handle.tell()
                    on_progress(position - done)
                    done = position
            if on_progress:
                on_progress(size - done)
        if writer.undecodable:
            file_report.message = _encoding_message(writer.undecodable, head)
        dump_file.message = file_report.message
        dump_file.blocks_read = file_report.blocks_read
        dump_file.articles_created = file_report.articles_created
        dump_file.articles_seen_again = file_report.articles_seen_again
        dump_file.blocks_rejected = file_report.blocks_rejected
        dump_file.save()
    return file_report


def _encoding_message(undecodable: int, head: bytes) -> str:
    from charset_normalizer import from_bytes

    guess = from_bytes(head).best()
    hint = f" It looks like {guess.encoding}." if guess and guess.encoding != "utf_8" else ""
    return (
        f"{undecodable} block(s) are not valid UTF-8 and were kept as rejected.{hint} "
        "Convert the file to UTF-8 and import it again."
    )


@dataclass(frozen=True)
class _ImportContext:
    """What every file of a run shares: lookups loaded once."""

    sources: SourceDirectory
    suggester: RegionSuggester


class _BatchWriter:
    """Writes one batch of blocks of one file: new articles with their captions and sources,
    occurrences of articles already stored, and rejected blocks."""

    def __init__(
        self,
        dump_file: DumpFile,
        publisher_id: int,
        context: _ImportContext,
        file_report: FileReport,
        report: ImportReport,
    ) -> None:
        self.dump_file = dump_file
        self.publisher_id = publisher_id
        self.sources = context.sources
        self.suggester = context.suggester
        self.file_report = file_report
        self.report = report
        self.undecodable = 0

    def write(self, batch: list[PreparedBlock]) -> None:
        article_ids = self._stored_articles({p.fingerprint for p in batch if p.fingerprint})
        new_articles: dict[str, PreparedBlock] = {}
        for prepared in batch:
            fp = prepared.fingerprint
            if fp is not None and fp not in article_ids and fp not in new_articles:
                new_articles[fp] = prepared
        article_ids.update(self._create_articles(new_articles))

        occurrences = []
        for prepared in batch:
            block = prepared.block
            self.file_report.blocks_read += 1
            fp = prepared.fingerprint
            if fp is None:
                occurrences.append(self._rejected(prepared))
                continue
            if new_articles.get(fp) is prepared:
                self.file_report.articles_created += 1
            else:
                self.file_report.articles_seen_again += 1
            occurrences.append(
                Occurrence(
                    file=self.dump_file,
                    position=block.position,
                    line=block.line,
                    raw=block.raw,
                    article_id=article_ids[fp],
                )
            )
        Occurrence.objects.bulk_create(occurrences)

    def _rejected(self, prepared: PreparedBlock) -> Occurrence:
        block = prepared.block
        error = block.error
        line = error.line or block.line
        self.file_report.blocks_rejected += 1
        if "UTF-8" in error.reason:
            self.undecodable += 1
        if len(self.report.rejections) < REPORTED_REJECTIONS_LIMIT:
            self.report.rejections.append(Rejection(self.file_report.path, line, error.reason))
        return Occurrence(
            file=self.dump_file,
            position=block.position,
            line=block.line,
            raw=block.raw,
            rejection_reason=error.reason,
            rejection_line=line,
        )

    def _stored_articles(self, fingerprints: set[str]) -> dict[str, int]:
        """Ids of the articles already stored under these fingerprints; a merged article's
        occurrences go to the article it was merged into."""
        articles = Article.objects.with_fingerprints(fingerprints)
        return {
            article.fingerprint: article.survivor().pk if article.merged_into_id else article.pk
            for article in articles.only("fingerprint", "merged_into_id")
        }

    def _create_articles(self, new_articles: dict[str, PreparedBlock]) -> dict[str, int]:
        if not new_articles:
            return {}
        articles = []
        for fp, prepared in new_articles.items():
            record = prepared.block.record
            published_at = record.published_at
            if published_at is not None and published_at.tzinfo is None:
                published_at = published_at.replace(tzinfo=UTC)
            articles.append(
                Article(
                    title=record.title,
                    body=prepared.body,
                    caption_text="\n".join(record.captions),
                    published_at=published_at,
                    fingerprint=fp,
                )
            )
        Article.objects.bulk_create(articles)
        created = list(zip(articles, new_articles.values(), strict=True))

        captions: list[Caption] = []
        links: set[tuple[int, int, str]] = set()
        for article, prepared in created:
            links.add((article.pk, self.publisher_id, ArticleSource.Role.PUBLISHER))
            lines = prepared.block.record.captions
            for position, (line, credit) in enumerate(zip(lines, prepared.credits, strict=True)):
                caption = self._caption(article.pk, position, line, credit)
                captions.append(caption)
                for source_id in (caption.agency_id, caption.distributor_id):
                    if source_id:
                        links.add((article.pk, source_id, ArticleSource.Role.PHOTO))
            for name in prepared.cited:
                source_id = self.sources.id_for(name, kind=Source.Kind.OUTLET)
                links.add((article.pk, source_id, ArticleSource.Role.CITED))
        Caption.objects.bulk_create(captions)
        store_new_article_suggestions(
            self.suggester, ((article.pk, prepared.suggestions) for article, prepared in created)
        )
        ArticleSource.objects.bulk_create(
            [ArticleSource(article_id=a, source_id=s, role=r) for a, s, r in sorted(links)]
        )
        on_articles_imported(
            articles,
            sketches={
                article.pk: prepared.sketch for article, prepared in created if prepared.sketch
            },
        )
        return {article.fingerprint: article.pk for article in articles}

    def _caption(self, article_id: int, position: int, line: str, credit: Credit | None) -> Caption:
        if credit is None:
            return Caption(article_id=article_id, position=position, text=line)
        return Caption(
            article_id=article_id,
            position=position,
            text=line,
            credit=credit.printed[:300],
            agency_id=self.sources.id_for(credit.agency) if credit.agency else None,
            photographer=credit.photographer[:200],
            distributor_id=self.sources.id_for(credit.distributor) if credit.distributor else None,
            is_file_photo=credit.file_photo,
        )
