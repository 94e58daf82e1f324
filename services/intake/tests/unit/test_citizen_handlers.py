"""Citizens' use cases with in-memory ports: submit, follow and act by tracking code."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from samleng.common.events import (
    CaseStatus,
    ComplaintSubmitted,
    ComplaintWithdrawn,
    Event,
    Gender,
    InformationProvided,
)
from samleng.intake.citizen.handlers import (
    CaseNotFound,
    IdempotencyConflict,
    LookupsExhausted,
    Retry,
    Submitted,
    act_on_case,
    attach_file,
    find_case,
    submit_feedback,
)
from samleng.intake.domain import citizen
from samleng.intake.domain.citizen import ActionRefused
from samleng.intake.domain.model import Case, Reporter, apply_change, assignment
from samleng.intake.domain.tracking import TrackingCode
from samleng.intake.ports import IntakePorts
from services.intake.tests.unit.fakes import (
    OFFICE,
    SUBMISSION,
    InMemoryAttachments,
    InMemoryBudget,
    InMemoryCases,
    assigned_by_routing,
    fake_ports,
)

pytestmark = pytest.mark.unit


def memory(ports: IntakePorts) -> InMemoryCases:
    assert isinstance(ports.cases, InMemoryCases)
    return ports.cases


def misses(ports: IntakePorts) -> InMemoryBudget:
    assert isinstance(ports.budgets.lookup_misses, InMemoryBudget)
    return ports.budgets.lookup_misses


async def submit(ports: IntakePorts, **options: object) -> Submitted:
    return await submit_feedback(SUBMISSION, ports.cases, ports.keys, **options)  # type: ignore[arg-type]


async def test_a_submission_stores_the_case_with_its_event_and_a_code_that_opens_it() -> None:
    ports = fake_ports()
    reporter = Reporter(contacts=(("sms", "+85512345678"),), gender=Gender.FEMALE)
    submitted = await submit(ports, reporter=reporter)
    cases = memory(ports)
    [event] = cases.outbox
    assert (
        isinstance(event, ComplaintSubmitted) and event.complaint_id == submitted.case.complaint_id
    )
    assert submitted.case.submission.description == "ទារប្រាក់"  # normalised
    assert "+85512345678" not in event.model_dump_json()  # sealed for notification only
    [contact] = event.data.contacts
    assert contact.channel == "sms" and contact.key_id == "test"
    sealed = cases.reporters[submitted.case.complaint_id]
    opened = json.loads(ports.keys.records.open(sealed, submitted.case.complaint_id))
    assert opened["gender"] == "female"
    found = await find_case(submitted.code, ports.cases, ports.keys.hasher, misses(ports))
    assert found.complaint_id == submitted.case.complaint_id and misses(ports).spent == 0


async def test_a_retried_submission_answers_the_first_code_and_a_reused_key_is_refused() -> None:
    ports = fake_ports()
    retry = Retry("key-1", b'{"a": 1}', timedelta(hours=1))
    first = await submit(ports, retry=retry)
    again = await submit(ports, retry=retry)
    assert again.replayed and again.code == first.code and again.case == first.case
    assert len(memory(ports).cases) == 1 and len(memory(ports).outbox) == 1
    with pytest.raises(IdempotencyConflict):
        await submit(ports, retry=Retry("key-1", b'{"a": 2}', timedelta(hours=1)))


async def test_an_unknown_code_spends_the_miss_budget_and_a_spent_budget_refuses_look_ups() -> None:
    ports = fake_ports()
    budget = misses(ports)
    budget.limit = 1
    code = TrackingCode.generate()
    with pytest.raises(CaseNotFound):
        await find_case(code, ports.cases, ports.keys.hasher, budget)
    assert budget.spent == 1
    submitted = await submit(ports)
    with pytest.raises(LookupsExhausted) as refused:  # even a good code waits for the window
        await find_case(submitted.code, ports.cases, ports.keys.hasher, budget)
    assert refused.value.retry_after == 60 and budget.spent == 1


async def test_a_citizen_command_is_stored_with_its_event() -> None:
    ports = fake_ports()
    submitted = await submit(ports)
    now = datetime.now(UTC)
    case = await act_on_case(
        submitted.code,
        ports.cases,
        ports.keys.hasher,
        misses(ports),
        lambda c: citizen.withdraw(c, now),
    )
    assert case.status is CaseStatus.WITHDRAWN
    stored = await ports.cases.get(case.complaint_id)
    assert stored is not None and stored.status is CaseStatus.WITHDRAWN and stored.version == 1
    assert isinstance(memory(ports).outbox[-1], ComplaintWithdrawn)


async def test_a_command_decides_again_when_routing_changed_the_case_meanwhile() -> None:
    ports = fake_ports()
    submitted = await submit(ports)
    submitted_event = memory(ports).outbox[0]
    assert isinstance(submitted_event, ComplaintSubmitted)
    routed = assigned_by_routing(submitted_event)
    # routing's assignment lands right after the command read the case
    stored = memory(ports).cases[submitted.case.complaint_id]
    memory(ports).racing.append(apply_change(stored, assignment(routed)))
    decided_on: list[CaseStatus] = []

    def add_information(case: Case) -> tuple[Case, Event]:
        decided_on.append(case.status)
        return citizen.add_information(case, "more", datetime.now(UTC))

    case = await act_on_case(
        submitted.code, ports.cases, ports.keys.hasher, misses(ports), add_information
    )
    assert decided_on == [CaseStatus.SUBMITTED, CaseStatus.ASSIGNED]
    assert case.office == OFFICE and case.status is CaseStatus.ASSIGNED
    assert isinstance(memory(ports).outbox[-1], InformationProvided)


async def test_an_attachment_the_case_cannot_take_is_removed_again() -> None:
    ports = fake_ports()
    submitted = await submit(ports)
    store = ports.attachments
    assert isinstance(store, InMemoryAttachments)
    case = await attach_file(
        submitted.code, b"photo", ports.cases, ports.keys.hasher, misses(ports), store, 1
    )
    [kept] = case.attachments
    assert store.files == {kept.attachment_id: b"photo"}
    with pytest.raises(ActionRefused):  # one attachment at most
        await attach_file(
            submitted.code, b"another", ports.cases, ports.keys.hasher, misses(ports), store, 1
        )
    assert store.files == {kept.attachment_id: b"photo"}
