"""In-memory ports of intake (:mod:`samleng.intake.ports`), for unit tests of its handlers.

They keep the promises the MongoDB adapters keep and the handlers rely on: a save checks
the version read (``StaleCase``), a case, its event and its ``also`` write land together
or not at all, a duplicate code or idempotency key is refused. ``fake_ports()`` wires
them into an ``IntakePorts``, as ``bootstrap`` does with the real ones::

    ports = fake_ports()
    await HANDLERS.bind(ports)(assigned)
    assert (await ports.cases.get(case_id)).office == OFFICE
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cryptography.fernet import Fernet

from samleng.common.events import (
    AssignedData,
    CaseStatus,
    Category,
    ComplaintAssigned,
    ComplaintSubmitted,
    Deadlines,
    Event,
    FeedbackKind,
    Location,
    OfficeRef,
)
from samleng.intake.adapters.crypto import ContactSealer, Fingerprint, SealedBox, derive_key
from samleng.intake.adapters.inbox import InvalidCursor
from samleng.intake.app import conversation_desk
from samleng.intake.domain.access import in_office_trail
from samleng.intake.domain.audit import GENESIS, AuditEntry, AuditRecord, chain
from samleng.intake.domain.duplicates import DuplicateRule
from samleng.intake.domain.model import Attachment, Case, Submission, open_case
from samleng.intake.domain.tracking import TrackingCodeHasher
from samleng.intake.ports import (
    AlsoWrite,
    Budgets,
    DeskPorts,
    Document,
    DuplicateCase,
    DuplicateSubmission,
    InboxFilter,
    InboxPage,
    IntakePorts,
    InternalNote,
    Keys,
    OfficerDesk,
    StaleCase,
)
from samleng.intake.settings import IntakeSettings
from services.intake.tests.unit.conversation_fakes import InMemoryConversations
from services.intake.tests.unit.desk_fakes import InMemoryDeskMessages


@dataclass
class InMemoryCases:
    """Cases, sealed reporters, idempotency records and the outbox, in dictionaries."""

    cases: dict[str, Case] = field(default_factory=dict)
    reporters: dict[str, bytes] = field(default_factory=dict)
    idempotency: dict[str, Document] = field(default_factory=dict)
    outbox: list[Event] = field(default_factory=list)
    saves: int = 0
    #: a case another writer saves right after the next read of it (a race, on purpose)
    racing: list[Case] = field(default_factory=list)

    async def add(
        self,
        case: Case,
        event: Event,
        *,
        sealed_reporter: bytes | None = None,
        idempotency: Document | None = None,
        also: AlsoWrite | None = None,
    ) -> None:
        """Store a new case and its first event together (``also`` runs first, sessionless)."""
        if also is not None:
            await also(None)
        if idempotency is not None and idempotency["_id"] in self.idempotency:
            raise DuplicateSubmission(idempotency["_id"])
        if case.complaint_id in self.cases or any(
            c.code_hash == case.code_hash for c in self.cases.values()
        ):
            raise DuplicateCase(case.complaint_id)
        if idempotency is not None:
            self.idempotency[idempotency["_id"]] = idempotency
        if sealed_reporter is not None:
            self.reporters[case.complaint_id] = sealed_reporter
        self.cases[case.complaint_id] = case
        self.outbox.append(event)

    async def get(self, complaint_id: str) -> Case | None:
        """The case with this id, if any (another writer may save it right after)."""
        found = self.cases.get(complaint_id)
        if found is not None and self.racing and self.racing[0].complaint_id == complaint_id:
            raced = self.racing.pop(0)
            self.cases[complaint_id] = replace(raced, version=found.version + 1)
        return found

    async def last_written(self, complaint_id: str) -> Case | None:
        """As stored: the fake keeps no copies of its own."""
        return await self.get(complaint_id)

    async def by_code_hash(self, code_hash: str) -> Case | None:
        """The case a tracking code belongs to, if any."""
        found = next((c for c in self.cases.values() if c.code_hash == code_hash), None)
        return await self.get(found.complaint_id) if found else None

    async def idempotency_record(self, key_hash: str) -> Document | None:
        """The record a former submission with this key left."""
        return self.idempotency.get(key_hash)

    async def recent(
        self,
        *,
        since: datetime,
        until: datetime,
        service_code: str | None = None,
        statuses: tuple[CaseStatus, ...] = (),
        ids: tuple[str, ...] = (),
        limit: int = 200,
    ) -> list[Case]:
        """Cases of a period (or with these ids), newest first."""
        found = [
            c
            for c in self.cases.values()
            if (c.complaint_id in ids if ids else since <= c.submitted_at <= until)
            and (service_code is None or c.submission.service_code == service_code)
            and (not statuses or c.status in statuses)
        ]
        return sorted(found, key=lambda c: c.submitted_at, reverse=True)[:limit]

    async def save(self, case: Case) -> None:
        """Replace a case read at ``case.version``; StaleCase if it was saved since."""
        self._check(case)
        self._store(case)

    async def save_with_event(
        self, case: Case, event: Event, *, also: AlsoWrite | None = None
    ) -> None:
        """Save a case, its event and ``also`` together (nothing if ``also`` fails)."""
        self._check(case)
        if also is not None:
            await also(None)
        self._store(case)
        self.outbox.append(event)

    def _check(self, case: Case) -> None:
        current = self.cases.get(case.complaint_id)
        if current is None or current.version != case.version:
            raise StaleCase(case.complaint_id)

    def _store(self, case: Case) -> None:
        self.cases[case.complaint_id] = replace(case, version=case.version + 1)
        self.saves += 1


@dataclass
class InMemoryBudget:
    """A budget of ``limit`` takes in one window that never ends, one share for all clients."""

    limit: int = 1000
    spent: int = 0
    retry_after: int = 60

    def for_client(self, address: str) -> InMemoryBudget:
        """Every client shares this one budget."""
        return self

    async def take(self) -> int | None:
        """Take one; ``retry_after`` (nothing taken) once the budget is spent."""
        if self.spent >= self.limit:
            return self.retry_after
        self.spent += 1
        return None

    async def give_back(self) -> None:
        """Return one."""
        self.spent -= 1


@dataclass
class InMemoryAttachments:
    """Attachment bytes by id (stored as sent: cleaning is the real store's business)."""

    files: dict[str, bytes] = field(default_factory=dict)

    async def put(self, complaint_id: str, data: bytes, now: datetime) -> Attachment:
        """Store the bytes under a random id."""
        attachment_id = uuid.uuid4().hex
        self.files[attachment_id] = data
        return Attachment(attachment_id, "image/png", len(data), now)

    async def read(self, attachment_id: str) -> bytes:
        """The stored bytes."""
        return self.files[attachment_id]

    async def delete(self, attachment_id: str) -> None:
        """Remove a stored file."""
        self.files.pop(attachment_id, None)


@dataclass
class InMemoryAuditLog:
    """A hash-chained audit trail in a list."""

    key: bytes = b"k" * 32
    log: list[AuditEntry] = field(default_factory=list)

    async def record(self, record: AuditRecord) -> AuditEntry:
        """Append one record."""
        return await self.append(None, record)

    async def append(self, session: Any, record: AuditRecord) -> AuditEntry:
        """Append one record (the session is the fake case store's, i.e. None)."""
        prev = self.log[-1].hash if self.log else GENESIS
        entry = chain(len(self.log) + 1, record, prev, self.key)
        self.log.append(entry)
        return entry

    async def entries(
        self,
        *,
        complaint_id: str | None = None,
        subject: str | None = None,
        after_seq: int = 0,
        limit: int = 100,
    ) -> AsyncIterator[AuditEntry]:
        """Entries in chain order after ``after_seq``."""
        found = [
            e
            for e in self.log
            if e.seq > after_seq
            and (complaint_id is None or e.record.complaint_id == complaint_id)
            and (subject is None or e.record.subject == subject)
        ]
        for entry in found[:limit]:
            yield entry

    async def office_entries(
        self,
        offices: Sequence[str],
        *,
        complaint_id: str | None = None,
        subject: str | None = None,
        after_seq: int = 0,
        limit: int = 100,
    ) -> AsyncIterator[AuditEntry]:
        """The offices' trail; their cases are those their staff worked on (no case store
        here, so no conduct case either)."""
        worked_on = {
            e.record.complaint_id
            for e in self.log
            if e.record.office_id in offices and not e.record.action.endswith(".refused")
        }
        async for entry in self.entries(
            complaint_id=complaint_id, subject=subject, after_seq=after_seq, limit=len(self.log)
        ):
            record = entry.record
            if in_office_trail(
                record.complaint_id,
                record.office_id,
                offices=offices,
                office_cases={c for c in worked_on if c},
                conduct_cases=(),
            ):
                if limit <= 0:
                    return
                limit -= 1
                yield entry

    @property
    def actions(self) -> list[str]:
        """The actions recorded, in order."""
        return [e.record.action for e in self.log]


@dataclass
class InMemoryNotes:
    """Internal notes in a list."""

    notes: list[InternalNote] = field(default_factory=list)

    async def add(
        self, complaint_id: str, text: str, *, role: str, office_id: str, now: datetime
    ) -> InternalNote:
        """Append a note."""
        note = InternalNote(uuid.uuid4().hex, complaint_id, now, role, office_id, text)
        self.notes.append(note)
        return note

    async def for_case(self, complaint_id: str) -> list[InternalNote]:
        """The case's notes, oldest first."""
        return [n for n in self.notes if n.complaint_id == complaint_id]


@dataclass
class InMemoryInbox:
    """Inboxes over an in-memory case store (oldest first; the cursor is an offset)."""

    cases: InMemoryCases

    def _selected(self, where: InboxFilter, *, with_status: bool = True) -> list[Case]:
        return sorted(
            (
                c
                for c in self.cases.cases.values()
                if (
                    (c.office is not None and c.office.office_id in where.offices)
                    or c.submission.location.province_code in where.provinces
                )
                and (not with_status or not where.statuses or c.status in where.statuses)
            ),
            key=lambda c: (c.submitted_at, c.complaint_id),
        )

    async def page(
        self, where: InboxFilter, *, limit: int, cursor: str | None, order: str = "submitted"
    ) -> InboxPage:
        """One page of the selected cases (a cursor not made here is refused, as the real
        inbox refuses one it did not make)."""
        if cursor and not cursor.isdigit():
            raise InvalidCursor(cursor)
        start = int(cursor or 0)
        found = self._selected(where)
        more = start + limit < len(found)
        return InboxPage(tuple(found[start : start + limit]), str(start + limit) if more else None)

    async def counts(self, where: InboxFilter) -> dict[str, int]:
        """How many selected cases per status (the status filter ignored)."""
        counted = {status.value: 0 for status in CaseStatus}
        for case in self._selected(where, with_status=False):
            counted[case.status.value] += 1
        return counted

    async def office_names(self, office_ids: Collection[str]) -> dict[str, OfficeRef]:
        """The offices as their cases name them."""
        return {
            c.office.office_id: c.office
            for c in self.cases.cases.values()
            if c.office is not None and c.office.office_id in office_ids
        }


@dataclass
class InMemoryDuplicates:
    """Comparable cases and links over an in-memory case store."""

    cases: InMemoryCases

    async def comparable(self, case: Case, rule: DuplicateRule) -> list[Case]:
        """Every other case: the domain's rule selects (the adapter's query narrows first)."""
        return [c for c in self.cases.cases.values() if c.complaint_id != case.complaint_id]

    async def linked_to(self, original_id: str) -> list[str]:
        """The ids of the cases linked to ``original_id``."""
        return [c.complaint_id for c in self.cases.cases.values() if c.linked_to == original_id]


@dataclass
class CountingRelay:
    """A relay that only counts how often it was woken."""

    woken: int = 0

    def wake(self) -> None:
        """Count a wake-up."""
        self.woken += 1

    async def run(self) -> None:
        """Nothing to relay."""


_SECRET = "unit-test-secret-" + "x" * 32
_FERNET = Fernet.generate_key().decode()


def unit_settings(**overrides: Any) -> IntakeSettings:
    """Settings good for a unit test (nothing connects)."""
    values: dict[str, Any] = {
        "environment": "test",
        "tracking_code_key": _SECRET,
        "encryption_key": _SECRET,
        "contact_sealing_key": _FERNET,
        "facebook_app_secret": "unit-test-app-secret",
        "facebook_verify_token": "unit-test-verify-token",
        **overrides,
    }
    return IntakeSettings(**values)


def unit_keys() -> Keys:
    """Real keys derived from a test secret (cheap, and they must really seal)."""
    return Keys(
        hasher=TrackingCodeHasher(_SECRET.encode()),
        records=SealedBox(derive_key(_SECRET, "reporter-details")),
        codes=SealedBox(derive_key(_SECRET, "idempotent-tracking-codes")),
        fingerprint=Fingerprint(derive_key(_SECRET, "fingerprints")),
        contacts=ContactSealer("test", _FERNET),
    )


def fake_ports(**overrides: Any) -> IntakePorts:
    """Every port of intake in memory, wired as ``bootstrap`` wires the real ones."""
    cases = InMemoryCases()
    attachments = InMemoryAttachments()
    settings = unit_settings(**overrides)
    return IntakePorts(
        settings=settings,
        cases=cases,
        keys=unit_keys(),
        budgets=Budgets(lookup_misses=InMemoryBudget(), submissions=InMemoryBudget()),
        attachments=attachments,
        relay=CountingRelay(),
        officers=OfficerDesk(
            cases=cases,
            inbox=InMemoryInbox(cases),
            notes=InMemoryNotes(),
            partner_notes=InMemoryNotes(),
            audit=InMemoryAuditLog(),
            attachments=attachments,
            duplicates=InMemoryDuplicates(cases),
        ),
        verifier=None,
        desk=DeskPorts(messages=InMemoryDeskMessages(), filings=InMemoryBudget()),
        conversations=conversation_desk(settings, InMemoryConversations()),
    )


def desk_ports(per_agent: int = 1000) -> IntakePorts:
    """Intake's ports in memory, with a filing budget of ``per_agent`` for everyone."""
    ports = fake_ports()
    assert ports.desk is not None
    return replace(ports, desk=replace(ports.desk, filings=InMemoryBudget(limit=per_agent)))


# Samples the unit tests share: an office, a submission, and routing's assignment.

OFFICE = OfficeRef(
    office_id="commune:170201", level="commune", kind="commune_office", name_en="A", name_km="ក"
)
SUBMISSION = Submission(
    kind=FeedbackKind.COMPLAINT,
    category=Category.EXTRA_FEE,
    location=Location(province_code="17", district_code="1702", commune_code="170201"),
    description=" ទារប្រាក់ ",
)


async def submitted_case(ports: IntakePorts, now: datetime) -> tuple[Case, ComplaintSubmitted]:
    """A new case, stored with its event as a citizen's submission stores it."""
    case, event = open_case(SUBMISSION, f"hash-{uuid.uuid4().hex}", now)
    await ports.cases.add(case, event)
    return case, event


def assigned_by_routing(
    cause: Event, *, office: OfficeRef = OFFICE, deadlines: Deadlines | None = None
) -> ComplaintAssigned:
    """Routing's decision that ``office`` handles the case."""
    data = AssignedData(
        office=office,
        rule="commune-office",
        explanation_en="e",
        explanation_km="ក",
        directory_version="v",
        deadlines=deadlines,
    )
    return ComplaintAssigned.caused_by(cause, producer="routing", data=data)
