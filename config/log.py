"""Logging helpers named in settings.LOGGING."""

from __future__ import annotations

import logging


class WarningWithoutTraceback(logging.Filter):
    """For loggers whose errors are the client's fault, not ours (a request for a host
    name we do not serve): one warning line, no traceback to wade through."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.WARNING:
            record.levelno = logging.WARNING
            record.levelname = logging.getLevelName(logging.WARNING)
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True
