"""Under ``mkdocs serve``, the server's request log is not a build warning.

``mkdocs serve`` logs every request it cannot answer (``"GET /old-page/ HTTP/1.1" code
404``) as a warning of the ``mkdocs.livereload`` logger, a child of the ``mkdocs`` logger
on which a strict build counts warnings. A request that arrives while a rebuild runs (an
old browser tab, a mistyped address) would then abort that rebuild in strict mode and
leave the server "stuck" on the previous site, though nothing in the book is wrong.

Under ``serve`` the build puts a filter on that logger (a public seam: Python logging)
which lowers the server's request lines to INFO: they are still printed, but never
counted. Every other warning, from the build or the server, keeps its level, so a
failing example or a broken link still fails a strict rebuild and names its file and
line; ``mkdocs build --strict`` never sees the filter.
"""

from __future__ import annotations

import logging
import re

__all__ = ["SERVER_LOGGER", "RequestLogIsNotAWarning", "quiet_request_log"]

SERVER_LOGGER = "mkdocs.livereload"
# What mkdocs.livereload's request handler logs: '[12:00:00] "GET /path HTTP/1.1" code 404'.
_REQUEST_LINE = re.compile(r'^(?:\[[\d:]+\] )?"[A-Z]+ \S* HTTP/[\d.]+" code \d{3}$')


class RequestLogIsNotAWarning(logging.Filter):
    """Lower the dev server's request lines to INFO, so strict mode does not count them."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record; demote a request line logged as a warning to INFO."""
        if record.levelno == logging.WARNING and _REQUEST_LINE.match(record.getMessage()):
            record.levelno = logging.INFO
            record.levelname = logging.getLevelName(logging.INFO)
        return True


def quiet_request_log() -> None:
    """Put the filter on the server's logger (once): call it under ``serve`` only."""
    logger = logging.getLogger(SERVER_LOGGER)
    if not any(isinstance(found, RequestLogIsNotAWarning) for found in logger.filters):
        logger.addFilter(RequestLogIsNotAWarning())
