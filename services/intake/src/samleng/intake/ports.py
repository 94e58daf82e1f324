"""What intake's use cases depend on: small protocols, and the ports ``bootstrap`` wires.

The MongoDB adapters (:mod:`samleng.intake.adapters`) implement these protocols; the unit
tests implement them in memory (``services/intake/tests/unit/fakes.py``)::

    service = bootstrap(settings, cases=InMemoryCases())   # any port can be replaced
    service.ports.cases                                    # what the routes hand on
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from samleng.common.auth import TokenVerifier
from samleng.common.events import (
    CaseStatus,
    Event,
    FeedbackKind,
    OfficeRef,
    SealedContact,
    SealedReceipt,
)
from samleng.common.leases import Lease
from samleng.intake.domain.audit import AuditEntry, AuditRecord
from samleng.intake.domain.duplicates import DuplicateRule
from samleng.intake.domain.model import Attachment, Case
from samleng.intake.domain.retention import Erasure
from samleng.intake.domain.social import QueuedMessage, QueueState
from samleng.intake.domain.tracking import TrackingCodeHasher
from samleng.intake.settings import IntakeSettings

if TYPE_CHECKING:
    from samleng.intake.conversations.ports import ConversationDesk

Document = dict[str, Any]
#: One more write inside a case's transaction (an officer's audit entry); it gets the
#: store's session, whatever the store is.
AlsoWrite = Callable[[Any], Awaitable[object]]


class StaleCase(Exception):
    """The case changed since it was read; read it again and retry."""


#: How often a use case reads a case again after StaleCase before it gives up.
MAX_SAVE_ATTEMPTS = 5


class DuplicateCase(Exception):
    """A case with the same id or tracking-code hash already exists."""


class DuplicateSubmission(Exception):
    """Another request with the same idempotency key stored its case first."""


class Cases(Protocol):
    """The case store: cases, their sealed reporter details, idempotency records, outbox."""

    async def add(
        self,
        case: Case,
        event: Event,
        *,
        sealed_reporter: bytes | None = None,
        idempotency: Document | None = None,
        also: AlsoWrite | None = None,
    ) -> None:
        """Store a new case, its first event and ``also`` together (DuplicateCase/Submission)."""

    async def get(self, complaint_id: str) -> Case | None:
        """The case with this id, if any."""

    async def last_written(self, complaint_id: str) -> Case | None:
        """The case as this process last stored it, else as stored: only to change and
        save (it may be older than the stored one; ``save`` then raises StaleCase)."""

    async def by_code_hash(self, code_hash: str) -> Case | None:
        """The case a tracking code belongs to, if any."""

    async def idempotency_record(self, key_hash: str) -> Document | None:
        """The record a former submission with this key left, if it has not expired."""

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
        """Cases submitted in a period (or with these ids), newest first."""

    async def save(self, case: Case) -> None:
        """Replace a case read at ``case.version``; StaleCase if someone saved it since."""

    async def save_with_event(
        self, case: Case, event: Event, *, also: AlsoWrite | None = None
    ) -> None:
        """Save a changed case, its event and ``also`` together; StaleCase as :meth:`save`."""


class Allowance(Protocol):
    """One client's share of an abuse budget (see :mod:`samleng.intake.adapters.budgets`)."""

    async def take(self) -> int | None:
        """Take one unit; seconds to wait (nothing taken) if the share or ceiling is spent."""

    async def give_back(self) -> None:
        """Return a unit that turned out not to count (a look-up that opened a case)."""


class Budget(Protocol):
    """An abuse budget: a share per client (known only by a keyed hash), a shared ceiling."""

    def for_client(self, address: str) -> Allowance:
        """The share of the client at ``address``."""


@dataclass(frozen=True)
class Allowances:
    """One client's shares of the abuse budgets."""

    lookup_misses: Allowance
    submissions: Allowance


@dataclass(frozen=True)
class Budgets:
    """The abuse budgets."""

    lookup_misses: Budget
    submissions: Budget

    def for_client(self, address: str) -> Allowances:
        """The shares of the client at ``address``."""
        return Allowances(
            self.lookup_misses.for_client(address), self.submissions.for_client(address)
        )


