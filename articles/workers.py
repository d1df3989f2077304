"""Running pure functions in worker processes while this process writes to the database."""

from __future__ import annotations

import gc
import multiprocessing
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any


class Workers:
    """``map`` over ``processes`` worker processes, or in this process when there are none.
    Work is handed out as it is produced, a few chunks ahead, so that reading, computing and
    writing overlap.

    The workers run pure functions and never touch the database; forked workers end with
    ``os._exit`` and so never close the connection they inherited. ``initializer(*initargs)``
    runs once in each worker (or once here, when there are no workers): what every chunk needs,
    sent once instead of with every chunk."""

    def __init__(
        self,
        processes: int,
        initializer: Callable[..., Any] | None = None,
        initargs: tuple = (),
        ahead: int | None = None,
    ) -> None:
        self.processes = processes
        self.initializer = initializer
        self.initargs = initargs
        # Chunks handed out beyond the one being waited for (default: two per worker).
        self.ahead = 2 * processes if ahead is None else ahead
        self.pool = None

    def __enter__(self) -> Workers:
        if self.processes > 0:
            method = "fork" if sys.platform == "linux" else "spawn"
            # Frozen, this process's objects are left out of the workers' garbage collections,
            # which would otherwise touch, and so copy, most of the memory they share with it.
            gc.freeze()
            try:
                self.pool = multiprocessing.get_context(method).Pool(
                    self.processes, initializer=self.initializer, initargs=self.initargs
                )
            finally:
                gc.unfreeze()
        elif self.initializer is not None:
            self.initializer(*self.initargs)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def map(self, function: Callable, chunks: Iterable) -> Iterator:
        """``function(chunk)`` for every chunk, in order."""
        if self.pool is None:
            for chunk in chunks:
                yield function(chunk)
            return
        pending: deque = deque()
        for chunk in chunks:
            pending.append(self.pool.apply_async(function, (chunk,)))
            if len(pending) > self.ahead:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
