"""Permissions, proven: every URL of the app, for anonymous visitors, viewers, editors and staff,
with GET and with a CSRF-checked POST.

The URLs are read from the URL resolver, so a URL added later is walked too: its path
parameters are filled with real objects made here (a URL whose parameter this file does not
know fails the test and says so), and a new write URL (one that refuses GET) fails until it is
given the POST data of a real editor action below.

- Anonymous visitors reach the login pages (and /healthz) and nothing else.
- Viewers read every page but change nothing: every POST to a write URL is refused with 403,
  and no POST anywhere changes a row.
- Editors do the editors' actions, each checked in the database; they never reach the admin.
- Staff reach the admin.
- Merging and bulk tagging have permissions of their own: an editor without one is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse

from articles.models import Article, ImportRun, Region, RegionSuggestion, RegionTag
from articles.roles import EDITOR_PERMISSIONS, EDITORS, VIEWERS
from articles.services import tagging
from duplicates.models import DuplicateCandidate, MergeRecord
from duplicates.services import merge_articles
from tests.test_duplicates import import_labelled

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")
PASSWORD = "correct-horse-battery"
# Pages that anyone may open: the login pages and the load balancer's health check.
PUBLIC = {"login", "admin:login", "healthz"}
# Logging out is a POST that changes only the session; it is checked on its own.
LOGOUT = {"logout", "admin:logout"}


# ---------------------------------------------------------------------------------------------
# Every URL of the app, from the resolver


@dataclass(frozen=True)
class Route:
    route: str  # the full route as written, prefixes included
    name: str | None  # with its namespaces: "articles:detail"
    params: tuple[str, ...]

    def __str__(self) -> str:
        return self.name or self.route

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")


_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)")


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            params = tuple(m["name"] or m["group"] for m in _PARAM.finditer(route))
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield Route(route, name, params)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def concrete_url(route: Route, values: dict[str, str]) -> str:
    def fill(match: re.Match) -> str:
        return str(values[match["name"] or match["group"]])

    return "/" + _PARAM.sub(fill, route.route).replace("^", "").replace("$", "")


# ---------------------------------------------------------------------------------------------
# The world the URLs point into


@pytest.fixture
def world(import_files, tmp_path, django_user_model):
    owner = django_user_model.objects.create_user("owner", password=PASSWORD)
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
    bad = tmp_path / "bad.txt"
    bad.write_text("only a body line, and no title before it, so this block is rejected.\n")
    rejected_run = import_files(bad).run_id
    pair = {
        name: DuplicateCandidate.objects.pair(articles[name], articles[other]).get()
        for name, other in [
            ("lna", "lna-republished"),
            ("unrwa", "unrwa-update"),
            ("yemen", "yemen-shortened-third"),
        ]
    }
    record = merge_articles(
        survivor=articles["yemen"], merged=articles["yemen-shortened-third"], user=owner
    )
    libya, gaza, sudan = (Region.objects.get(slug=s) for s in ("libya", "gaza", "sudan"))
    tagging.add_region_tag(article=articles["unrwa"], region=gaza, user=owner)
    suggestion = RegionSuggestion.objects.filter(
        article=articles["sudan"], status=RegionSuggestion.Status.OPEN
    ).first() or RegionSuggestion.objects.create(article=articles["sudan"], region=sudan, score=1)
    return SimpleNamespace(
        articles=articles,
        pair=pair,
        record=record,
        suggestion=suggestion,
        libya=libya,
        gaza=gaza,
        run=ImportRun.objects.get(pk=rejected_run),
        owner=owner,
    )


def path_values(route: Route, world) -> dict[str, object]:
    """Real objects for the route's path parameters."""
    a = world.articles
    known: dict[str | None, dict[str, object]] = {
        "articles:export": {"fmt": "csv"},
        "articles:detail": {"pk": a["lna"].pk},
        "articles:add-tag": {"pk": a["lna"].pk},
        "articles:remove-tag": {"pk": a["unrwa"].pk, "slug": world.gaza.slug},
        "articles:decide-suggestion": {"pk": world.suggestion.pk, "decision": "accept"},
        "articles:region": {"slug": world.libya.slug},
        "articles:region-feed": {"slug": world.libya.slug},
        "articles:import-detail": {"pk": world.run.pk},
        "duplicates:compare": {"pk": world.pair["lna"].pk},
        "duplicates:merge": {"pk": world.pair["lna"].pk},
        "duplicates:not-duplicate": {"pk": world.pair["unrwa"].pk},
        "duplicates:merge-detail": {"pk": world.record.pk},
        "duplicates:undo": {"pk": world.record.pk},
        "admin:app_list": {"app_label": "articles"},
        "admin:auth_user_password_change": {"id": world.owner.pk},
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(Article).pk,
            "object_id": a["lna"].pk,
        },
    }
    if route.name in known:
        return known[route.name]
    if route.is_admin and route.params == ("object_id",):
        app_label, model_name = route.route.split("/")[1:3]
        model = apps.get_model(app_label, model_name)
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            # A third-party app's log (axes, say) may be empty; the permission checks come
            # before the lookup all the same. Our own models all have rows in this world.
            assert app_label not in {"articles", "duplicates", "auth"}, model
            return {"object_id": 0}
        return {"object_id": obj.pk}
    if route.is_admin and route.params == ("url",):  # the admin's catch-all
        return {"url": "no-such-page/"}
    assert not route.params, (
        f"{route}: give its path parameters {route.params} real values in path_values()"
    )
    return {}


