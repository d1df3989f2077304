"""The import service and the import_dumps command, on the real sample dumps and real files."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from articles.models import (
    Article,
    ArticleSource,
    Caption,
    DumpFile,
    ImportRun,
    Occurrence,
    RegionSuggestion,
    Source,
)
from articles.services import importing
from duplicates.models import BandKey, DuplicateCandidate
from tests.conftest import SAMPLE_DUMPS, TEST_DUMPS

LNA_TITLE = "LNA Denies Haftar Seeking to Allow Russia to Set up Military Base in Libya"


def counts() -> dict[str, int]:
    return {
        "articles": Article.objects.count(),
        "occurrences": Occurrence.objects.count(),
        "captions": Caption.objects.count(),
        "links": ArticleSource.objects.count(),
        "sources": Source.objects.count(),
    }


def run_command(*args) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_dumps", *args, stdout=out, stderr=err)
        code = 0
    except CommandError as error:
        code = error.returncode
        err.write(str(error))
    return out.getvalue(), err.getvalue(), code


@pytest.mark.django_db
def test_both_sample_dumps_give_three_articles_and_four_occurrences(import_files):
    report = import_files(*SAMPLE_DUMPS)

    assert report.succeeded
    assert Article.objects.count() == 3
    assert Occurrence.objects.accepted().count() == 4
    lna = Article.objects.get(title=LNA_TITLE)
    assert lna.occurrences.count() == 2
    assert {o.file.path for o in lna.occurrences.all()} == {str(p) for p in SAMPLE_DUMPS}
    assert report.total("articles_created") == 3
    assert report.total("articles_seen_again") == 1


@pytest.mark.django_db
def test_importing_the_same_files_again_changes_nothing(import_files):
    import_files(*SAMPLE_DUMPS)
    before = counts()

    report = import_files(*SAMPLE_DUMPS)

    assert counts() == before
    assert [f.status for f in report.files] == [DumpFile.Status.ALREADY_IMPORTED] * 2
    assert "nothing to do" in report.files[0].message
    assert report.total("articles_created") == 0


@pytest.mark.django_db
def test_the_same_content_under_another_name_is_recognized(import_files, tmp_path):
    import_files(SAMPLE_DUMPS[0])
    copy = tmp_path / "renamed.txt"
    shutil.copy(SAMPLE_DUMPS[0], copy)
    before = counts()

    report = import_files(copy)

    assert counts() == before
    assert report.files[0].status == DumpFile.Status.ALREADY_IMPORTED


@pytest.mark.django_db
def test_article_fields_captions_credits_and_sources(import_files):
    import_files(*SAMPLE_DUMPS)

    unrwa = Article.objects.get(title__startswith="UNRWA Says Determined")
    assert unrwa.paragraphs[0].startswith("The head of the UN agency supporting Palestinian")
    assert len(unrwa.paragraphs) == 6
    [caption] = unrwa.captions.all()
    assert caption.text.endswith("Heiko Junge/NTB/via REUTERS")
    assert caption.credit == "Heiko Junge/NTB/via REUTERS"
    assert caption.photographer == "Heiko Junge"
    assert caption.agency.name == "NTB"
    assert caption.distributor.name == "Reuters"
    assert "Lazzarini" in unrwa.caption_text

    roles = {
        (link.source.name, link.role)
        for link in ArticleSource.objects.filter(article__title=LNA_TITLE).select_related("source")
    }
    assert roles == {
        ("Asharq Al-Awsat", "publisher"),
        ("AFP", "photo"),
        ("Asharq Al-Awsat", "cited"),
        ("Bloomberg", "cited"),
    }
    food = Article.objects.get(title__startswith="Weaponization of Food")
    assert food.captions.get().photographer == "Jehad Alshrafi"
    assert food.captions.get().agency.name == "AP"


@pytest.mark.django_db
def test_import_records_provenance_of_every_block(import_files):
    report = import_files(*SAMPLE_DUMPS)

    run = ImportRun.objects.get(pk=report.run_id)
    assert run.status == ImportRun.Status.FINISHED
    assert (run.files_read, run.blocks_read, run.articles_created) == (2, 4, 3)
    assert run.articles_seen_again == 1
    first = run.files.get(path=str(SAMPLE_DUMPS[0]))
    assert first.size == SAMPLE_DUMPS[0].stat().st_size
    assert len(first.sha256) == 64
    occurrence = first.blocks.get(position=0)
    assert occurrence.line == 1
    assert occurrence.raw.splitlines()[0] == LNA_TITLE
    assert occurrence.raw.count("TT") >= 1
    second_block = first.blocks.get(position=1)
    original = SAMPLE_DUMPS[0].read_text(encoding="utf-8")
    assert original.splitlines()[second_block.line - 1].startswith("UNRWA Says")
    assert second_block.raw in original


@pytest.mark.django_db
def test_dry_run_reports_everything_and_writes_nothing(import_files):
    before = counts()
    runs = ImportRun.objects.count()

    report = import_files(*SAMPLE_DUMPS, dry_run=True)

    assert report.total("articles_created") == 3
    assert report.total("articles_seen_again") == 1
    assert counts() == before
    assert ImportRun.objects.count() == runs


@pytest.mark.django_db
def test_bad_blocks_are_reported_with_file_line_and_reason_and_kept(import_files, tmp_path):
    dump = tmp_path / "mixed.txt"
    good = SAMPLE_DUMPS[1].read_text(encoding="utf-8").split("\n\n\n\n")[1]
    body_only = (
        "This paragraph has no title above it and it goes on to tell a story about the talks "
        "in Cairo that were held on Monday. Officials said the talks would resume next week."
    )
    dump.write_text(f"{body_only}\n\n\n\n{good}\n\n\n\nA Title With No Body\n", encoding="utf-8")

    report = import_files(dump)

    assert Article.objects.count() == 1
    rejected = Occurrence.objects.rejected().order_by("position")
    assert [r.position for r in rejected] == [0, 2]
    assert rejected[0].raw.startswith("This paragraph has no title")
    assert "title" in rejected[0].rejection_reason
    assert "body" in rejected[1].rejection_reason
    lines = [rejection.line for rejection in report.rejections]
    assert lines == [1, dump.read_text().splitlines().index("A Title With No Body") + 1]
    assert all(r.path == str(dump) for r in report.rejections)
    assert not report.succeeded


@pytest.mark.django_db
def test_variant_layouts_import_without_a_crash(import_files):
    paths = sorted(TEST_DUMPS.glob("*.txt"))
    assert len(paths) >= 5

    report = import_files(*paths)

    assert report.files_read == len(paths)
    stored = Occurrence.objects.count()
    assert stored == report.total("blocks_read")
    assert report.total("articles_created") + report.total("articles_seen_again") == (
        Occurrence.objects.accepted().count()
    )
    for occurrence in Occurrence.objects.rejected():
        assert occurrence.rejection_reason
        assert occurrence.raw.strip()


@pytest.mark.django_db
def test_crlf_and_bom_import_like_the_seed(import_files, tmp_path):
    original = SAMPLE_DUMPS[0].read_text(encoding="utf-8")
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(b"\xef\xbb\xbf" + original.replace("\n", "\r\n").encode("utf-8"))
    import_files(SAMPLE_DUMPS[0])

    report = import_files(crlf)

    assert report.total("articles_seen_again") == 2
    assert report.total("blocks_rejected") == 0
    assert Article.objects.count() == 2


@pytest.mark.django_db
def test_bad_files_get_a_message_and_the_others_are_imported(import_files, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    latin = tmp_path / "latin1.txt"
    text = SAMPLE_DUMPS[1].read_text(encoding="utf-8")
    latin.write_bytes(text.encode("cp1252"))

    report = import_files(empty, binary, SAMPLE_DUMPS[0], latin)

    statuses = {Path(f.path).name: f for f in report.files}
    assert statuses["empty.txt"].status == DumpFile.Status.EMPTY
    assert statuses["image.txt"].status == DumpFile.Status.UNREADABLE
    assert "binary" in statuses["image.txt"].message
    assert statuses[SAMPLE_DUMPS[0].name].articles_created == 2
    latin_report = statuses["latin1.txt"]
    assert latin_report.blocks_rejected >= 1
    assert "UTF-8" in latin_report.message
    for occurrence in Occurrence.objects.filter(file__path=str(latin)).rejected():
        assert "UTF-8" in occurrence.rejection_reason
        assert occurrence.raw
    assert not report.succeeded


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_interrupted_file_leaves_nothing_half_imported(import_files, monkeypatch, tmp_path):
    dump = tmp_path / "big.txt"
    blocks = SAMPLE_DUMPS[0].read_text(encoding="utf-8").split("\n\n\n\n")
    dump.write_text("\n\n\n\n".join(blocks), encoding="utf-8")
    real_write = importing._BatchWriter.write
    calls = []

    def write_then_crash(self, batch):
        calls.append(len(batch))
        real_write(self, batch)
        if len(calls) == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(importing._BatchWriter, "write", write_then_crash)

    with pytest.raises(KeyboardInterrupt):
        import_files(dump, batch_size=1)

    assert calls == [1]
    assert Article.objects.count() == 0
    assert Occurrence.objects.count() == 0
    assert not DumpFile.objects.filter(path=str(dump)).exists()
    assert ImportRun.objects.get().status == ImportRun.Status.INTERRUPTED

    monkeypatch.setattr(importing._BatchWriter, "write", real_write)
    import_files(dump, batch_size=1)
    assert Article.objects.count() == 2


@pytest.mark.django_db
def test_small_batches_give_the_same_result_as_one(import_files):
    report = import_files(*SAMPLE_DUMPS, batch_size=1)

    assert report.total("articles_created") == 3
    assert Article.objects.count() == 3
    assert Occurrence.objects.count() == 4


@pytest.mark.django_db
def test_an_editors_correction_survives_reimport(import_files, tmp_path):
    import_files(SAMPLE_DUMPS[0])
    article = Article.objects.get(title=LNA_TITLE)
    article.title = "LNA denies Haftar seeks Russian base in Libya"
    article.save()
    caption = article.captions.get()
    caption.text = "Khalifa Haftar with Yunus-bek Yevkurov in Moscow. (AFP)"
    caption.save()

    import_files(SAMPLE_DUMPS[0])
    import_files(SAMPLE_DUMPS[1])

    article.refresh_from_db()
    assert article.title == "LNA denies Haftar seeks Russian base in Libya"
    assert article.captions.get().text.startswith("Khalifa Haftar with")
    assert article.occurrences.count() == 2
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_an_occurrence_of_a_merged_article_goes_to_the_survivor(import_files):
    import_files(SAMPLE_DUMPS[0])
    lna = Article.objects.get(title=LNA_TITLE)
    survivor = Article.objects.exclude(pk=lna.pk).get()
    Article.objects.filter(pk=lna.pk).update(status="merged", merged_into=survivor)

    import_files(SAMPLE_DUMPS[1])

    assert survivor.occurrences.count() == 2
    assert lna.occurrences.count() == 1


@pytest.mark.django_db
def test_command_summary_and_exit_status(tmp_path):
    out, err, code = run_command(*map(str, SAMPLE_DUMPS))
    assert code == 0
    assert "files read:                  2" in out
    assert "articles created:            3" in out
    assert "already stored, seen again:  1" in out
    assert "blocks rejected:             0" in out

    bad = tmp_path / "bad.txt"
    bad.write_text("Only A Title\n", encoding="utf-8")
    out, err, code = run_command(str(bad), str(tmp_path / "missing.txt"))
    assert code == 1
    assert f"{bad}:1: no body" in out
    assert "missing.txt: no such file" in err


@pytest.mark.django_db
def test_command_expands_directories_and_globs(tmp_path):
    for path in SAMPLE_DUMPS:
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "notes.md").write_text("not a dump")

    out, _, code = run_command(str(tmp_path))
    assert code == 0
    assert "files read:                  2" in out

    out, _, code = run_command(str(tmp_path / "000_*.txt"), "--dry-run")
    assert "Dry run" in out
    assert "files read:                  1" in out


@pytest.mark.django_db
def test_command_rejects_a_bad_batch_size():
    with pytest.raises(CommandError, match="batch-size"):
        call_command("import_dumps", str(SAMPLE_DUMPS[0]), "--batch-size", "0")


@pytest.mark.django_db
def test_search_index_follows_import_and_edits(import_files):
    import_files(*SAMPLE_DUMPS)
    lna = Article.objects.get(title=LNA_TITLE)

    def matching_ids(word: str) -> set[int]:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT id FROM articles_article WHERE search_vector @@ "
                    "plainto_tsquery('newsroom_english', %s)",
                    [word],
                )
            else:
                cursor.execute("SELECT rowid FROM article_fts WHERE article_fts MATCH %s", [word])
            return {row[0] for row in cursor.fetchall()}

    assert lna.pk in matching_ids("Tobruk")
    assert lna.pk in matching_ids("Yevkurov")  # from the caption
    lna.body = lna.body.replace("Tobruk", "Derna")
    lna.save()
    assert lna.pk not in matching_ids("Tobruk")
    assert lna.pk in matching_ids("Derna")
    caption = lna.captions.get()
    caption.text = "Khalifa Haftar in Moscow with Marshal Zhukovsky. (AFP)"
    caption.save()
    assert lna.pk in matching_ids("Zhukovsky")
    assert lna.pk not in matching_ids("Yevkurov")


def stored_content() -> dict[str, object]:
    """Everything an import writes, by natural keys (ids differ between two imports)."""
    fingerprint = dict(Article.objects.values_list("pk", "fingerprint"))
    return {
        "articles": sorted(
            Article.objects.values_list(
                "fingerprint", "title", "body", "caption_text", "published_at"
            )
        ),
        "captions": sorted(
            (fingerprint[c.article_id], c.position, c.text, c.credit, str(c.agency), c.photographer)
            for c in Caption.objects.select_related("agency")
        ),
        "sources": sorted(
            (fingerprint[a], name, role)
            for a, name, role in ArticleSource.objects.values_list(
                "article_id", "source__name", "role"
            )
        ),
        "suggestions": sorted(
            (fingerprint[a], region, score, str(evidence))
            for a, region, score, evidence in RegionSuggestion.objects.values_list(
                "article_id", "region__name", "score", "evidence"
            )
        ),
        "band_keys": sorted(
            (fingerprint[a], band, key)
            for a, band, key in BandKey.objects.values_list("article_id", "band", "key")
        ),
        "candidates": sorted(
            (fingerprint[a], fingerprint[b], similarity, str(passages))
            for a, b, similarity, passages in DuplicateCandidate.objects.values_list(
                "article_a_id", "article_b_id", "similarity", "passages"
            )
        ),
        "occurrences": sorted(
            (
                o.file.path,
                o.position,
                o.line,
                o.raw,
                o.rejection_reason,
                o.rejection_line,
                fingerprint.get(o.article_id),
            )
            for o in Occurrence.objects.select_related("file")
        ),
    }


@pytest.mark.django_db
def test_worker_processes_store_exactly_what_one_process_stores(import_files, numbered_dump):
    near_duplicates = numbered_dump(
        "Gaza ceasefire talks resume in Cairo, round {i}",
        "Negotiators from Egypt and Qatar met in Cairo on Sunday to revive talks on a ceasefire "
        "in Gaza, officials told Reuters, as the fighting went on in Rafah and Khan Younis for "
        "the {i}th day and aid trucks waited at the crossing into the Strip from Egypt.",
        count=4,
    )
    paths = [*SAMPLE_DUMPS, *sorted(TEST_DUMPS.glob("*.txt")), near_duplicates]

    with transaction.atomic():
        alone = import_files(*paths, workers=0, batch_size=3)
        in_this_process = stored_content()
        transaction.set_rollback(True)
    with_workers = import_files(*paths, workers=2, batch_size=3)

    assert stored_content() == in_this_process
    assert in_this_process["candidates"], "the near-duplicates must make pairs"
    assert in_this_process["suggestions"] and in_this_process["band_keys"]
    assert [
        (f.path, f.status, f.blocks_read, f.articles_created, f.blocks_rejected)
        for f in with_workers.files
    ] == [
        (f.path, f.status, f.blocks_read, f.articles_created, f.blocks_rejected)
        for f in alone.files
    ]
    assert with_workers.rejections == alone.rejections


@pytest.mark.django_db
def test_command_rejects_a_negative_number_of_workers():
    with pytest.raises(CommandError, match="workers"):
        call_command("import_dumps", str(SAMPLE_DUMPS[0]), "--workers", "-1")


@pytest.mark.parametrize(
    ("total_bytes", "cpus", "expected"),
    [
        (importing.AUTO_WORKERS_MIN_BYTES - 1, 8, 0),  # too little to repay starting them
        (importing.AUTO_WORKERS_MIN_BYTES, 1, 0),  # one CPU: nothing to run them on
        (importing.AUTO_WORKERS_MIN_BYTES, 2, 2),
        (10**10, 64, 2),  # never more than two: each holds about 40 MB
    ],
)
def test_default_workers_by_size_and_cpus(total_bytes, cpus, expected):
    assert importing.default_workers(total_bytes, cpus) == expected


def test_an_import_chooses_its_workers_by_the_size_of_its_files(import_files, monkeypatch, db):
    started = []

    class RecordedWorkers(importing.Workers):
        def __enter__(self):
            started.append(self.processes)
            return super().__enter__()

    monkeypatch.setattr(importing, "Workers", RecordedWorkers)
    monkeypatch.setattr(importing.os, "cpu_count", lambda: 2)
    sample_size = sum(path.stat().st_size for path in SAMPLE_DUMPS)
    monkeypatch.setattr(importing, "AUTO_WORKERS_MIN_BYTES", sample_size + 1)
    small = import_files(*SAMPLE_DUMPS)
    layouts = sorted(TEST_DUMPS.glob("*.txt"))
    monkeypatch.setattr(
        importing, "AUTO_WORKERS_MIN_BYTES", sum(path.stat().st_size for path in layouts)
    )
    large = import_files(*layouts)

    assert started == [0, 2]
    assert small.total("articles_created") == 3
    assert large.total("blocks_read") > 0
    assert large.total("blocks_read") == large.total("articles_created") + large.total(
        "articles_seen_again"
    ) + large.total("blocks_rejected")
