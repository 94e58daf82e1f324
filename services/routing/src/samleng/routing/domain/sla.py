"""Service-level agreements: how long an office has to acknowledge and resolve a case,
by kind of feedback and by category, in working days. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from samleng.common.calendar import WorkingCalendar
from samleng.common.events import Category, Deadlines, FeedbackKind


class SlaTerms(BaseModel):
    """Working days to acknowledge and to resolve: ``0`` means no clock for that step,
    ``null`` (or absent) keeps the value of the less specific rule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    acknowledge_working_days: int | None = Field(default=None, ge=0, le=60)
    resolve_working_days: int | None = Field(default=None, ge=0, le=365)


class SlaTable(BaseModel):
    """The SLA of a directory version: a default, overridden by kind, then by category."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default: SlaTerms
    by_kind: dict[FeedbackKind, SlaTerms] = Field(default_factory=dict)
    by_category: dict[Category, SlaTerms] = Field(default_factory=dict)
    confirmation_working_days: int = Field(default=10, ge=1, le=60)
    warning_hours: int = Field(default=24, ge=0, le=24 * 30)
    #: Case limits of this directory version; absent keeps the deployment's settings.
    overall_working_days: int | None = Field(default=None, ge=0, le=365)
    move_limit: int | None = Field(default=None, ge=0, le=50)
    no_reply_working_days: int | None = Field(default=None, ge=0, le=90)

    def limits(self, defaults: CaseLimits) -> CaseLimits:
        """The deployment's case limits, with what this directory version overrides."""
        return CaseLimits(
            overall_working_days=_first(self.overall_working_days, defaults.overall_working_days),
            move_limit=_first(self.move_limit, defaults.move_limit),
            no_reply_working_days=_first(
                self.no_reply_working_days, defaults.no_reply_working_days
            ),
        )

    def terms_for(self, kind: FeedbackKind, category: Category) -> tuple[SlaTerms, str]:
        """The terms for a case and the name of the SLA rule that gave them."""
        values = self.default.model_dump()
        names = ["default"]
        for name, override in (
            (f"kind:{kind.value}", self.by_kind.get(kind)),
            (f"category:{category.value}", self.by_category.get(category)),
        ):
            if override is not None:
                values.update({k: v for k, v in override.model_dump().items() if v is not None})
                names.append(name)
        return SlaTerms(**values), "+".join(names)


@dataclass(frozen=True)
class CaseLimits:
    """Limits over a whole case, whatever office has it (``0`` switches one off).

    ``overall_working_days`` from the submission (or a reopening) to the resolution;
    ``move_limit`` transfers and forwards before the case goes to the provincial ombudsman;
    ``no_reply_working_days`` a question may wait for the citizen before the case closes.
    """

    overall_working_days: int = 30
    move_limit: int = 3
    no_reply_working_days: int = 10


def _first(override: int | None, default: int) -> int:
    return default if override is None else override


@dataclass(frozen=True)
class Timer:
    """One clock of a case: its deadline, when to warn, and whether the warning went out."""

    deadline: str  # acknowledge | resolve | confirm | overall | reply
    due_at: datetime
    warn_at: datetime | None = None
    warned: bool = False

    @property
    def next_at(self) -> datetime:
        """When this timer next needs attention."""
        if self.warn_at is not None and not self.warned:
            return min(self.warn_at, self.due_at)
        return self.due_at


def start_clocks(
    table: SlaTable,
    calendar: WorkingCalendar,
    kind: FeedbackKind,
    category: Category,
    since: datetime,
    *,
    acknowledged: bool = False,
    standard_working_days: int | None = None,
) -> tuple[Deadlines, list[Timer]]:
    """The deadlines of an office that receives a case at ``since``, and their timers.

    ``standard_working_days`` (the service's own standard time, from the catalogue)
    replaces the table's time to resolve when the table has a resolve clock at all (never
    sooner than the time to acknowledge).
    """
    terms, rule = table.terms_for(kind, category)
    if standard_working_days and terms.resolve_working_days:
        # never sooner than the office must acknowledge
        days = max(standard_working_days, terms.acknowledge_working_days or 0)
        terms = terms.model_copy(update={"resolve_working_days": days})
        rule += "+service-standard"
    warning = timedelta(hours=table.warning_hours)
    acknowledge_by = resolve_by = None
    timers: list[Timer] = []
    if terms.acknowledge_working_days and not acknowledged:
        acknowledge_by = calendar.deadline(since, terms.acknowledge_working_days)
        timers.append(_timer("acknowledge", acknowledge_by, warning, since))
    if terms.resolve_working_days:
        resolve_by = calendar.deadline(since, terms.resolve_working_days)
        timers.append(_timer("resolve", resolve_by, warning, since))
    deadlines = Deadlines(acknowledge_by=acknowledge_by, resolve_by=resolve_by, sla_rule=rule)
    return deadlines, timers


def confirmation_clock(table: SlaTable, calendar: WorkingCalendar, since: datetime) -> Timer:
    """The period after a resolution in which the citizen may confirm or appeal."""
    return Timer("confirm", calendar.deadline(since, table.confirmation_working_days))


@dataclass(frozen=True)
class PausedClock:
    """An office clock stopped while the office waits for the citizen: the working time
    that was left on it."""

    deadline: str  # acknowledge | resolve
    remaining_seconds: float


def pause(timers: list[Timer], calendar: WorkingCalendar, now: datetime) -> list[PausedClock]:
    """Stop the office's clocks (acknowledge, resolve), keeping the working time left."""
    return [
        PausedClock(t.deadline, calendar.working_time_between(now, t.due_at).total_seconds())
        for t in timers
        if t.deadline in OFFICE_CLOCKS
    ]


def resume(
    paused: list[PausedClock], table: SlaTable, calendar: WorkingCalendar, now: datetime
) -> list[Timer]:
    """Restart paused clocks with the working time that was left on them."""
    warning = timedelta(hours=table.warning_hours)
    return [
        _timer(
            p.deadline,
            calendar.add_working_time(now, timedelta(seconds=p.remaining_seconds)),
            warning,
            now,
        )
        for p in paused
    ]


#: The clocks of the office that has the case (paused while a question waits).
OFFICE_CLOCKS = frozenset({"acknowledge", "resolve"})


def _timer(deadline: str, due_at: datetime, warning: timedelta, since: datetime) -> Timer:
    warn_at = due_at - warning if warning else None
    # a warning that would fall before the office even got the case is pointless
    if warn_at is not None and warn_at <= since:
        warn_at = None
    return Timer(deadline, due_at, warn_at)
