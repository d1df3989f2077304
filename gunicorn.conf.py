"""gunicorn's settings file, read from the project folder (``make serve``, ``bench load``).
The command line's options (bind, workers, timeout) take precedence over anything here."""

import logging

logger = logging.getLogger("newsroom.server")


def post_worker_init(worker):
    """Before a worker takes its first request: load the search page's facet index, so that the
    first searches each worker answers are as fast as the rest; then freeze what is loaded so
    far out of the garbage collector's sight. Its full collections otherwise walk every object
    of Django and the app each time (about 60 ms, landing on whichever request is running)."""
    import gc

    from django.db import DatabaseError, connections

    from articles.search.facets import warm_up

    try:
        warm_up()
    except DatabaseError as error:
        logger.warning("The facet index will load on the first search: %s", error)
    finally:
        connections.close_all()
    gc.collect()
    gc.freeze()
