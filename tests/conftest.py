import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from articles.dumps import ArticleRecord, render_dump
from articles.roles import EDITORS, VIEWERS
from articles.services.importing import import_dump_files

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DUMPS = sorted((ROOT / "sample_data").glob("*.txt"))
TEST_DUMPS = Path(__file__).resolve().parent / "dumps"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config, items):
    vendor = connection.vendor
    for item in items:
        if "postgres" in item.keywords and vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="runs on PostgreSQL only"))


@pytest.fixture
def sample_dumps() -> list[Path]:
    return list(SAMPLE_DUMPS)


@pytest.fixture
def import_files(db):
    """Import files through the real import service, as the command does."""

    def run(*paths, publisher="Asharq Al-Awsat", **options):
        return import_dump_files(paths=[Path(p) for p in paths], publisher=publisher, **options)

    return run


@pytest.fixture
def numbered_dump(tmp_path):
    """A dump file of ``count`` articles in the real layout, numbered through ``{i}``."""

    def make(title: str, body: str, count: int, name: str = "many.txt") -> Path:
        records = (
            ArticleRecord(title=title.format(i=i), captions=(), paragraphs=(body.format(i=i),))
            for i in range(count)
        )
        path = tmp_path / name
        path.write_text("".join(render_dump(records)), encoding="utf-8")
        return path

    return make


@pytest.fixture
def bench_archive(tmp_path):
    """A small SQLite archive built as the benches build theirs (a generated corpus, imported
    by ``bench.importing.load_corpus`` in its own process): its database URL."""
    from bench import corpus
    from bench.importing import load_corpus, sqlite_url

    def build(articles: int, **corpus_options) -> str:
        corpus_dir = tmp_path / "corpus"
        corpus.ensure(corpus_dir, articles=articles, **corpus_options)
        url = sqlite_url(tmp_path / "bench-archive.sqlite3")
        load_corpus(url, corpus_dir=corpus_dir, fresh=False, debug=False)
        return url

    return build


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("edith", password="correct-horse-battery")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def staff_editor(editor):
    """The editor, with access to the admin."""
    editor.is_staff = True
    editor.save()
    return editor


@pytest.fixture
def admin_client_as_editor(client, staff_editor):
    client.force_login(staff_editor)
    return client


@pytest.fixture
def viewer(django_user_model):
    user = django_user_model.objects.create_user("victor", password="correct-horse-battery")
    user.groups.add(Group.objects.get(name=VIEWERS))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client
