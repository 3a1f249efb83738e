"""Structured log lines: ``key=value`` pairs on one line, on stderr.

``log_event(logger, "request", method="GET", status=200)`` writes one line such as::

    time=2024-10-22T10:00:00+02:00 level=INFO logger=kib.request request_id=3f2a… event=request method=GET status=200

The request id of the current request (set by ``RequestLogMiddleware``) is added to every
line logged while that request runs, from any logger. Values are quoted when they hold a
space, a quote or an ``=``, and newlines are escaped, so one event is always one line
(a traceback, when there is one, follows on its own lines).

Callers pass only what is safe to keep: ids, paths without query strings, states, counts.
No e-mail addresses, no user names, no passwords, no query strings.
"""

import contextvars
import logging
from datetime import datetime

request_id_var = contextvars.ContextVar("kib_request_id", default="-")


def _quote(value):
    text = "-" if value is None or value == "" else str(value)
    text = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    if any(ch in text for ch in ' "='):
        text = '"' + text.replace('"', '\\"') + '"'
    return text


def format_fields(fields):
    return " ".join(f"{key}={_quote(value)}" for key, value in fields.items())


def log_event(logger, event, level=logging.INFO, **fields):
    """Log one event as key=value pairs (kept as ``record.kv`` for the formatter and for tests)."""
    if isinstance(logger, str):
        logger = logging.getLogger(logger)
    kv = {"event": event, **fields}
    logger.log(level, format_fields(kv), extra={"kv": kv})


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class KeyValueFormatter(logging.Formatter):
    """``time=… level=… logger=… request_id=…`` followed by the event's pairs or ``msg="…"``."""

    def format(self, record):
        head = {
            "time": datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        kv = getattr(record, "kv", None)
        line = format_fields(head) + " " + (format_fields(kv) if kv else format_fields({"msg": record.getMessage()}))
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        elif record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line