def urls_of(world) -> dict[Route, str]:
    urls = {}
    for route in all_routes():
        url = concrete_url(route, path_values(route, world))
        if route.name:  # the URL leads back to its own route
            assert resolve(url).view_name == route.name, (url, route)
        urls[route] = url
    return urls


# Editors' actions: the POST data of each write URL and what it must have done.
def editor_actions(world) -> dict[str, tuple[dict, Callable[[], bool]]]:
    a = world.articles
    return {
        "articles:add-tag": (
            {"region": world.libya.pk},
            lambda: RegionTag.objects.filter(article=a["lna"], region=world.libya).exists(),
        ),
        "articles:remove-tag": (
            {},
            lambda: not RegionTag.objects.filter(article=a["unrwa"], region=world.gaza).exists(),
        ),
        "articles:decide-suggestion": (
            {},
            lambda: RegionSuggestion.objects.get(pk=world.suggestion.pk).status == "accepted",
        ),
        "articles:bulk-tag": (
            {"region": world.gaza.pk, "scope": "all", "query": "q=UNRWA", "confirmed": "on"},
            lambda: RegionTag.objects.filter(region=world.gaza, method="bulk").exists(),
        ),
        "duplicates:merge": (
            {"survivor": a["lna"].pk, "keep_title_from": a["lna"].pk, "reason": "same story"},
            lambda: Article.objects.get(pk=a["lna-republished"].pk).merged_into_id == a["lna"].pk,
        ),
        "duplicates:not-duplicate": (
            {"reason": "an update, kept apart"},
            lambda: (
                DuplicateCandidate.objects.get(pk=world.pair["unrwa"].pk).status
                == DuplicateCandidate.Status.NOT_DUPLICATE
            ),
        ),
        "duplicates:undo": (
            {"reason": "merged by mistake"},
            lambda: MergeRecord.objects.get(pk=world.record.pk).is_undone,
        ),
    }


# ---------------------------------------------------------------------------------------------
# Clients and the state of the database


def snapshot() -> dict[str, list]:
    """Every row of every table but the sessions (logging in writes one)."""
    state = {}
    for model in apps.get_models():
        if model is Session:
            continue
        rows = model._default_manager.values_list()
        state[model._meta.label] = sorted(map(repr, rows))
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get(LOGIN)  # sets the CSRF cookie, as a browser's first page would
    assert "csrftoken" in client.cookies
    return client


def post(client: Client, url: str, data: dict | None = None):
    token = client.cookies["csrftoken"].value
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": token})


def is_login_redirect(response, login: str = LOGIN) -> bool:
    return response.status_code == 302 and response["Location"].startswith(login + "?next=")


def user_in(django_user_model, name: str, group: str | None, *, staff: bool = False):
    user = django_user_model.objects.create_user(name, password=PASSWORD, is_staff=staff)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# ---------------------------------------------------------------------------------------------
# The walk, role by role


def test_every_url_is_walked(world):
    """The walk covers the whole URL conf: the app's pages, its write URLs, the admin."""
    routes = {str(route) for route in urls_of(world)}
    for name in [
        "articles:search",
        "articles:bulk-tag",
        "duplicates:merge",
        "duplicates:undo",
        "articles:region-feed",
        "admin:index",
        "admin:articles_article_change",
        "login",
    ]:
        assert name in routes
    assert len(routes) > 100  # the admin's URLs included


