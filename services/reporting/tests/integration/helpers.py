"""A generated history of complaints: its events, and the ground truth of what happened
to each case (the expected figures are computed from it in ``expected.py``)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from samleng.common.calendar import WorkingCalendar, load_holidays
from samleng.common.events import (
    ActorRef,
    AgeBand,
    AssignedData,
    Category,
    CitizenActionData,
    ClosedData,
    ComplaintAcknowledged,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintForwarded,
    ComplaintRated,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintSubmitted,
    ComplaintWithdrawn,
    Deadlines,
    EscalatedData,
    Event,
    FeedbackKind,
    Gender,
    Location,
    MovedData,
    OfficeActionData,
    OfficeRef,
    RatedData,
    RejectedData,
    ReopenedData,
    SubmittedData,
)

ICT = timezone(timedelta(hours=7))
#: Routing's deadlines in the history: the calendar routing uses (their inputs here).
ROUTING_CALENDAR = WorkingCalendar(holidays=load_holidays().days)
RESOLVE_DAYS, OVERALL_DAYS = 10, 20
COMMUNES = ("120101", "120102", "120201", "170201", "170202", "010201")
SERVICES = {  # code -> (official fee, standard working days), as in the catalogue
    "civil.birth_certificate": (0, 1),
    "civil.late_birth_registration": (4000, 5),
    None: (None, None),
}
CHANNELS = ("web", "mobile", "phone", "sms", "counter", "hotline", "social_media")


def _office(commune: str) -> OfficeRef:
    return OfficeRef(
        office_id=f"commune:{commune}",
        level="commune",
        kind="commune_office",
        name_en=f"Commune office {commune}",
        name_km=f"រដ្ឋបាលឃុំ {commune}",
    )


MINISTRY_OFFICE = OfficeRef(
    office_id="ministry:moh",
    level="national",
    kind="ministry",
    name_en="Ministry of Health",
    name_km="ក្រសួងសុខាភិបាល",
    ministry="moh",
)


@dataclass
class Truth:
    """What really happened to one case (the generator's record, not reporting's)."""

    complaint_id: str
    received_at: datetime
    province: str
    district: str
    gender: str
    service: str | None
    extra_fee: int | None
    office: str
    timeline: list[tuple[datetime, str]] = field(default_factory=list)  # (at, status)
    #: (since, office, resolve_by, overall_by): the deadlines routing gave each office
    holdings: list[tuple[datetime, str, datetime, datetime]] = field(default_factory=list)
    acknowledged_at: datetime | None = None
    resolved_at: list[datetime] = field(default_factory=list)
    forwarded_to: dict[str, datetime] = field(default_factory=dict)
    escalated_to: dict[str, datetime] = field(default_factory=dict)
    reopened_at: list[datetime] = field(default_factory=list)
    rating: tuple[datetime, int] | None = None

    def status_at(self, instant: datetime) -> str | None:
        """The status at an instant, from the timeline (None before receipt)."""
        status = None
        for at, s in self.timeline:
            if at < instant:
                status = s
        return status


def generate(n: int, seed: int) -> tuple[list[Event], list[Truth]]:
    """``n`` complaints received 2025-01 to 2026-10 with varied life cycles."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible data set, not a secret
    events: list[Event] = []
    truths: list[Truth] = []
    start = datetime(2025, 1, 1, 2, tzinfo=UTC)
    for _ in range(n):
        cid = str(uuid.UUID(int=rng.getrandbits(128)))
        t = start + timedelta(minutes=rng.randrange(0, 660 * 24 * 60))
        commune = rng.choice(COMMUNES)
        service = rng.choice(list(SERVICES))
        fee = SERVICES[service][0]
        asked = rng.choice([None, None, 10000, 2000]) if service else None
        gender = rng.choice(list(Gender))
        data = SubmittedData(
            kind=rng.choice(list(FeedbackKind)),
            category=rng.choice(list(Category)),
            location=Location(
                province_code=commune[:2], district_code=commune[:4], commune_code=commune
            ),
            service_code=service,
            channel=rng.choice(CHANNELS),
            amount_asked_riel=asked,
            reporter_gender=gender,
            reporter_age_band=rng.choice(list(AgeBand)),
        )
        sub = ComplaintSubmitted.first(
            cid,
            producer="test",
            data=data,
            event_id=uuid.UUID(int=rng.getrandbits(128)),
            occurred_at=t,
        )
        extra = None if asked is None else asked - (fee or 0)
        truth = Truth(cid, t, commune[:2], commune[:4], gender.value, service, extra, "unassigned")
        truth.timeline.append((t, "awaiting_routing"))
        chain: list[Event] = [sub]
        truths.append(truth)
        _life(rng, chain, truth, commune)
        events.extend(chain)
    return events, truths


