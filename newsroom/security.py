"""Login throttling and session ending: the parts django-axes and Django leave to the project."""

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

logger = logging.getLogger("newsroom.security")


def client_ip(request: HttpRequest) -> str:
    """The address a login attempt came from, as django-axes counts it.

    Behind our reverse proxy (DJANGO_BEHIND_PROXY=1) REMOTE_ADDR is the proxy's, and the
    client's is the last entry of X-Forwarded-For: the one the proxy appended. Entries before
    it were sent by the client and could be anything, so they are never used.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


def lockout_ends_at(*, username: str, ip_address: str) -> datetime | None:
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    last = (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    cool_off = get_cool_off()
    return last + cool_off if last and cool_off else None


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: our page, saying when the editor can try again."""
    from axes.helpers import get_client_username, get_cool_off

    username = get_client_username(request, credentials) or ""
    ends_at = lockout_ends_at(username=username, ip_address=getattr(request, "axes_ip_address", ""))
    minutes_left = None
    if ends_at:
        minutes_left = max(1, round((ends_at - timezone.now()).total_seconds() / 60))
    context = {
        "username": username,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cool_off_minutes": int(get_cool_off().total_seconds() // 60),
        "ends_at": ends_at,
        "minutes_left": minutes_left,
    }
    response: HttpResponse = render(
        request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    return response


def end_sessions(*, user) -> int:
    """Delete every stored session of ``user``; returns how many there were.

    Sessions are stored signed and encoded, so each live one is decoded to find its user:
    fine for a newsroom's few hundred sessions."""
    user_id = user._meta.pk.value_to_string(user)
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == user_id
    ]
    Session.objects.filter(session_key__in=ended).delete()
    if ended:
        logger.info("Ended %d session(s) of deactivated user %s", len(ended), user.get_username())
    return len(ended)


def end_sessions_of_deactivated_user(sender, instance, update_fields=None, **kwargs) -> None:
    """post_save on the user model: a deactivated user is logged out everywhere at once."""
    if instance.is_active or (update_fields is not None and "is_active" not in update_fields):
        return
    end_sessions(user=instance)


def log_lockout(sender, request, username, ip_address, **kwargs) -> None:
    """django-axes' user_locked_out signal. Axes masks user names and addresses in its own log
    lines (a password typed into the user name box would land there); the lockout itself is
    logged with both, so that operators can see who was locked out from where."""
    logger.warning(
        "Login locked out: user name %r from %s, for %s after %d failed attempts",
        username,
        ip_address,
        settings.AXES_COOLOFF_TIME,
        settings.AXES_FAILURE_LIMIT,
    )