class Attachments(Protocol):
    """Attachment bytes, named by a random id."""

    async def put(self, complaint_id: str, data: bytes, now: datetime) -> Attachment:
        """Clean an upload and store it; the returned record names the stored bytes.

        Raises UnacceptableFile if it is not a file intake takes (checked before it is
        decoded) and CleanerBusy if too many files are being cleaned already."""

    async def read(self, attachment_id: str) -> bytes:
        """The stored bytes."""

    async def delete(self, attachment_id: str) -> None:
        """Remove a stored file (when its case could not record it)."""


class Sealer(Protocol):
    """Authenticated encryption of a small record, bound to the record's id."""

    def seal(self, plaintext: bytes, record_id: str) -> bytes:
        """The sealed bytes."""

    def open(self, sealed: bytes, record_id: str) -> bytes:
        """The plaintext; raises if altered or moved to another record."""


class Fingerprinter(Protocol):
    """A keyed hash, to find things without storing them."""

    def of(self, data: bytes) -> str:
        """The fingerprint of the data."""


class ContactSealing(Protocol):
    """Seals a citizen's contact for notification."""

    def seal(self, channel: str, address: str) -> SealedContact:
        """The contact as an event may carry it."""

    def seal_receipt(self, code: str, contact: int) -> SealedReceipt:
        """A tracking code sealed for notification to send to contact number ``contact``."""


@dataclass(frozen=True)
class Keys:
    """Everything intake hashes, encrypts or seals with."""

    hasher: TrackingCodeHasher
    records: Sealer  # reporter details at rest
    codes: Sealer  # tracking codes kept only to answer a retried submission
    fingerprint: Fingerprinter
    contacts: ContactSealing


class Relay(Protocol):
    """The outbox relay: publishes stored events; ``wake`` after a write with events."""

    def wake(self) -> None:
        """Publish soon rather than at the next poll."""

    async def run(self) -> None:
        """Relay until cancelled."""


@dataclass(frozen=True)
class InboxFilter:
    """What an inbox lists: the offices (and, for a partner expert, whole provinces), and
    optional status, kind, service, escalated."""

    offices: tuple[str, ...]
    provinces: tuple[str, ...] = ()
    statuses: tuple[CaseStatus, ...] = ()
    kind: FeedbackKind | None = None
    service_code: str | None = None
    escalated: bool | None = None
    overdue_at: datetime | None = None  # only cases whose next deadline passed before this


@dataclass(frozen=True)
class InboxPage:
    """One page of cases and the cursor of the next page (None on the last)."""

    cases: tuple[Case, ...]
    next_cursor: str | None


class Inbox(Protocol):
    """Offices' inboxes over the case store (read-only)."""

    async def page(
        self, where: InboxFilter, *, limit: int, cursor: str | None, order: str = "submitted"
    ) -> InboxPage:
        """One page of the cases ``where`` selects."""

    async def counts(self, where: InboxFilter) -> dict[str, int]:
        """How many cases per status ``where`` selects (status filter ignored)."""

    async def office_names(self, office_ids: Collection[str]) -> dict[str, OfficeRef]:
        """The offices (names included) as their cases name them; unknown ones left out."""


@dataclass(frozen=True)
class InternalNote:
    """A note one officer leaves for the others working on the case."""

    note_id: str
    complaint_id: str
    at: datetime
    role: str
    office_id: str
    text: str


class InternalNotes(Protocol):
    """Officers' internal notes, apart from the case (no citizen view shows them)."""

    async def add(
        self, complaint_id: str, text: str, *, role: str, office_id: str, now: datetime
    ) -> InternalNote:
        """Append a note."""

    async def for_case(self, complaint_id: str) -> list[InternalNote]:
        """The case's notes, oldest first."""


class AuditLog(Protocol):
    """The hash-chained audit trail of officers' reads and actions."""

    async def record(self, record: AuditRecord) -> AuditEntry:
        """Append one record on its own."""

    async def append(self, session: Any, record: AuditRecord) -> AuditEntry:
        """Append inside the caller's transaction (the ``also`` of a case save)."""

    def entries(
        self,
        *,
        complaint_id: str | None = None,
        subject: str | None = None,
        after_seq: int = 0,
        limit: int = 100,
    ) -> AsyncIterator[AuditEntry]:
        """Entries in chain order after ``after_seq``."""

    def office_entries(
        self,
        offices: Sequence[str],
        *,
        complaint_id: str | None = None,
        subject: str | None = None,
        after_seq: int = 0,
        limit: int = 100,
    ) -> AsyncIterator[AuditEntry]:
        """The trail of ``offices`` (:func:`samleng.intake.domain.access.in_office_trail`):
        entries about cases that are or were with them, or by their staff, never about a
        complaint of their own officials' conduct; chain order after ``after_seq``."""


