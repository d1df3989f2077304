"""The audit of corrections: what editors change in the admin (articles, captions, sources and
their aliases) is recorded field by field with who, when, before and after; the article page
shows it with the tag history and the merges; the admin lists it, read-only; imports record
nothing. Everything goes through the real admin forms, pages and import."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from articles.models import Article, Caption, Region, Source, SourceAlias, TagEvent
from articles.roles import EDITORS
from audit.history import CONTEXT_TOKENS, compact_diff
from audit.models import Correction
from duplicates.models import DuplicateCandidate, MergeRecord
from tests.conftest import SAMPLE_DUMPS, TEST_DUMPS
from tests.test_admin import LNA_TITLE, inline_management_data
from tests.test_duplicates import import_labelled

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer_client(viewer):
    """Its own client: ``client`` is the editor's."""
    client = Client()
    client.force_login(viewer)
    return client


@pytest.fixture
def lna(import_files):
    import_files(*SAMPLE_DUMPS)
    return Article.objects.get(title=LNA_TITLE)


def history_of(client, article) -> str:
    """The article page's history section, as HTML."""
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    return page.split('id="history-heading"', 1)[1].split("</section>", 1)[0]


def text_of(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def caption_fields(caption, **changes) -> dict:
    fields = {
        "position": str(caption.position),
        "text": caption.text,
        "credit": caption.credit,
        "agency": str(caption.agency_id or ""),
        "photographer": caption.photographer,
        "distributor": str(caption.distributor_id or ""),
        "article": str(caption.article_id),
    }
    if caption.is_file_photo:
        fields["is_file_photo"] = "on"
    return {**fields, **changes}


def article_form(article, *, captions=(), **changes) -> dict:
    """The admin change form of ``article`` as the browser posts it, with ``changes``."""
    return {
        "title": article.title,
        "body": article.body,
        "published_at_0": "",
        "published_at_1": "",
        **changes,
        **inline_management_data("captions", [c for c, _ in captions], lambda c: {}),
        **{
            f"captions-{index}-{name}": value
            for index, (caption, fields) in enumerate(captions)
            for name, value in fields.items()
        },
        **inline_management_data("source_links", [], lambda _: {}),
        **inline_management_data("region_tags", [], lambda _: {}),
        **inline_management_data("occurrences", [], lambda _: {}),
    }


def post_article(client, article, data):
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


# ---------------------------------------------------------------------------------------------
# Admin corrections, on the article page


def test_an_admin_edit_shows_on_the_article_page_with_before_and_after(
    admin_client_as_editor, viewer_client, staff_editor, lna
):
    old_title, old_body = lna.title, lna.body
    paragraphs = old_body.split("\n\n")
    assert len(paragraphs) > 3
    # A one-word correction deep inside a long body.
    middle = len(paragraphs) // 2
    word = next(w for w in re.findall(r"[a-z]{5,}", paragraphs[middle]))
    corrected = re.sub(rf"\b{word}\b", word.upper(), paragraphs[middle], count=1)
    new_body = "\n\n".join([*paragraphs[:middle], corrected, *paragraphs[middle + 1 :]])
    new_title = "LNA denies <script>alert('x')</script> Russian base"
    post_article(admin_client_as_editor, lna, article_form(lna, title=new_title, body=new_body))

    rows = {row.field: row for row in Correction.objects.filter(article=lna)}
    assert set(rows) == {"title", "body"}  # updated_at, caption_text... are not corrections
    assert (rows["title"].before, rows["title"].after) == (old_title, new_title)
    assert (rows["body"].before, rows["body"].after) == (old_body, new_body)
    assert rows["title"].user == staff_editor
    assert rows["title"].action == Correction.Action.CHANGED
    assert rows["title"].at == rows["body"].at

    history = history_of(viewer_client, lna)
    text = text_of(history)
    assert "Article changed by edith in the admin" in text
    assert old_title in text and "LNA denies <script>alert('x')</script> Russian base" in text
    # Dump and editor text is escaped, never markup.
    assert "<script>" not in history
    assert "&lt;script&gt;" in history
    # The long body: only the changed word, with a little context, not the whole text twice.
    assert f"<del>{word}</del>" in history and f"<ins>{word.upper()}</ins>" in history
    assert 'class="gap"' in history
    assert len(history) < len(old_body)


def test_the_browsers_crlf_line_breaks_are_stored_as_they_were_imported(
    admin_client_as_editor, lna
):
    """A browser posts a textarea with CRLF line breaks: saving a title correction must not
    rewrite the body (nor record a body correction)."""
    old_body = lna.body
    assert "\n\n" in old_body and "\r" not in old_body
    data = article_form(lna, title="LNA denies base", body=old_body.replace("\n", "\r\n"))
    post_article(admin_client_as_editor, lna, data)

    lna.refresh_from_db()
    assert lna.body == old_body
    assert set(Correction.objects.filter(article=lna).values_list("field", flat=True)) == {"title"}


def test_a_caption_edit_inline_and_in_the_caption_admin(admin_client_as_editor, viewer_client, lna):
    caption = lna.captions.get()
    afp = caption.agency
    reuters, _ = Source.objects.get_or_create(
        slug="reuters", defaults={"name": "Reuters", "kind": Source.Kind.AGENCY}
    )
    old_text = caption.text
    # Inline, from the article's change form.
    new_text = old_text.replace("Haftar", "Hafter", 1)
    post_article(admin_client_as_editor, lna, article_form(lna, captions=[(caption, caption_fields(
        caption, text=new_text))]))  # fmt: skip
    # Then in the caption admin: credit and agency.
    caption.refresh_from_db()
    response = admin_client_as_editor.post(
        reverse("admin:articles_caption_change", args=[caption.pk]),
        caption_fields(caption, credit="(Reuters)", agency=str(reuters.pk)),
    )
    assert response.status_code == 302, response.content.decode()[:3000]

    rows = list(Correction.objects.filter(article=lna).order_by("id"))
    assert [(r.field, r.before, r.after) for r in rows] == [
        ("text", old_text, new_text),
        ("credit", "(AFP)", "(Reuters)"),
        ("agency", afp.name, reuters.name),
    ]
    assert all(r.object_id == caption.pk and r.content_type.model == "caption" for r in rows)

    text = text_of(history_of(viewer_client, lna))
    assert "Caption “" in text and "changed by edith in the admin" in text
    assert "Credit (AFP) (Reuters)" in text
    assert f"Agency {afp.name} {reuters.name}" in text
    assert "<del>Haftar</del>" in history_of(viewer_client, lna) or "Hafter" in text


def test_a_caption_added_and_deleted_inline(admin_client_as_editor, viewer_client, lna):
    caption = lna.captions.get()
    new = {
        "position": "1",
        "text": "Smoke rises over Tripoli. (AFP)",
        "credit": "(AFP)",
        "agency": str(caption.agency_id),
        "photographer": "",
        "distributor": "",
        "article": str(lna.pk),
    }
    data = article_form(lna, captions=[(caption, caption_fields(caption))])
    data.update({f"captions-1-{name}": value for name, value in new.items()})
    data["captions-TOTAL_FORMS"] = "2"
    post_article(admin_client_as_editor, lna, data)
    added = lna.captions.get(position=1)
    created = Correction.objects.filter(object_id=added.pk, action=Correction.Action.CREATED)
    assert set(created.values_list("field", "after")) >= {
        ("text", "Smoke rises over Tripoli. (AFP)"),
        ("position", "1"),
    }

    data = article_form(
        lna,
        captions=[
            (caption, caption_fields(caption)),
            (added, caption_fields(added, DELETE="on")),
        ],
    )
    post_article(admin_client_as_editor, lna, data)
    assert not Caption.objects.filter(pk=added.pk).exists()
    deleted = Correction.objects.filter(object_id=added.pk, action=Correction.Action.DELETED)
    assert ("text", "Smoke rises over Tripoli. (AFP)", "") in deleted.values_list(
        "field", "before", "after"
    )
    text = text_of(history_of(viewer_client, lna))
    assert "Caption “Smoke rises over Tripoli. (AFP)” deleted by edith" in text
    assert "Caption “Smoke rises over Tripoli. (AFP)” added by edith" in text
    assert text.index("deleted by edith") < text.index("added by edith")  # newest first


def test_a_source_alias_edit_is_recorded_and_shown_on_its_articles(
    admin_client_as_editor, viewer_client, lna
):
    afp = Source.objects.get(name="AFP")
    alias = SourceAlias.objects.create(source=afp, alias="AFP photo desk")
    data = {
        "name": afp.name,
        "full_name": "Agence France-Presse (Paris)",
        "slug": afp.slug,
        "kind": afp.kind,
        **inline_management_data("aliases", [alias], lambda a: {"alias": "AFP photo service"}),
    }
    data["aliases-TOTAL_FORMS"] = "2"
    data["aliases-1-alias"] = "AFP picture desk"
    response = admin_client_as_editor.post(
        reverse("admin:articles_source_change", args=[afp.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:3000]

    rows = Correction.objects.filter(source=afp)
    assert set(rows.values_list("content_type__model", "action", "field", "before", "after")) == {
        ("source", "changed", "full_name", afp.full_name, "Agence France-Presse (Paris)"),
        ("sourcealias", "changed", "alias", "AFP photo desk", "AFP photo service"),
        ("sourcealias", "created", "alias", "", "AFP picture desk"),
        ("sourcealias", "created", "source", "", "AFP"),
    }
    # The LNA article credits AFP: the change is in its history.
    text = text_of(history_of(viewer_client, lna))
    assert "Source alias “AFP photo service” changed by edith in the admin" in text
    assert "Alias AFP photo desk AFP photo service" in text
    assert "Full name Agence France-Presse Agence France-Presse (Paris)" in text
    assert "Source alias “AFP picture desk” added by edith" in text


# ---------------------------------------------------------------------------------------------
# Changes made on the pages: tags, merges and undos


def test_tags_added_and_removed_on_the_page_are_in_the_history(editor_client, viewer_client, lna):
    egypt = Region.objects.get(slug="egypt")
    editor_client.post(reverse("articles:add-tag", args=[lna.pk]), {"region": egypt.pk})
    editor_client.post(reverse("articles:remove-tag", args=[lna.pk, "egypt"]))
    text = text_of(history_of(viewer_client, lna))
    assert text.index("Egypt removed by edith (by hand)") < text.index(
        "Egypt added by edith (by hand)"
    )
    # Shown from the tag history, not copied into the corrections.
    assert TagEvent.objects.filter(article=lna).count() == 2
    assert not Correction.objects.exists()


def test_a_merge_and_its_undo_are_in_both_histories(editor_client, viewer_client, tmp_path,
                                                    import_files):  # fmt: skip
    articles = import_labelled(import_files, tmp_path, "lna", "lna-republished")
    original, republished = articles["lna"], articles["lna-republished"]
    pair = DuplicateCandidate.objects.pair(original, republished).get()
    response = editor_client.post(
        reverse("duplicates:merge", args=[pair.pk]),
        {"survivor": original.pk, "keep_title_from": republished.pk, "reason": "Same story"},
    )
    assert response.status_code == 302
    record = MergeRecord.objects.get()

    history = history_of(viewer_client, original)
    text = text_of(history)
    assert f"#{republished.pk} “" in text and "merged into this article by edith" in text
    assert "Same story" in text
    assert reverse("duplicates:merge-detail", args=[record.pk]) in history
    if original.title != republished.title:
        assert f"Title {original.title}" in text or "<del>" in history

    response = editor_client.post(
        reverse("duplicates:undo", args=[record.pk]), {"reason": "Not the same after all"}
    )
    assert response.status_code == 302
    text = text_of(history_of(viewer_client, original))
    assert f"Merge of #{republished.pk} into #{original.pk} undone by edith" in text
    assert "Not the same after all" in text
    assert text.index("undone by edith") < text.index("merged into this article")
    # The other article is active again and tells its side.
    text = text_of(history_of(viewer_client, republished))
    assert f"Merged into #{original.pk}" in text
    assert "undone by edith" in text
    assert not Correction.objects.exists()  # merges are told by their MergeRecord


# ---------------------------------------------------------------------------------------------
# Who sees what


def test_a_viewer_sees_the_history_but_no_edit_buttons(
    admin_client_as_editor, viewer_client, viewer, lna
):
    post_article(admin_client_as_editor, lna, article_form(lna, title="LNA denies a Russian base"))
    response = viewer_client.get(lna.get_absolute_url())
    page = response.content.decode()
    assert "History of corrections" in page
    assert "Article changed by edith in the admin" in text_of(page)
    assert "Correct this article in the admin" not in page
    assert "<button" not in page.split('id="history-heading"', 1)[1]
    assert 'aria-label="Remove the' not in page and 'id="add-region"' not in page
    # The admin stays closed to viewers: no change is made, none recorded.
    before = Correction.objects.count()
    response = viewer_client.post(
        reverse("admin:articles_article_change", args=[lna.pk]), article_form(lna, title="x")
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Correction.objects.count() == before
    lna.refresh_from_db()
    assert lna.title == "LNA denies a Russian base"


def test_the_admin_lists_the_audit_read_only_with_filters_and_search(
    admin_client_as_editor, staff_editor, lna
):
    post_article(admin_client_as_editor, lna, article_form(lna, title="LNA denies a Russian base"))
    assert Group.objects.get(name=EDITORS).permissions.filter(codename="view_correction").exists()
    url = reverse("admin:audit_correction_changelist")
    page = admin_client_as_editor.get(url).content.decode()
    assert "LNA denies a Russian base" in page and "edith" in page
    for params in [
        {"q": "Russian base"},
        {"user__id__exact": staff_editor.pk},
        {"content_type__id__exact": Correction.objects.get().content_type_id},
        {"action__exact": "changed"},
        {"at__gte": "2000-01-01 00:00:00+00:00"},
    ]:
        response = admin_client_as_editor.get(url, params)
        assert response.status_code == 200, params
        assert response.context["cl"].result_count == 1, params
    assert (
        admin_client_as_editor.get(url, {"q": "nothing like this"}).context["cl"].result_count == 0
    )

    correction = Correction.objects.get()
    change_url = reverse("admin:audit_correction_change", args=[correction.pk])
    detail = admin_client_as_editor.get(change_url)
    assert detail.status_code == 200 and LNA_TITLE in detail.content.decode()
    assert admin_client_as_editor.post(change_url, {"after": "forged"}).status_code == 403
    assert admin_client_as_editor.get(reverse("admin:audit_correction_add")).status_code == 403
    delete_url = reverse("admin:audit_correction_delete", args=[correction.pk])
    assert admin_client_as_editor.post(delete_url, {"post": "yes"}).status_code == 403
    correction.refresh_from_db()
    assert correction.after == "LNA denies a Russian base"


# ---------------------------------------------------------------------------------------------
# Imports are not corrections


def test_the_import_records_no_corrections(import_files, editor_client, lna):
    import_files(*TEST_DUMPS.glob("*.txt"))
    import_files(*SAMPLE_DUMPS)  # again: already imported
    assert Article.objects.count() > 3
    assert not Correction.objects.exists()
    text = text_of(history_of(editor_client, lna))
    assert "No changes yet." in text


# ---------------------------------------------------------------------------------------------
# The compact diff


def test_compact_diff_keeps_short_values_whole_and_cuts_long_ones():
    assert compact_diff("AFP", "Reuters") == (
        [type(compact_diff("a", "b")[0][0])("same", "AFP")],
        [type(compact_diff("a", "b")[0][0])("same", "Reuters")],
    )
    words = [f"word{i}" for i in range(2000)]
    before = " ".join(words)
    after = " ".join([*words[:1000], "changed", *words[1001:]])
    old, new = compact_diff(before, after)
    assert [s.text for s in old if s.kind == "del"] == ["word1000"]
    assert [s.text for s in new if s.kind == "ins"] == ["changed"]
    assert sum(len(s.text) for s in old) < 2 * CONTEXT_TOKENS * 10
    assert [s.kind for s in old] == ["gap", "same", "del", "same", "gap"]
    # A long value added or removed whole is cut short.
    old, new = compact_diff("", before)
    assert old == [] and new[-1].kind == "gap" and len(new[0].text) <= 300
