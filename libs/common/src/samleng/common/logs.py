"""JSON logs on stderr, one object a line, with no personal data.

Log records carry only what is passed in ``extra`` under names on the allow-list below,
so a handler cannot leak a description, a contact detail or a tracking code by accident:
anything else in ``extra`` is dropped. Client addresses and user agents are never logged
(uvicorn's access log is off; :mod:`samleng.common.http` logs the route template instead
of the path, which could hold a tracking code).

Every record made inside a trace carries its ``trace_id`` and ``span_id`` (the ids
OpenTelemetry exports), so one complaint's lines can be found in every service's logs.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime

from opentelemetry import trace

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
        "year",
        "cells",
        "suppressed",
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
        if "trace_id" not in entry:
            entry.update(current_trace_ids())
        if record.exc_info and record.exc_info[0] is not None:
            error = record.exc_info[1]
            entry["error"] = record.exc_info[0].__name__
            entry["traceback"] = safe_traceback(error)
            # libraries (FastStream) put the exception's text into the message itself
            said = str(error) if error is not None else ""
            if said and said in str(entry["message"]):
                entry["message"] = str(entry["message"]).replace(said, "[message withheld]")
        return json.dumps(entry, ensure_ascii=False, default=str)


def safe_traceback(error: BaseException | None) -> str:
    """Where an error happened (types and frames), without exception messages.

    Messages can quote data — a validation error repeats the input, a duplicate-key
    error the key — so only the types of the chain and its stack frames are logged.
    """
    if error is None:
        return ""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        lines.append(f"{type(current).__module__}.{type(current).__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
        current = current.__cause__ or current.__context__
    return "\n".join(lines)


def current_trace_ids() -> dict[str, str]:
    """The current span's ``trace_id`` and ``span_id`` as hex, or nothing outside a trace."""
    try:
        context = trace.get_current_span().get_span_context()
    except Exception:
        return {}
    if not context.is_valid:
        return {}
    return {"trace_id": f"{context.trace_id:032x}", "span_id": f"{context.span_id:016x}"}


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
    # at DEBUG, the driver logs whole command documents (descriptions included)
    logging.getLogger("pymongo").setLevel(max(root.level, logging.INFO))
    # httpx logs each request's URL at INFO: some carry a secret in the path (the Bot
    # API's token), so only its warnings are kept
    logging.getLogger("httpx").setLevel(max(root.level, logging.WARNING))
