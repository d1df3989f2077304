"""The admin, as an editor uses it to correct mistakes by hand."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.models import Article, Caption, DumpFile, ImportRun, Occurrence, Source
from articles.roles import EDITORS
from tests.conftest import SAMPLE_DUMPS

LNA_TITLE = "LNA Denies Haftar Seeking to Allow Russia to Set up Military Base in Libya"


@pytest.fixture
def imported(import_files):
    import_files(*SAMPLE_DUMPS)
    return Article.objects.get(title=LNA_TITLE)


def inline_management_data(prefix: str, objects, fields) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(objects)),
        f"{prefix}-INITIAL_FORMS": str(len(objects)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, obj in enumerate(objects):
        data[f"{prefix}-{index}-id"] = str(obj.pk)
        for field, value in fields(obj).items():
            data[f"{prefix}-{index}-{field}"] = value
    return data


@pytest.mark.django_db
def test_every_admin_list_and_change_page_renders(admin_client, imported):
    models = ["article", "caption", "source", "sourcealias", "region", "placename", "regiontag"]
    models += ["importrun", "dumpfile", "occurrence", "regionsuggestion", "tagevent"]
    for model in models:
        response = admin_client.get(reverse(f"admin:articles_{model}_changelist"))
        assert response.status_code == 200, model
    for obj in [imported, imported.captions.first(), ImportRun.objects.first()]:
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert admin_client.get(url).status_code == 200
    occurrence = Occurrence.objects.first()
    page = admin_client.get(reverse("admin:articles_occurrence_change", args=[occurrence.pk]))
    assert occurrence.raw.splitlines()[0] in page.content.decode()


@pytest.mark.django_db
def test_admin_search_and_filters(admin_client, imported):
    url = reverse("admin:articles_article_changelist")
    page = admin_client.get(url, {"q": "Lazzarini"}).content.decode()
    assert "UNRWA Says Determined" in page
    assert "LNA Denies" not in page
    afp = Source.objects.get(name="AFP")
    page = admin_client.get(url, {"source_links__source__id__exact": afp.pk}).content.decode()
    assert "LNA Denies" in page
    assert "UNRWA Says Determined" not in page
    rejected = admin_client.get(
        reverse("admin:articles_occurrence_changelist"), {"article__isempty": "1"}
    )
    assert rejected.status_code == 200


@pytest.mark.django_db
def test_provenance_is_read_only_and_articles_cannot_be_deleted(admin_client, imported):
    occurrence = Occurrence.objects.first()
    response = admin_client.post(
        reverse("admin:articles_occurrence_change", args=[occurrence.pk]), {"raw": "tampered"}
    )
    assert response.status_code == 403
    occurrence.refresh_from_db()
    assert occurrence.raw != "tampered"
    delete = admin_client.post(
        reverse("admin:articles_article_delete", args=[imported.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Article.objects.filter(pk=imported.pk).exists()
    assert admin_client.get(reverse("admin:articles_dumpfile_add")).status_code == 403


@pytest.mark.django_db
def test_editor_corrects_title_and_caption_inline_and_reimport_keeps_it(
    admin_client_as_editor, imported, import_files
):
    caption = imported.captions.get()
    data = {
        "title": "LNA denies Haftar wants a Russian base",
        "body": imported.body,
        "published_at_0": "",
        "published_at_1": "",
        **inline_management_data(
            "captions",
            [caption],
            lambda c: {
                "position": "0",
                "text": "Khalifa Haftar and Yunus-bek Yevkurov in Moscow. (AFP)",
                "credit": "(AFP)",
                "agency": str(c.agency_id),
                "photographer": "",
                "distributor": "",
                "article": str(imported.pk),
            },
        ),
        **inline_management_data("source_links", [], lambda _: {}),
        **inline_management_data("region_tags", [], lambda _: {}),
        **inline_management_data("occurrences", [], lambda _: {}),
    }
    url = reverse("admin:articles_article_change", args=[imported.pk])
    response = admin_client_as_editor.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    imported.refresh_from_db()
    assert imported.title == "LNA denies Haftar wants a Russian base"
    assert "in Moscow. (AFP)" in imported.caption_text

    import_files(*SAMPLE_DUMPS)
    imported.refresh_from_db()
    assert imported.title == "LNA denies Haftar wants a Russian base"
    assert Caption.objects.get(pk=caption.pk).text.startswith("Khalifa Haftar and")
    assert DumpFile.objects.filter(status=DumpFile.Status.ALREADY_IMPORTED).count() == 2


@pytest.mark.django_db
def test_editors_group_reaches_the_admin_but_viewers_do_not(client, viewer, staff_editor):
    assert Group.objects.get(name=EDITORS).permissions.filter(codename="change_article").exists()
    client.force_login(staff_editor)
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 200
    client.force_login(viewer)
    response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