class RetentionStore(Protocol):
    """Where the retention policy finds closed cases and erases what they no longer need."""

    async def due(self, erasure: Erasure, closed_before: datetime) -> list[str]:
        """Ids of the cases closed before ``closed_before`` whose ``erasure`` is not done."""

    async def erase(self, complaint_id: str, erasure: Erasure, now: datetime) -> int:
        """Erase, count it in the audit trail and mark it done, together; items erased."""

    @property
    def lease(self) -> Lease:
        """The one lease whose holder applies the policy periodically (others wait)."""


class AlreadyDecided(Exception):
    """Another agent filed or dismissed this desk message first."""


class DeskMessages(Protocol):
    """The social-media desk's queue (:mod:`samleng.intake.adapters.desk_messages`)."""

    async def receive(
        self,
        message: QueuedMessage,
        source: str,
        sealed_reply: bytes,
        announce: Event | None = None,
    ) -> bool:
        """Queue a message and ``announce`` it (outbox), together; False if this source
        message was queued before (then nothing is written)."""

    async def waiting(self, desk_id: str, limit: int) -> list[QueuedMessage]:
        """The desk's messages waiting for an agent, oldest first."""

    async def get(self, message_id: str) -> tuple[QueuedMessage, bytes | None] | None:
        """A message and its sealed reply address (None once decided)."""

    def decision(
        self,
        message_id: str,
        state: QueueState,
        now: datetime,
        *,
        complaint_id: str | None = None,
        reason: str | None = None,
        announce: Event | None = None,
    ) -> AlsoWrite:
        """The write that decides a waiting message and stores ``announce`` in the outbox
        (AlreadyDecided if it is not waiting)."""

    async def decide(self, write: AlsoWrite, also: AlsoWrite) -> None:
        """Run a decision and ``also`` (its audit entry) in one transaction."""

    async def monthly(self, desk_id: str, since: datetime) -> list[Document]:
        """Per month since ``since``: messages received, filed as cases, dismissed, expired."""

    async def expire(self, queued_before: datetime, now: datetime) -> int:
        """Erase text and reply address of messages still waiting that reached the queue
        before ``queued_before``; how many (their counts stay)."""


@dataclass(frozen=True)
class DeskPorts:
    """What assisted filing and the social-media desk work with."""

    messages: DeskMessages
    filings: Budget  # a share per agent (keyed by their subject), under a ceiling


class Duplicates(Protocol):
    """The cases a case may duplicate, and the links officers made."""

    async def comparable(self, case: Case, rule: DuplicateRule) -> list[Case]:
        """The open, unlinked cases of the case's office, service and commune within the
        rule's window, before and after it (one indexed query; the domain scores them)."""

    async def linked_to(self, original_id: str) -> list[str]:
        """The ids of the cases linked to ``original_id``."""


@dataclass(frozen=True)
class OfficerDesk:
    """What officers' use cases work with."""

    cases: Cases
    inbox: Inbox
    notes: InternalNotes
    audit: AuditLog
    attachments: Attachments
    #: partner experts' notes to the office (the same shape as internal notes, kept apart)
    partner_notes: InternalNotes
    duplicates: Duplicates
    #: when two cases are likely one problem (the settings' threshold and window)
    duplicate_rule: DuplicateRule = field(default_factory=DuplicateRule)


@dataclass(frozen=True)
class IntakePorts:
    """Everything intake's handlers and routes reach, as ``bootstrap`` wired it."""

    settings: IntakeSettings
    cases: Cases
    keys: Keys
    budgets: Budgets
    attachments: Attachments
    relay: Relay
    officers: OfficerDesk
    #: None when no OIDC settings are given: intake then serves citizens only
    verifier: TokenVerifier | None
    #: None when a test leaves it out: no retention job runs
    retention: RetentionStore | None = None
    #: None when a test leaves it out: the desk routes answer 503
    desk: DeskPorts | None = None
    #: SMS and Telegram conversations (:mod:`samleng.intake.conversations`)
    conversations: ConversationDesk | None = None
