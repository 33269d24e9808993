"""Logging configured by two settings: `LOG_LEVEL` (DEBUG, INFO, WARNING, ERROR, CRITICAL) and
`LOG_FORMAT` (`text`, or `json`: one JSON object per line, for log collectors).

Forum's records go to the root logger, which gets one handler writing to standard error; calling
`configure_logging` again (every `create_app`) replaces that handler instead of adding another.
"""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

from flask import has_request_context, request

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"


class JsonLinesFormatter(logging.Formatter):
    """A record as one line of JSON: time (UTC, ISO 8601), level, logger, message, and the
    request's method and path when there is one, the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["method"] = request.method
            entry["path"] = request.path
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _ForumHandler(logging.StreamHandler[TextIO]):
    """The handler `configure_logging` installs (found again by its class to be replaced)."""


def parse_level(name: str) -> int:
    """The logging level named `name` (any case); ValueError naming the choices otherwise."""
    levels = logging.getLevelNamesMapping()
    level = levels.get(name.strip().upper())
    if level is None or name.strip().upper() in ("NOTSET", "WARN", "FATAL"):
        raise ValueError(f"LOG_LEVEL {name!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    return level


def configure_logging(level: str, format: str, stream: TextIO | None = None) -> None:
    """Sets the root logger's level and its one Forum handler (text or JSON lines)."""
    if format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT {format!r} is not one of {', '.join(LOG_FORMATS)}")
    root = logging.getLogger()
    root.setLevel(parse_level(level))
    for handler in [h for h in root.handlers if isinstance(h, _ForumHandler)]:
        root.removeHandler(handler)
    handler = _ForumHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(
        JsonLinesFormatter() if format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root.addHandler(handler)
