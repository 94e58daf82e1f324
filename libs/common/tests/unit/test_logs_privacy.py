import json
import logging
import sys

import pytest

from samleng.common.logs import JsonFormatter

pytestmark = pytest.mark.unit


def test_exception_messages_never_reach_the_log() -> None:
    private = "012-345-678 ផ្ទះលេខ ៥"
    try:
        try:
            raise KeyError(private)
        except KeyError as inner:
            raise ValueError(f"could not handle {private}") from inner
    except ValueError:
        message = f"ValueError: could not handle {private}"  # as FastStream words it
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, message, None, None)
        record.exc_info = sys.exc_info()
    line = JsonFormatter("test").format(record)
    assert private not in line
    entry = json.loads(line)
    assert entry["error"] == "ValueError"
    assert "builtins.KeyError" in entry["traceback"]
    assert "test_exception_messages_never_reach_the_log" in entry["traceback"]


def test_extra_fields_outside_the_allow_list_are_dropped() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "submitted", None, None)
    record.__dict__.update({"phone": "+85512345678", "queue": "q"})
    entry = json.loads(JsonFormatter("test").format(record))
    assert "phone" not in entry and entry["queue"] == "q"
