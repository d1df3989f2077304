import itertools
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def chunked(values: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last one shorter), consuming lazily."""
    iterator = iter(values)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
