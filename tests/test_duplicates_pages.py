"""The duplicates pages: the review queue with its filters and counts, the compare page with the
differences marked, merging and closing pairs, undoing from the article page and the history;
viewers read but cannot change anything; bad input gets a message or a 404, never a 500."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import NoReverseMatch, reverse

from articles.dumps import ArticleRecord
from articles.models import Article, Caption, Region, RegionTag
from articles.services import tagging
from duplicates.models import DuplicateCandidate, MergeRecord
from duplicates.services import mark_not_duplicate, merge_articles
from tests.test_duplicates import import_labelled, labelled_record, pair_of, write_dump

pytestmark = pytest.mark.django_db

QUEUE = reverse("duplicates:queue")
HISTORY = reverse("duplicates:history")


def compare_url(pair) -> str:
    return reverse("duplicates:compare", args=[pair.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def pairs(import_files, tmp_path, editor):
    """Three pairs: LNA (Libya, 96%), UNRWA (Gaza, 100%: an update), Yemen (shortened)."""
    articles = import_labelled(
        import_files,
        tmp_path,
        "lna",
        "lna-republished",
        "unrwa",
        "unrwa-update",
        "yemen",
        "yemen-shortened-third",
        "sudan",
    )
    for name, slug in [("lna", "libya"), ("lna-republished", "libya"), ("unrwa", "gaza")]:
        tagging.add_region_tag(
            article=articles[name], region=Region.objects.get(slug=slug), user=editor
        )
    assert DuplicateCandidate.objects.count() == 3
    return articles


def the_pair(*articles) -> DuplicateCandidate:
    return DuplicateCandidate.objects.pair(*articles).get()


# ---------------------------------------------------------------------------------------------
# The queue


def test_the_queue_lists_open_pairs_most_similar_first(editor_client, pairs):
    response = editor_client.get(QUEUE)
    page = html(response)
    shown = response.context["pairs"]
    assert [p.similarity for p in shown] == sorted((p.similarity for p in shown), reverse=True)
    assert pair_of(*shown[0].articles) == pair_of(pairs["unrwa"], pairs["unrwa-update"])
    assert "3 open pairs to review" in page
    assert 'aria-current="page"' in page and ">Duplicates</a>" in page
    # Filters with counts: Libya has one pair (both tagged), Gaza one.
    assert re.search(r'<option value="libya">Libya \(1\)</option>', page)
    assert re.search(r'<option value="gaza">Gaza \(1\)</option>', page)
    assert re.search(r'<option value="asharq-al-awsat">Asharq Al-Awsat \(3\)</option>', page)
    assert 'value="yemen"' not in page  # no pair has a Yemen tag


def test_the_queue_filters_by_region_and_source(editor_client, pairs):
    response = editor_client.get(QUEUE, {"region": "libya"})
    assert [pair_of(*p.articles) for p in response.context["pairs"]] == [
        pair_of(pairs["lna"], pairs["lna-republished"])
    ]
    page = html(response)
    assert "1 open pair to review" in page and "of 3" in page
    assert '<option value="libya" selected>Libya (1)</option>' in page

    credited = {
        link.source.slug
        for link in pairs["unrwa-update"].source_links.select_related("source")
        if link.role == "photo"
    }
    source = sorted(credited)[0]
    response = editor_client.get(QUEUE, {"source": source})
    assert pair_of(pairs["unrwa"], pairs["unrwa-update"]) in {
        pair_of(*p.articles) for p in response.context["pairs"]
    }
    # Both filters: nothing has both.
    response = editor_client.get(QUEUE, {"region": "libya", "source": "no-such-source"})
    page = html(response)
    assert "Source: Select a valid choice" in page and "This filter was left out." in page
    assert len(response.context["pairs"]) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"region": "atlantis"},
        {"region": "<script>"},
        {"source": "x" * 5000},
        {"page": "abc"},
        {"page": "999999999999999999999999"},
        {"page": "-1"},
        {"region": ["libya", "gaza"]},
    ],
)
def test_bad_queue_parameters_get_a_message(editor_client, pairs, params):
    response = editor_client.get(QUEUE, params)
    page = html(response)
    assert response.context["notices"] or params.get("region") == ["libya", "gaza"]
    assert "<script>" not in page.split("<main", 1)[1]


def test_the_queue_pages_keep_the_filters(editor_client, pairs, monkeypatch):
    monkeypatch.setattr("duplicates.views.QUEUE_PAGE_SIZE", 1)
    response = editor_client.get(QUEUE, {"source": "asharq-al-awsat", "page": "2"})
    page = html(response)
    assert "Page 2 of 3" in page
    assert 'href="?source=asharq-al-awsat&amp;page=3"' in page
    assert 'href="?source=asharq-al-awsat&amp;page=1"' in page


def test_an_empty_queue(editor_client, db):
    page = html(editor_client.get(QUEUE))
    assert "No open pairs: nothing is waiting for review." in page


def test_pages_need_an_account(client, pairs):
    pair = DuplicateCandidate.objects.first()
    for url in [QUEUE, HISTORY, compare_url(pair)]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# ---------------------------------------------------------------------------------------------
# Compare


def test_compare_marks_the_differences(editor_client, pairs):
    pair = the_pair(pairs["lna"], pairs["lna-republished"])
    response = editor_client.get(compare_url(pair))
    page = html(response)
    comparison = response.context["comparison"]
    assert comparison.title.kind == "changed"
    assert "<del>" in page and "<ins>" in page
    assert 'class="dup-label changed">Changed' in page
    assert "Title changed" in page
    assert "Only in B" in page  # the editing credit at the end and the other photo
    # Both articles' occurrences, tags and sources.
    assert page.count('class="path"') == 2
    assert page.count(">Libya</span>") >= 2
    assert "Why this pair was proposed" in page
    # The merge form: the more complete article suggested, both titles offered.
    suggested = response.context["default_survivor"]
    assert re.search(rf'id="survivor-{suggested}" value="{suggested}" checked', page)
    assert 'name="keep_title_from"' in page
    assert 'action="{}"'.format(reverse("duplicates:merge", args=[pair.pk])) in page
    assert 'action="{}"'.format(reverse("duplicates:not-duplicate", args=[pair.pk])) in page


def test_compare_escapes_the_text(editor_client, import_files, tmp_path):
    record = labelled_record("gaza-food")
    hostile = record.paragraphs[0] + ' <script>alert("x")</script> & <b>bold</b>'
    edited = ArticleRecord(
        record.title + " <img src=x>", record.captions, (hostile, *record.paragraphs[1:])
    )
    write_dump(tmp_path / "x.txt", [record, edited])
    import_files(tmp_path / "x.txt")
    pair = DuplicateCandidate.objects.get()
    page = html(editor_client.get(compare_url(pair)))
    body = page.split("<main", 1)[1]
    assert "<script>" not in body and "<img" not in body and "<b>" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "&lt;img src=x&gt;" in body


def test_no_inline_style_or_script(editor_client, pairs, editor):
    pair = the_pair(pairs["lna"], pairs["lna-republished"])
    record = merge_articles(survivor=pair.article_a, merged=pair.article_b, user=editor)
    for url in [
        QUEUE,
        compare_url(pair),
        compare_url(the_pair(pairs["yemen"], pairs["yemen-shortened-third"])),
        HISTORY,
        record.get_absolute_url(),
        pair.article_a.get_absolute_url(),
    ]:
        page = html(editor_client.get(url))
        assert " style=" not in page and "<script" not in page, url


def test_unknown_and_huge_ids_are_404(editor_client, pairs):
    for name in ["compare", "merge-detail"]:
        for pk in [999999, 2**63 - 1, 2**63, 10**30]:
            try:
                url = reverse(f"duplicates:{name}", args=[pk])
            except NoReverseMatch:  # too long for the URL pattern: a 404 too
                url = f"/duplicates/{pk}/"
            assert editor_client.get(url).status_code == 404, (name, pk)
    assert editor_client.post("/duplicates/99999999999999999999/merge/").status_code == 404
    assert editor_client.post(reverse("duplicates:merge", args=[424242])).status_code == 404
    assert editor_client.post(reverse("duplicates:undo", args=[424242])).status_code == 404


# ---------------------------------------------------------------------------------------------
# Deciding


def test_merge_from_the_compare_page(editor_client, pairs, editor):
    original, republished = pairs["lna"], pairs["lna-republished"]
    pair = the_pair(original, republished)
    captions = set(Caption.objects.filter(article=republished).values_list("pk", flat=True))
    response = editor_client.post(
        reverse("duplicates:merge", args=[pair.pk]),
        {"survivor": original.pk, "keep_title_from": republished.pk, "reason": "Same story"},
    )
    assert response.status_code == 302
    assert response["Location"] == original.get_absolute_url()
    page = html(editor_client.get(response["Location"]))
    assert "into this article" in page
    assert republished.title in page  # the title kept
    assert f'aria-label="Undo merge of #{republished.pk}"' in page
    assert captions <= set(Caption.objects.filter(article=original).values_list("pk", flat=True))
    # The merged article's address leads to the survivor; it is gone from search results.
    redirect = editor_client.get(republished.get_absolute_url())
    assert redirect["Location"] == original.get_absolute_url()
    found = editor_client.get(reverse("articles:search"), {"q": "Haftar"}).context["articles"]
    assert republished not in found
    queue = editor_client.get(QUEUE).context["pairs"]
    assert pair not in queue
    # The history shows it with who and why.
    page = html(editor_client.get(HISTORY))
    assert "Same story" in page and "edith" in page and "Undo merge" in page


def test_merge_with_bad_form_values_gets_a_message(editor_client, pairs):
    pair = the_pair(pairs["lna"], pairs["lna-republished"])
    url = reverse("duplicates:merge", args=[pair.pk])
    for data in [
        {},
        {"survivor": "abc"},
        {"survivor": pairs["sudan"].pk},
        {"survivor": pair.article_a_id, "keep_title_from": pairs["sudan"].pk},
        {"survivor": "9" * 40},
        {"survivor": pair.article_a_id, "reason": "x" * 3000},
    ]:
        response = editor_client.post(url, data)
        assert response.status_code == 302 and response["Location"] == compare_url(pair)
        assert messages_of(response), data
    assert not MergeRecord.objects.exists()
    assert editor_client.get(url).status_code == 405


def test_merging_an_already_merged_pair_gets_a_clear_message(editor_client, pairs, editor):
    a, b = pairs["unrwa"], pairs["unrwa-update"]
    pair = the_pair(a, b)
    merge_articles(survivor=b, merged=a, user=editor)
    response = editor_client.post(reverse("duplicates:merge", args=[pair.pk]), {"survivor": a.pk})
    assert response["Location"] == compare_url(pair)
    assert messages_of(response) == ["This pair was already decided (merged). Nothing was changed."]
    page = html(editor_client.get(compare_url(pair)))
    assert "Merged" in page and 'name="survivor"' not in page


def test_a_pair_whose_article_was_merged_elsewhere(editor_client, pairs, editor):
    """A pair left open whose article was merged into a third: no decision, a clear message."""
    a, b, c = pairs["yemen"], pairs["yemen-shortened-third"], pairs["sudan"]
    for x, y in [(a, c), (b, c)]:
        DuplicateCandidate.objects.create(
            article_a=min(x, y, key=lambda n: n.pk),
            article_b=max(x, y, key=lambda n: n.pk),
            similarity=0.4,
        )
    stale = the_pair(b, c)
    merge_articles(survivor=a, merged=b, user=editor)  # a has a pair with c: b's stays
    stale.refresh_from_db()
    page = html(editor_client.get(compare_url(stale)))
    assert "has since been merged into" in page and 'name="survivor"' not in page
    response = editor_client.post(reverse("duplicates:merge", args=[stale.pk]), {"survivor": c.pk})
    assert "already been merged into" in messages_of(response)[0]
    response = editor_client.post(reverse("duplicates:not-duplicate", args=[stale.pk]))
    assert "has been merged into another article" in messages_of(response)[-1]


def test_not_a_duplicate(editor_client, pairs):
    pair = the_pair(pairs["yemen"], pairs["yemen-shortened-third"])
    response = editor_client.post(
        reverse("duplicates:not-duplicate", args=[pair.pk]), {"reason": "Different day"}
    )
    assert response["Location"] == QUEUE
    assert "will not be proposed again" in messages_of(response)[0]
    pair.refresh_from_db()
    assert pair.status == DuplicateCandidate.Status.NOT_DUPLICATE
    assert pair.reason == "Different day" and pair.decided_by.username == "edith"
    assert pair not in editor_client.get(QUEUE).context["pairs"]
    again = editor_client.post(reverse("duplicates:not-duplicate", args=[pair.pk]))
    assert "already decided" in messages_of(again)[0]
    page = html(editor_client.get(HISTORY))
    assert "Not a duplicate" in page and "Different day" in page
    page = html(editor_client.get(compare_url(pair)))
    assert "will not be proposed again" in page


def test_undo_from_the_article_page(editor_client, pairs, editor):
    a, b = pairs["unrwa"], pairs["unrwa-update"]
    record = merge_articles(survivor=b, merged=a, user=editor)
    page = html(editor_client.get(b.get_absolute_url()))
    assert "Merged into this article" in page
    response = editor_client.post(
        reverse("duplicates:undo", args=[record.pk]),
        {"next": b.get_absolute_url(), "reason": "Not the same"},
    )
    assert response["Location"] == b.get_absolute_url()
    assert messages_of(response)[0].startswith(f"Undid merge #{record.pk}")
    a.refresh_from_db()
    assert a.status == Article.Status.ACTIVE
    record.refresh_from_db()
    assert record.undo_reason == "Not the same"
    # Twice: a clear message. An outside "next" is not followed.
    again = editor_client.post(
        reverse("duplicates:undo", args=[record.pk]), {"next": "https://evil.example/"}
    )
    assert again["Location"] == record.get_absolute_url()
    assert "already undone" in messages_of(again)[-1]
    page = html(editor_client.get(HISTORY))
    assert "taken back out of" in page and "Not the same" in page


def test_undo_from_the_history(editor_client, pairs, editor):
    a, b = pairs["lna"], pairs["lna-republished"]
    record = merge_articles(survivor=a, merged=b, user=editor)
    page = html(editor_client.get(HISTORY))
    assert f'aria-label="Undo merge #{record.pk}"' in page
    response = editor_client.post(reverse("duplicates:undo", args=[record.pk]), {"next": HISTORY})
    assert response["Location"] == HISTORY
    page = html(editor_client.get(HISTORY))
    assert f'aria-label="Undo merge #{record.pk}"' not in page


def test_a_blocked_undo_says_which_merge_first(editor_client, pairs, editor):
    a, b, c = pairs["yemen"], pairs["yemen-shortened-third"], pairs["sudan"]
    first = merge_articles(survivor=a, merged=b, user=editor)
    second = merge_articles(survivor=c, merged=a, user=editor)
    page = html(editor_client.get(first.get_absolute_url()))
    assert f"merge #{second.pk}</a> first" in page
    response = editor_client.post(reverse("duplicates:undo", args=[first.pk]))
    assert f"undo merge #{second.pk}" in messages_of(response)[0]


def test_the_history_filters_and_pages(editor_client, pairs, editor):
    first = merge_articles(survivor=pairs["lna"], merged=pairs["lna-republished"], user=editor)
    mark_not_duplicate(
        candidate=the_pair(pairs["yemen"], pairs["yemen-shortened-third"]), user=editor
    )
    from duplicates.services import undo_merge

    undo_merge(record=first, user=editor)
    response = editor_client.get(HISTORY)
    assert [item.kind for item in response.context["items"]] == [
        "undo",
        "not_duplicate",
        "merge",
    ]
    response = editor_client.get(HISTORY, {"kind": "merge"})
    assert [item.kind for item in response.context["items"]] == ["merge"]
    response = editor_client.get(HISTORY, {"kind": "nonsense", "page": "x"})
    assert len(response.context["notices"]) == 2
    assert len(response.context["items"]) == 3


# ---------------------------------------------------------------------------------------------
# Viewers


def test_viewers_read_but_get_no_buttons_and_a_refused_post(viewer_client, pairs, editor):
    pair = the_pair(pairs["lna"], pairs["lna-republished"])
    other = the_pair(pairs["unrwa"], pairs["unrwa-update"])
    record = merge_articles(survivor=other.article_a, merged=other.article_b, user=editor)
    page = html(viewer_client.get(compare_url(pair)))
    assert 'name="survivor"' not in page and "Only editors can merge" in page
    for url in [HISTORY, record.get_absolute_url(), other.article_a.get_absolute_url()]:
        page = html(viewer_client.get(url))
        assert "Undo merge</button>" not in page, url
    for url, data in [
        (reverse("duplicates:merge", args=[pair.pk]), {"survivor": pair.article_a_id}),
        (reverse("duplicates:not-duplicate", args=[pair.pk]), {}),
        (reverse("duplicates:undo", args=[record.pk]), {}),
    ]:
        assert viewer_client.post(url, data).status_code == 403
    pair.refresh_from_db()
    record.refresh_from_db()
    assert pair.status == "open" and not record.is_undone


def test_the_admin_lists_the_duplicates_for_staff(client, pairs, editor, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="correct-horse-battery")
    client.force_login(admin)
    merge_articles(survivor=pairs["lna"], merged=pairs["lna-republished"], user=editor)
    for name in ["duplicatecandidate", "mergerecord", "articlesketch"]:
        response = client.get(reverse(f"admin:duplicates_{name}_changelist"))
        assert response.status_code == 200, name
    pair = DuplicateCandidate.objects.first()
    response = client.get(reverse("admin:duplicates_duplicatecandidate_change", args=[pair.pk]))
    assert response.status_code == 200
    assert RegionTag.objects.exists()
