"""One record per complaint, folded from the complete set of its events. Pure: no I/O.

The record is a function of the *set* of events only: events are sorted by ``sequence``
(then time and id) before folding, and a duplicate adds nothing to a set. So duplicates,
any delivery order and a replay of the archive all give the same record.

Events mostly arrive in order, so a record is usually extended by one event
(:func:`with_event`), which gives exactly the record a full fold would: the record lists
the events it folded and where the last one stands. An event older than the last one
folded (or a record that does not list its events) needs the full fold of the history::

    record = with_event(stored, event) or fold(complaint_id, archive_of_the_complaint)
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from samleng.common.events import (
    ComplaintAcknowledged,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintForwarded,
    ComplaintLinked,
    ComplaintRated,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintSubmitted,
    ComplaintTransferred,
    ComplaintUnlinked,
    ComplaintWithdrawn,
    Deadlines,
    DeadlinesChanged,
    Event,
    InformationProvided,
    InformationRequested,
    OfficeRef,
)
from samleng.common.events.status import STATUS_GROUP, CaseStatus, StatusGroup
from samleng.common.reference import service_catalogue
from samleng.common.reference.catalogue import UnknownService

#: The stages a case is counted in while an office still works on it, and once answered.
UNFINISHED = frozenset({StatusGroup.AWAITING_ROUTING, StatusGroup.IN_PROGRESS})
RESOLVED_OR_CLOSED = frozenset({StatusGroup.RESOLVED, StatusGroup.CLOSED})
#: The stage of a case closed because the citizen never answered the office's question:
#: closed, but not resolved (counted with the cases that ended otherwise).
CLOSED_NO_REPLY = "closed_no_reply"
#: The form of a stored record; a record of an older form is refolded from the archive
#: on its next event (2: office holdings with their deadlines, no-reply closures).
RECORD_FORM = 2


def level_of(office: OfficeRef) -> str:
    """The level a figure counts an office in, as the directory has them: commune,
    district, province, ministry, district_ombudsman, provincial_ombudsman, national_team."""
    if "ombudsman" in office.kind or office.kind == "national_team":
        return office.kind
    if office.kind == "ministry":
        return "ministry"
    return office.level


#: Reporting's fold rules: the status each event puts a case in (in the shared vocabulary;
#: the record keeps its stage, ``STATUS_GROUP[status]``). Events not named here (a rating,
#: a deadline warning, a request to routing) leave the status as it was.
STATUS_AFTER: dict[type[Event], CaseStatus] = {
    ComplaintSubmitted: CaseStatus.SUBMITTED,
    # routing's moves and the office's actions put the case (back) in an office's hands
    ComplaintAssigned: CaseStatus.ASSIGNED,
    ComplaintForwarded: CaseStatus.ASSIGNED,
    ComplaintTransferred: CaseStatus.ASSIGNED,
    ComplaintEscalated: CaseStatus.ASSIGNED,
    ComplaintAcknowledged: CaseStatus.ACKNOWLEDGED,
    InformationRequested: CaseStatus.INFORMATION_REQUESTED,
    InformationProvided: CaseStatus.ACKNOWLEDGED,
    ComplaintReopened: CaseStatus.REOPENED,
    ComplaintResolved: CaseStatus.RESOLVED,
    ComplaintClosed: CaseStatus.CLOSED,
    ComplaintRejected: CaseStatus.REJECTED,
    ComplaintWithdrawn: CaseStatus.WITHDRAWN,
}


@dataclass
class CaseRecord:
    """What reporting knows of one complaint; ``received_at`` is None until its submission."""

    complaint_id: str
    n_events: int = 0
    received_at: datetime | None = None
    kind: str | None = None
    category: str | None = None
    service_code: str | None = None
    channel: str | None = None
    #: the office the citizen named, and whether the complaint is about its officials' conduct
    about_office_id: str | None = None
    about_conduct: bool = False
    gender: str | None = None
    age_band: str | None = None
    province: str | None = None
    district: str | None = None
    commune: str | None = None
    extra_fee_riel: int | None = None
    service_rating: int | None = None
    office_id: str | None = None
    office_name_en: str | None = None
    office_name_km: str | None = None
    status: str | None = None
    closed_how: str | None = None
    # (instant, status) in the causal order of the events that changed the status
    transitions: list[tuple[datetime, str]] = field(default_factory=list)
    acknowledged_at: datetime | None = None  # the first acknowledgement
    resolutions: list[datetime] = field(default_factory=list)
    resolve_by: datetime | None = None  # routing's latest resolution deadline
    #: (since, office id, level, resolve_by, overall_by): who held the case from when, and
    #: the deadlines routing gave them (assigned, moves, deadlines changed), causal order
    holdings: list[tuple[datetime, str, str, datetime | None, datetime | None]] = field(
        default_factory=list
    )
    forwards: list[tuple[datetime, str]] = field(default_factory=list)  # (when, ministry)
    escalations: list[tuple[datetime, str]] = field(default_factory=list)  # (when, level)
    reopenings: list[datetime] = field(default_factory=list)
    ratings: list[tuple[datetime, int]] = field(default_factory=list)
    #: the original report of the same problem this case follows (an office linked them)
    linked_to: str | None = None
    last_event_at: datetime | None = None
    #: the ids of the events folded, in causal order, and the causal key of the last one
    folded: list[str] = field(default_factory=list)
    last_folded: tuple[int, int, str] | None = None
    form: int = RECORD_FORM

    def to_document(self) -> dict[str, Any]:
        """The record as a MongoDB document keyed by complaint id."""
        doc = asdict(self)
        doc["_id"] = doc.pop("complaint_id")
        for key in _PAIRS:
            doc[key] = [list(pair) for pair in doc[key]]
        if self.last_folded is not None:
            doc["last_folded"] = list(self.last_folded)
        return doc

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> CaseRecord:
        """Read a record back from its document."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in doc.items() if k in known and k != "complaint_id"}
        values.setdefault("form", 1)  # stored before records had a form
        for key in _PAIRS:
            values[key] = [tuple(pair) for pair in values.get(key, [])]
        if values.get("last_folded") is not None:
            values["last_folded"] = tuple(values["last_folded"])
        return cls(complaint_id=doc["_id"], **values)

    def status_at(self, instant: datetime) -> str | None:
        """The status the case had at this instant (None if it had not been received)."""
        if self.received_at is None or self.received_at >= instant:
            return None
        current: str | None = None
        for at, status in self.transitions:
            if at < instant:
                current = status
        return current

    def held_by(self, instant: datetime) -> tuple[str, str] | None:
        """The office (id, level) that held the case at this instant, if any."""
        held = None
        for since, office_id, level, *_ in self.holdings:
            if since <= instant:
                held = (office_id, level)
        return held