def test_anonymous_visitors_reach_only_the_login_pages(world):
    client = csrf_client()
    before = snapshot()
    reached = set()
    for route, url in urls_of(world).items():
        for method in ("GET", "POST"):
            response = client.get(url) if method == "GET" else post(client, url)
            assert response.status_code < 500, (method, url)
            if route.name in PUBLIC:
                expected = {200} if method == "GET" else {200, 405}  # /healthz is GET only
                assert response.status_code in expected, (method, url)
                reached.add(route.name)
            elif route.name == "admin:logout":
                assert response.status_code in (302, 405), (method, url)
            elif route.is_admin:  # the admin sends some visitors to its own login page
                assert is_login_redirect(response) or is_login_redirect(response, ADMIN_LOGIN)
            else:
                assert is_login_redirect(response), (method, url, response.status_code)
    assert reached == PUBLIC & {r.name for r in all_routes()}
    assert changed_tables(before, snapshot()) == []


def test_viewers_read_everything_and_change_nothing(world, django_user_model):
    viewer = user_in(django_user_model, "victor", VIEWERS)
    client = csrf_client(viewer)
    actions = editor_actions(world)
    before = snapshot()
    refused = set()
    for route, url in urls_of(world).items():
        if route.name in LOGOUT:
            continue
        got = client.get(url)
        assert got.status_code < 500, url
        data = actions.get(route.name, ({}, None))[0]
        posted = post(client, url, data)
        assert posted.status_code < 500, url
        if route.is_admin and route.name != "admin:login":
            assert is_login_redirect(got, ADMIN_LOGIN), url
            assert is_login_redirect(posted, ADMIN_LOGIN), url
        elif got.status_code == 405:  # a write URL
            assert posted.status_code == 403, url
            refused.add(route.name)
        else:
            assert got.status_code in (200, 302), url
    assert changed_tables(before, snapshot()) == []
    assert refused == set(actions)
    search = html(client.get(reverse("articles:search")))
    assert 'id="bulk-tag"' not in search
    assert 'name="article"' not in search
    compare = html(client.get(world.pair["lna"].get_absolute_url()))
    assert reverse("duplicates:merge", args=[world.pair["lna"].pk]) not in compare


def test_editors_do_the_editors_actions_but_never_reach_the_admin(world, editor):
    client = csrf_client(editor)
    actions = editor_actions(world)
    write_urls = {}
    before = snapshot()
    for route, url in urls_of(world).items():
        if route.name in LOGOUT:
            continue
        got = client.get(url)
        assert got.status_code < 500, url
        if route.is_admin and route.name != "admin:login":
            assert is_login_redirect(got, ADMIN_LOGIN), url
            assert is_login_redirect(post(client, url), ADMIN_LOGIN), url
        elif got.status_code == 405:
            write_urls[route.name] = url
        else:
            assert got.status_code in (200, 302), url
            assert post(client, url).status_code < 500, url
    # Reading, and posting nothing to a page that is not a write URL, changed nothing.
    assert changed_tables(before, snapshot()) == []
    assert set(write_urls) == set(actions), "a write URL without an editor action here"
    for name, url in write_urls.items():
        data, done = actions[name]
        assert not done(), name
        response = post(client, url, data)
        assert response.status_code == 302, (url, response.status_code)
        assert not response["Location"].startswith(LOGIN), url
        assert done(), name


def test_a_post_without_the_csrf_token_is_refused(world, editor):
    client = csrf_client(editor)
    before = snapshot()
    for name, (data, done) in editor_actions(world).items():
        route = next(r for r in all_routes() if r.name == name)
        url = concrete_url(route, path_values(route, world))
        assert client.post(url, data).status_code == 403, url
        assert not done(), name
    assert changed_tables(before, snapshot()) == []


def test_only_staff_reach_the_admin(world, django_user_model):
    staff = user_in(django_user_model, "stella", EDITORS, staff=True)
    client = csrf_client(staff)
    urls = urls_of(world)
    assert html(client.get(reverse("admin:index")))
    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label in {"articles", "duplicates"}:
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            assert client.get(changelist).status_code == 200, changelist
    for route, url in urls.items():
        if not route.is_admin or route.name in LOGOUT:
            continue
        assert client.get(url).status_code < 500, url
        # Forms posted empty get their errors (deleting is left alone: it would delete).
        if route.name and route.name.endswith(("_add", "_change", "password_change")):
            assert post(client, url).status_code < 500, url
    # Staff are editors too; the app's pages work for them as for any editor.
    assert client.get(reverse("articles:search")).status_code == 200


def test_there_is_no_open_password_reset(client, editor):
    """Django's password-reset pages are open to anyone and would mail reset links: they are
    not routed (staff set passwords in the admin)."""
    for path in ["/accounts/password_reset/", "/accounts/reset/MQ/set-password/"]:
        assert client.get(path).status_code == 404
        assert client.post(path, {"email": "edith@example.org"}).status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("password_reset")


