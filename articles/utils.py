import itertools
from collections.abc import Iterable, Iterator
from typing import TypeVar

from django.utils.http import url_has_allowed_host_and_scheme

T = TypeVar("T")


def chunked(values: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last one shorter), consuming lazily."""
    iterator = iter(values)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def local_path(target: str, request) -> str | None:
    """``target`` if it is a path on this site (``/...``), else None: for a posted ``next``.

    A value without a slash is refused too, not only other hosts: ``redirect()`` would take
    ``next=foo`` for the name of a URL pattern and fail."""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None
