"""Production security: deployment settings, response headers, login throttling, sessions,
the health check and the request log."""

import json
import logging
import os
import re
import secrets
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from newsroom.middleware import RENEWED_AT
from tests.conftest import ROOT

LOGIN = reverse("login")
SEARCH = reverse("articles:search")
PASSWORD = "correct-horse-battery"
OFFICE = "198.51.100.7"  # one address shared by the whole office (documentation range)


def production_env(**extra) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="newsroom.example.org",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# Deployment settings ------------------------------------------------------------------------


@pytest.mark.parametrize("proxy", ["0", "1"])
def test_deploy_check_is_clean_with_production_values(proxy):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(DJANGO_BEHIND_PROXY=proxy),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_values_turn_on_https_everywhere():
    code = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name, None) for name in [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY", "SECURE_PROXY_SSL_HEADER", "ALLOWED_HOSTS"]}))
"""
    direct = run_python(code, production_env())
    behind_proxy = run_python(code, production_env(DJANGO_BEHIND_PROXY="1"))
    assert direct.returncode == 0, direct.stderr
    values = json.loads(direct.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    for name in ["SESSION_COOKIE", "CSRF_COOKIE"]:
        assert values[f"{name}_SECURE"] is True
        assert values[f"{name}_HTTPONLY"] is True
    assert values["ALLOWED_HOSTS"] == ["newsroom.example.org"]
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    proxied = json.loads(behind_proxy.stdout.strip().splitlines()[-1])
    assert proxied["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = run_python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_development_defaults_serve_plain_http(client, editor):
    assert not settings.SECURE_SSL_REDIRECT
    assert not settings.SESSION_COOKIE_SECURE
    response = client.post(LOGIN, {"username": editor.username, "password": PASSWORD})
    assert response.status_code == 302
    assert not response.cookies["sessionid"]["secure"]
    assert response.cookies["sessionid"]["httponly"]
    assert "Strict-Transport-Security" not in response


@pytest.mark.django_db
@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31_536_000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_https_redirect_hsts_and_the_proxy_header():
    client = Client()
    plain = client.get(LOGIN)
    assert plain.status_code == 301
    assert plain["Location"] == f"https://testserver{LOGIN}"
    # A proxy that terminated HTTPS says so; the page is then served, with HSTS.
    proxied = client.get(LOGIN, headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # Load balancers probe the health check over plain HTTP.
    assert client.get("/healthz").status_code == 200


# Headers ------------------------------------------------------------------------------------


def csp_directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    directives = [part.strip().split(None, 1) for part in header.split(";") if part.strip()]
    return {name: value for name, value in directives}


def assert_security_headers(response) -> None:
    assert csp_directives(response) == {
        "default-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_every_kind_of_response_carries_the_security_headers(client, editor):
    assert_security_headers(client.get(LOGIN))
    assert_security_headers(client.get(SEARCH))  # the redirect to the login page
    assert_security_headers(client.get("/healthz"))
    client.force_login(editor)
    for url in [SEARCH, reverse("articles:regions"), reverse("duplicates:queue")]:
        response = client.get(url)
        assert response.status_code == 200
        assert_security_headers(response)


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_template_or_python_html_has_inline_script_or_style():
    sources = [p for folder in TEMPLATE_DIRS for p in folder.rglob("*.html")]
    sources += [
        p
        for app in ["articles", "duplicates", "newsroom"]
        for p in (ROOT / app).rglob("*.py")
        if "migrations" not in p.parts
    ]
    assert len(sources) > 20
    found = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            # Only HTML built in Python: strings holding a tag.
            code = "\n".join(
                line for line in text.splitlines() if not line.lstrip().startswith("#")
            )
            text = "\n".join(re.findall(r"[\"'][^\"'\n]*<[a-z][^\"'\n]*[\"']", code))
        for what, pattern in INLINE.items():
            found += [f"{path.relative_to(ROOT)}: {what}" for _ in pattern.finditer(text)]
    assert found == []


# Login throttling ---------------------------------------------------------------------------


def attempt(client, username, password, address=OFFICE, **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


@pytest.mark.django_db
def test_ten_wrong_passwords_lock_that_user_on_that_address_only(client, editor, viewer, caplog):
    caplog.set_level(logging.WARNING, logger="newsroom.security")
    statuses = [attempt(client, editor.username, f"guess-{i}").status_code for i in range(10)]
    # Four wrong passwords show the form again; the fifth locks the pair.
    assert statuses[:4] == [200] * 4
    assert statuses[4:] == [429] * 6

    locked = attempt(client, editor.username, PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    page = locked.content.decode()
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    assert 'name="password"' not in page
    assert "Too many failed logins" in page
    assert re.search(r"You can try again at <strong><time[^>]*>\d\d:\d\d UTC</time>", page)
    assert "Other people can still log in" in page

    lockouts = [r for r in caplog.records if r.name == "newsroom.security"]
    assert len(lockouts) == 7  # the fifth failure, five more and the right password
    assert lockouts[0].levelno == logging.WARNING
    assert lockouts[0].getMessage() == (
        f"Login locked out: user name 'edith' from {OFFICE}, for 0:15:00 after 5 failed attempts"
    )

    # The colleague at the same address logs in.
    colleague = Client()
    assert attempt(colleague, viewer.username, PASSWORD).status_code == 302
    assert colleague.get(SEARCH).status_code == 200
    # The same user from another address is not locked either.
    assert attempt(Client(), editor.username, PASSWORD, address="203.0.113.9").status_code == 302

    # After the cool-off, the right password works again.
    cool_off = settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off)
    again = Client()
    assert attempt(again, editor.username, PASSWORD).status_code == 302
    assert again.get(SEARCH).status_code == 200


@pytest.mark.django_db
def test_a_successful_login_resets_the_failure_count(client, editor):
    for i in range(4):
        assert attempt(client, editor.username, f"guess-{i}").status_code == 200
    assert attempt(client, editor.username, PASSWORD).status_code == 302
    client.logout()
    for i in range(4):
        assert attempt(client, editor.username, f"again-{i}").status_code == 200
    assert attempt(client, editor.username, PASSWORD).status_code == 302


@pytest.mark.django_db
@override_settings(BEHIND_PROXY=True)
def test_behind_the_proxy_the_client_address_is_the_one_the_proxy_appended(client, editor):
    for i in range(5):
        # The client forges the first entry; the proxy appends the real one.
        attempt(
            client,
            editor.username,
            f"guess-{i}",
            address="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, {OFFICE}",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OFFICE}
    assert AccessAttempt.objects.get().failures_since_start == 5


# Sessions -----------------------------------------------------------------------------------


def log_in(client, user) -> str:
    assert attempt(client, user.username, PASSWORD).status_code == 302
    return client.session.session_key


def expiry(session_key: str):
    return Session.objects.get(session_key=session_key).expire_date


@pytest.mark.django_db
def test_a_session_lasts_a_working_day_without_a_request(client, editor):
    assert settings.SESSION_COOKIE_AGE == 9 * 60 * 60
    response = client.post(LOGIN, {"username": editor.username, "password": PASSWORD})
    assert response.cookies["sessionid"]["max-age"] == 9 * 60 * 60
    key = client.session.session_key
    assert abs(expiry(key) - (timezone.now() + timedelta(hours=9))) < timedelta(minutes=1)

    # Idle for a working day: the session is over.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    response = client.get(SEARCH)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_working_renews_the_session_at_most_every_few_minutes(client, editor):
    key = log_in(client, editor)
    soon = timezone.now() + timedelta(hours=1)

    # Within the renewal interval nothing is written.
    Session.objects.filter(session_key=key).update(expire_date=soon)
    assert client.get(SEARCH).status_code == 200
    assert expiry(key) == soon

    # Past it, the request renews the session for a full working day, cookie included.
    session = client.session
    session[RENEWED_AT] = int(time.time()) - settings.SESSION_IDLE_RENEW_AFTER - 1
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=soon)
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 9 * 60 * 60
    assert abs(expiry(key) - (timezone.now() + timedelta(hours=9))) < timedelta(minutes=1)


@pytest.mark.django_db
def test_the_health_check_creates_and_renews_no_session(client, editor):
    key = log_in(client, editor)
    session = client.session
    session[RENEWED_AT] = 0
    session.save()
    before = expiry(key)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert expiry(key) == before
    assert "sessionid" not in Client().get("/healthz").cookies


@pytest.mark.django_db
def test_logging_out_ends_that_session(client, editor):
    key = log_in(client, editor)
    cookie = client.cookies["sessionid"].value
    assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    # The old cookie, replayed, is worth nothing.
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get(SEARCH)["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_deactivating_a_user_ends_all_their_sessions(editor, viewer):
    office, home, colleague = Client(), Client(), Client()
    keys = [log_in(office, editor), log_in(home, editor)]
    log_in(colleague, viewer)
    assert office.get(SEARCH).status_code == 200

    editor.is_active = False
    editor.save()

    assert not Session.objects.filter(session_key__in=keys).exists()
    for client in (office, home):
        response = client.get(SEARCH)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
    assert colleague.get(SEARCH).status_code == 200
    # Reactivated, the editor must log in again: the old sessions do not come back.
    editor.is_active = True
    editor.save()
    assert office.get(SEARCH)["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_deactivating_in_the_admin_ends_the_sessions(admin_client, editor):
    editor_client = Client()
    log_in(editor_client, editor)
    url = reverse("admin:auth_user_change", args=[editor.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        is_active="",
        groups=[group.pk for group in editor.groups.all()],
        user_permissions=[],
        date_joined_0=editor.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=editor.date_joined.strftime("%H:%M:%S"),
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("password", None)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    editor.refresh_from_db()
    assert not editor.is_active
    assert editor_client.get(SEARCH)["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_weak_passwords_are_refused(editor):
    for weak in ["password", "12345678901", "edith", "short1"]:
        with pytest.raises(ValidationError):
            validate_password(weak, user=editor)
    form = SetPasswordForm(editor, {"new_password1": "password", "new_password2": "password"})
    assert not form.is_valid()
    assert "This password is too common." in form.errors["new_password2"]
    validate_password("Tobruk harbour at dawn 47", user=editor)


# Health check and request log ---------------------------------------------------------------


@pytest.mark.django_db
def test_health_check_answers_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


HEALTH_WITH_DEAD_DATABASE = """
import django
django.setup()
from django.test import Client
response = Client().get("/healthz", headers={"host": "localhost"})
print("RESULT", response.status_code, response.content.decode())
"""


def test_health_check_is_503_when_the_database_does_not_answer():
    # Nothing listens on port 1: the connection is refused, as with a database that is down.
    env = production_env(
        DJANGO_DEBUG="1",
        DJANGO_ALLOWED_HOSTS="localhost",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/newsroom",
    )
    result = run_python(HEALTH_WITH_DEAD_DATABASE, env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    status, body = next(line for line in lines if line.startswith("RESULT ")).split(" ", 2)[1:]
    assert status == "503"
    assert json.loads(body) == {"status": "unavailable", "database": "unreachable"}
    # Logged on standard output: the failure, and the request line.
    assert any(
        "ERROR newsroom.health Health check: the database does not answer" in line for line in lines
    )
    assert any(
        re.search(r" INFO newsroom\.requests GET /healthz 503 \d+\.\dms$", line) for line in lines
    )


@pytest.mark.django_db
def test_one_log_line_per_request_with_method_path_status_and_duration(client, editor, caplog):
    caplog.set_level(logging.INFO, logger="newsroom.requests")
    client.force_login(editor)
    client.get(reverse("articles:imports"), {"q": "secret search"})
    client.get("/no-such-page/")
    client.post(reverse("logout"))
    client.get("/evil%0AGET%20/forged%20200%201.0ms")
    lines = [r.getMessage() for r in caplog.records if r.name == "newsroom.requests"]
    assert len(lines) == 4
    assert re.fullmatch(r"GET /imports/ 200 \d+\.\dms", lines[0])
    assert re.fullmatch(r"GET /no-such-page/ 404 \d+\.\dms", lines[1])
    assert re.fullmatch(r"POST /accounts/logout/ 302 \d+\.\dms", lines[2])
    assert re.fullmatch(r"GET /evil%0AGET%20/forged%20200%201.0ms 404 \d+\.\dms", lines[3])
    assert "secret" not in "".join(lines)


def test_logs_go_to_standard_output():
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["stream"] == "ext://sys.stdout"
    assert settings.LOGGING["root"]["handlers"] == ["console"]
