import logging
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils.encoding import escape_uri_path

request_logger = logging.getLogger("newsroom.requests")

RENEWED_AT = "_renewed_at"


class RequestLogMiddleware:
    """One log line per request: method, path (no query string: searches stay private),
    status and the time to the response in milliseconds (a streamed export's body is still
    being sent when it is logged)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        # Percent-encoded, so a path cannot forge a second log line.
        request_logger.info(
            "%s %s %s %.1fms",
            request.method,
            escape_uri_path(request.path),
            response.status_code,
            elapsed_ms,
        )
        return response


class IdleSessionMiddleware:
    """Ends a session after SESSION_COOKIE_AGE seconds without a request.

    The session is renewed (saved again: a new expiry in the database and in the cookie) at
    most once every SESSION_IDLE_RENEW_AFTER seconds, instead of on every request as
    SESSION_SAVE_EVERY_REQUEST would. Pages open without a login (the login page, /healthz)
    renew nothing: a monitor polling /healthz with a stale cookie keeps no session alive."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if getattr(request, "_renews_session", False) and session.get(SESSION_KEY):
            now = int(time.time())
            if now - session.get(RENEWED_AT, 0) >= settings.SESSION_IDLE_RENEW_AFTER:
                session[RENEWED_AT] = now
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request._renews_session = getattr(view_func, "login_required", True)


def mark_session_renewed(sender, request, user, **kwargs) -> None:
    """user_logged_in: a session saved at login needs no renewal on the next request."""
    if request is not None and hasattr(request, "session"):
        request.session[RENEWED_AT] = int(time.time())