def test_logging_out_ends_the_session(editor, django_user_model):
    staff = user_in(django_user_model, "stella", EDITORS, staff=True)
    for name, user in [("logout", editor), ("admin:logout", staff), ("logout", staff)]:
        client = csrf_client(user)
        response = post(client, reverse(name))
        assert response.status_code in (200, 302)
        assert is_login_redirect(client.get(reverse("articles:search")))


# ---------------------------------------------------------------------------------------------
# Merging and bulk tagging have permissions of their own


def editor_without(django_user_model, codename: str):
    """A user with every editor permission but ``codename``."""
    group = Group.objects.create(name=f"editors without {codename}")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=[c for c in EDITOR_PERMISSIONS if c != codename],
        )
    )
    user = django_user_model.objects.create_user(f"no-{codename}", password=PASSWORD)
    user.groups.add(group)
    assert user.has_perm("articles.tag_articles") != (codename == "tag_articles")
    return user


def test_the_roles_migrations_give_editors_their_own_permissions():
    editors = set(Group.objects.get(name=EDITORS).permissions.values_list("codename", flat=True))
    viewers = set(Group.objects.get(name=VIEWERS).permissions.values_list("codename", flat=True))
    assert {"tag_articles", "bulk_tag_articles", "merge_articles"} <= editors
    assert not {"tag_articles", "bulk_tag_articles", "merge_articles"} & viewers
    assert not any(c.startswith(("add_", "change_", "delete_")) for c in viewers)


def test_an_editor_without_the_merge_permission_cannot_merge(world, django_user_model):
    client = csrf_client(editor_without(django_user_model, "merge_articles"))
    pair, record = world.pair["lna"], world.record
    compare = html(client.get(pair.get_absolute_url()))
    assert reverse("duplicates:merge", args=[pair.pk]) not in compare
    before = snapshot()
    actions = editor_actions(world)
    for name, pk in [
        ("duplicates:merge", pair.pk),
        ("duplicates:not-duplicate", pair.pk),
        ("duplicates:undo", record.pk),
    ]:
        assert post(client, reverse(name, args=[pk]), actions[name][0]).status_code == 403
    assert changed_tables(before, snapshot()) == []
    # The rest of the editor's work still works: tagging by hand.
    response = post(
        client,
        reverse("articles:add-tag", args=[world.articles["lna"].pk]),
        {"region": world.libya.pk},
    )
    assert response.status_code == 302
    assert RegionTag.objects.filter(article=world.articles["lna"], region=world.libya).exists()


def test_an_editor_without_the_bulk_tag_permission_cannot_bulk_tag(world, django_user_model):
    client = csrf_client(editor_without(django_user_model, "bulk_tag_articles"))
    search = html(client.get(reverse("articles:search"), {"q": "UNRWA"}))
    assert 'id="bulk-tag"' not in search
    assert reverse("articles:bulk-tag") not in search
    assert 'form="bulk-tag"' not in search
    region_page = html(client.get(reverse("articles:region", args=["gaza"])))
    assert 'id="bulk-tag"' not in region_page
    before = snapshot()
    data = {"region": world.libya.pk, "scope": "all", "query": "q=UNRWA"}
    assert post(client, reverse("articles:bulk-tag"), data).status_code == 403  # the confirmation
    confirmed = {**data, "confirmed": "on"}
    assert post(client, reverse("articles:bulk-tag"), confirmed).status_code == 403
    selected = {**confirmed, "scope": "selected", "article": [world.articles["unrwa"].pk]}
    assert post(client, reverse("articles:bulk-tag"), selected).status_code == 403
    assert changed_tables(before, snapshot()) == []
    # Tagging one article by hand is still allowed.
    response = post(
        client,
        reverse("articles:add-tag", args=[world.articles["unrwa"].pk]),
        {"region": world.libya.pk},
    )
    assert response.status_code == 302
    assert RegionTag.objects.filter(region=world.libya, method="editor").exists()


def test_an_editor_with_the_bulk_tag_permission_sees_the_form(world, editor):
    client = csrf_client(editor)
    search = html(client.get(reverse("articles:search"), {"q": "UNRWA"}))
    assert 'id="bulk-tag"' in search
    assert 'form="bulk-tag"' in search
    confirm = post(
        client,
        reverse("articles:bulk-tag"),
        {"region": world.libya.pk, "scope": "all", "query": "q=UNRWA"},
    )
    assert "articles/bulk_tag_confirm.html" in [t.name for t in confirm.templates]
