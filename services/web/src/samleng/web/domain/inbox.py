"""How urgent an inbox row is, and how old (pure: time is an argument)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

DUE_SOON = timedelta(days=2)

Urgency = Literal["overdue", "due_soon", ""]


def parse_time(value: Any) -> datetime | None:
    """An API timestamp (ISO 8601) as an aware datetime; None if absent."""
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def urgency(case: dict[str, Any], now: datetime) -> Urgency:
    """``overdue`` past the next deadline, ``due_soon`` within two days of it, else empty."""
    if case.get("overdue"):
        return "overdue"
    due = parse_time(case.get("next_due"))
    if due is None:
        return ""
    if due <= now:
        return "overdue"
    return "due_soon" if due - now <= DUE_SOON else ""


def age_days(case: dict[str, Any], now: datetime) -> int:
    """Whole days since the case was submitted."""
    submitted = parse_time(case.get("submitted_at"))
    return max(0, (now - submitted).days) if submitted else 0


def most_urgent_first(cases: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Overdue, then due soon, then the rest; the API's order is kept within each group."""
    rank = {"overdue": 0, "due_soon": 1, "": 2}
    return sorted(cases, key=lambda case: rank[urgency(case, now)])