_PAIRS = ("transitions", "forwards", "escalations", "ratings", "holdings")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def causal_key(event: Event) -> tuple[int, int, str]:
    """Where an event stands in its complaint's history: sequence, then time, then id
    (the time in microseconds, which a stored record keeps exactly)."""
    micros = (event.occurred_at - _EPOCH) // timedelta(microseconds=1)
    return (event.sequence, micros, str(event.event_id))


def fold(complaint_id: str, events: Iterable[Event]) -> CaseRecord:
    """The record of one complaint from all of its events (duplicates ignored)."""
    unique = {event.event_id: event for event in events if event.complaint_id == complaint_id}
    record = CaseRecord(complaint_id=complaint_id)
    for event in sorted(unique.values(), key=causal_key):
        _fold_in(record, event)
    return record


def with_event(record: CaseRecord | None, event: Event) -> CaseRecord | None:
    """The record with one more event folded in: the record a full fold gives, when the
    event comes after every event folded so far (the record itself when it folded it
    already). None when only a full fold places the event right: it is older than the
    last event folded, or the record does not list the events it folded."""
    if record is None:
        record = CaseRecord(complaint_id=event.complaint_id)
    if str(event.event_id) in record.folded:
        return record
    if len(record.folded) != record.n_events or record.form != RECORD_FORM:
        return None  # stored before records listed their events, or of an older form
    if record.last_folded is not None and causal_key(event) < record.last_folded:
        return None
    extended = copy.deepcopy(record)
    _fold_in(extended, event)
    return extended


