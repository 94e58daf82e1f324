"""JSON logs on stderr, one object a line, with no personal data.

Log records carry only what is passed in ``extra`` under names on the allow-list below,
so a handler cannot leak a description, a contact detail or a tracking code by accident:
anything else in ``extra`` is dropped. Client addresses and user agents are never logged
(uvicorn's access log is off; :mod:`samleng.common.http` logs the route template instead
of the path, which could hold a tracking code).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

SAFE_FIELDS = frozenset(
    {
        "service",
        "queue",
        "reason",
        "attempt",
        "event_id",
        "event_type",
        "complaint_id",
        "correlation_id",
        "office_id",
        "method",
        "route",
        "status",
        "duration_ms",
        "count",
        "trace_id",
        "span_id",
    }
)


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object with allow-listed extra fields."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as a JSON line."""
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "service": self._service,
            "message": record.getMessage(),
        }
        for key in SAFE_FIELDS:
            value = record.__dict__.get(key)
            if value is not None and key not in entry:
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every logger's records to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