def _step(rng: random.Random, last: Event, days: float) -> datetime:
    return last.occurred_at + timedelta(hours=rng.uniform(1, 24 * days))


def _life(rng: random.Random, chain: list[Event], truth: Truth, commune: str) -> None:
    cap = datetime(2026, 11, 1, tzinfo=UTC)

    def add(
        cls: type[Event], data: Any, days: float, status: str | None, at: datetime | None = None
    ) -> bool:
        at = at or _step(rng, chain[-1], days)
        if at >= cap:
            return False
        event = cls.caused_by(chain[-1], producer="test", data=data, occurred_at=at)
        chain.append(event)
        if status:
            truth.timeline.append((at, status))
        return True

    if rng.random() < 0.1:
        return  # never routed
    office = _office(commune)
    overall_by = ROUTING_CALENDAR.deadline(truth.received_at, OVERALL_DAYS)

    def deadlines(since: datetime, office_id: str) -> Deadlines:
        resolve_by = ROUTING_CALENDAR.deadline(since, RESOLVE_DAYS)
        truth.holdings.append((since, office_id, resolve_by, overall_by))
        return Deadlines(resolve_by=resolve_by, overall_by=overall_by)

    at = _step(rng, chain[-1], 0.2)
    assigned = AssignedData(
        office=office,
        rule="r",
        explanation_en="e",
        explanation_km="ក",
        directory_version="v",
        deadlines=deadlines(at, office.office_id) if at < cap else None,
    )
    if not add(ComplaintAssigned, assigned, 0.2, "in_progress", at):
        return
    truth.office = office.office_id
    roll = rng.random()
    if roll < 0.1:
        add(ComplaintWithdrawn, CitizenActionData(office_id=office.office_id), 5, "withdrawn")
        return
    if roll < 0.2:
        reason = RejectedData(office_id=office.office_id, reason="out_of_scope")
        add(ComplaintRejected, reason, 5, "rejected")
        return
    if rng.random() < 0.7:
        if not add(
            ComplaintAcknowledged, OfficeActionData(office_id=office.office_id), 6, "in_progress"
        ):
            return
        truth.acknowledged_at = chain[-1].occurred_at
    if rng.random() < 0.15:
        at = _step(rng, chain[-1], 3)
        moved = MovedData(
            from_office=office,
            to_office=MINISTRY_OFFICE,
            reason_en="r",
            reason_km="ក",
            rule="forward",
            directory_version="v",
            deadlines=deadlines(at, MINISTRY_OFFICE.office_id) if at < cap else None,
        )
        if not add(ComplaintForwarded, moved, 3, "in_progress", at):
            return
        truth.forwarded_to.setdefault("moh", chain[-1].occurred_at)
        truth.office = MINISTRY_OFFICE.office_id
    elif rng.random() < 0.2:
        up = OfficeRef(
            office_id=f"district:{commune[:4]}",
            level="district",
            kind="district_ombudsman",
            name_en="District ombudsman",
            name_km="អ្នកសម្រុះសម្រួលស្រុក",
        )
        at = _step(rng, chain[-1], 8)
        esc = EscalatedData(
            from_office=office,
            to_office=up,
            reason_en="r",
            reason_km="ក",
            rule="ladder",
            directory_version="v",
            trigger="resolution_overdue",
            deadlines=deadlines(at, up.office_id) if at < cap else None,
        )
        if not add(ComplaintEscalated, esc, 8, "in_progress", at):
            return
        truth.escalated_to.setdefault("district", chain[-1].occurred_at)
        truth.office = up.office_id
    if rng.random() < 0.3:
        return  # still in progress
    if not add(ComplaintResolved, OfficeActionData(office_id=truth.office), 12, "resolved"):
        return
    truth.resolved_at.append(chain[-1].occurred_at)
    if rng.random() < 0.15:
        reopened = ReopenedData(by=ActorRef(role="citizen"), appeal=False)
        if not add(ComplaintReopened, reopened, 4, "in_progress"):
            return
        truth.reopened_at.append(chain[-1].occurred_at)
        if not add(ComplaintResolved, OfficeActionData(office_id=truth.office), 6, "resolved"):
            return
        truth.resolved_at.append(chain[-1].occurred_at)
    if rng.random() < 0.6:
        how = rng.choice(["confirmed_by_citizen", "auto_closed"])
        if not add(ComplaintClosed, ClosedData(how=how), 5, f"closed:{how}"):
            return
    if rng.random() < 0.5:
        rating = rng.randint(1, 5)
        if add(ComplaintRated, RatedData(rating=rating), 2, None):
            truth.rating = (chain[-1].occurred_at, rating)