def _fold_in(record: CaseRecord, event: Event) -> None:
    _apply(record, event)
    record.folded.append(str(event.event_id))
    record.n_events += 1
    record.last_folded = causal_key(event)


def _set_status(record: CaseRecord, event: Event, status: CaseStatus) -> None:
    stage = STATUS_GROUP[status].value
    record.status = stage
    if isinstance(event, ComplaintClosed) and event.data.reason == "no_reply":
        stage = CLOSED_NO_REPLY  # closed, not resolved: the stage figures count it in
    record.transitions.append((event.occurred_at, stage))


def _apply(record: CaseRecord, event: Event) -> None:
    at = event.occurred_at
    record.last_event_at = max(filter(None, (record.last_event_at, at)))
    if isinstance(event, ComplaintSubmitted):
        _apply_submitted(record, event)
        # A submission seen after later events must not undo them.
        if record.status is None:
            _set_status(record, event, CaseStatus.SUBMITTED)
        else:
            record.transitions.insert(0, (at, STATUS_GROUP[CaseStatus.SUBMITTED].value))
        return
    if isinstance(event, ComplaintAssigned | DeadlinesChanged):
        _take_office(record, event, event.data.office, event.data.deadlines)
    elif isinstance(event, ComplaintForwarded | ComplaintTransferred | ComplaintEscalated):
        _take_office(record, event, event.data.to_office, event.data.deadlines)
        if isinstance(event, ComplaintForwarded):
            record.forwards.append((at, event.data.to_office.ministry or "unknown"))
        if isinstance(event, ComplaintEscalated):
            record.escalations.append((at, event.data.to_office.level))
    if isinstance(event, ComplaintAcknowledged) and record.acknowledged_at is None:
        record.acknowledged_at = at
    if isinstance(event, ComplaintReopened):
        record.reopenings.append(at)
    if isinstance(event, ComplaintResolved):
        record.resolutions.append(at)
    elif isinstance(event, ComplaintClosed):
        record.closed_how = event.data.how
    elif isinstance(event, ComplaintRated):
        record.ratings.append((at, event.data.rating))
    elif isinstance(event, ComplaintLinked):
        record.linked_to = event.data.original_id
    elif isinstance(event, ComplaintUnlinked):
        record.linked_to = None
    status = STATUS_AFTER.get(type(event))
    if status is not None:
        _set_status(record, event, status)


def _apply_submitted(record: CaseRecord, event: ComplaintSubmitted) -> None:
    data = event.data
    record.received_at = event.occurred_at
    record.kind = data.kind.value
    record.category = data.category.value
    record.service_code = data.service_code
    record.channel = data.channel
    record.about_office_id = data.about_office_id
    record.about_conduct = data.about_office_conduct
    record.gender = data.reporter_gender.value if data.reporter_gender else None
    record.age_band = data.reporter_age_band.value if data.reporter_age_band else None
    record.province = data.location.province_code
    record.district = data.location.district_code
    record.commune = data.location.commune_code
    record.service_rating = data.service_rating
    official_fee = data.official_fee_riel
    if data.service_code:
        try:
            service = service_catalogue().service(data.service_code)
        except UnknownService:
            service = None
        if service is not None and official_fee is None:
            official_fee = service.official_fee_riel
    if data.amount_asked_riel is not None:
        record.extra_fee_riel = data.amount_asked_riel - (official_fee or 0)


def _take_office(
    record: CaseRecord, event: Event, office: OfficeRef, deadlines: Deadlines | None
) -> None:
    record.office_id = office.office_id
    record.office_name_en = office.name_en
    record.office_name_km = office.name_km
    resolve_by = deadlines.resolve_by if deadlines else None
    overall_by = deadlines.overall_by if deadlines else None
    if resolve_by is not None:
        record.resolve_by = resolve_by
    since = event.occurred_at
    record.holdings.append((since, office.office_id, level_of(office), resolve_by, overall_by))
