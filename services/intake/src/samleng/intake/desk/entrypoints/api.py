"""The desk API: agents file for citizens and work the social-media queue.

Every route needs a desk agent's token naming the desk (``samleng_desks``). The answer
to a filing is the only place the tracking code ever appears; the agent cannot read the
case afterwards (the officer API answers 404 unless they are also an officer of the
office it is routed to).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from samleng.common.auth import Principal
from samleng.common.officers import SignedInFirst
from samleng.intake.desk.entrypoints.schemas import (
    DeskFiling,
    DeskMonth,
    DeskReceipt,
    Dismissal,
    MessageFiling,
    QueuedMessageView,
)
from samleng.intake.desk.handlers import (
    Filed,
    FilingsExhausted,
    MessageNotFound,
    dismiss_message,
    file_for_citizen,
    file_message,
    waiting_text,
)
from samleng.intake.domain.desks import (
    Desk,
    DeskKind,
    NotADeskAgent,
    desk_of,
    files_against_its_own_office,
)
from samleng.intake.domain.model import Reporter, Submission
from samleng.intake.entrypoints.deps import CurrentOfficer, PortsDep
from samleng.intake.entrypoints.forms import to_submission
from samleng.intake.entrypoints.problems import documented, problem, refusals, too_many
from samleng.intake.entrypoints.schemas import Bilingual
from samleng.intake.ports import AlreadyDecided, DeskPorts, IntakePorts

router = APIRouter(prefix="/v1/desk", tags=["desk"], route_class=SignedInFirst)


@contextlib.contextmanager
def desk_refusals() -> Iterator[None]:
    """Map the desk's refusals to problems that say what to do."""
    try:
        with refusals():
            yield
    except NotADeskAgent as exc:
        raise problem(
            403,
            "not-a-desk-agent",
            en=f"Only a desk agent may do this at their desk: {exc}.",
            km="មានតែភ្នាក់ងារបញ្ជរប៉ុណ្ណោះដែលអាចធ្វើការនេះនៅបញ្ជររបស់ខ្លួន។",
        ) from None
    except FilingsExhausted as exc:
        raise too_many(exc.retry_after) from None
    except (MessageNotFound, AlreadyDecided):
        raise problem(
            404,
            "message-not-found",
            en="No message with this id waits in your desk's queue (another agent may have "
            "handled it). Reload the queue.",
            km="គ្មានសារដែលមានលេខសម្គាល់នេះរង់ចាំក្នុងជួររបស់បញ្ជរអ្នកទេ។ សូមផ្ទុកជួរឡើងវិញ។",
        ) from None


def _desk_ports(ports: IntakePorts) -> DeskPorts:
    if ports.desk is None:
        raise problem(
            503,
            "desk-not-configured",
            en="Desk filing is not set up on this server.",
            km="ការដាក់ពាក្យតាមបញ្ជរមិនទាន់បានរៀបចំនៅលើម៉ាស៊ីនមេនេះទេ។",
        )
    return ports.desk


def _receipt(filed: Filed, desk: Desk) -> DeskReceipt:
    r = filed.receipt
    return DeskReceipt(
        tracking_code=r.tracking_code,
        complaint_status=filed.case.status.value,
        desk=desk.desk_id,
        desk_name=Bilingual(en=r.desk_en, km=r.desk_km),
        notes=[Bilingual(en=en, km=km) for en, km in zip(r.notes_en, r.notes_km, strict=True)],
        to_ombudsman=files_against_its_own_office(desk, filed.case.submission),
    )


def _submission(
    body: DeskFiling, desk: Desk, max_description: int, description: str | None = None
) -> tuple[Submission, Reporter]:
    form = body.form(
        language=body.language,
        channel=desk.kind.value,
        contacts=(("sms", body.sms_number),) if body.sms_number else (),
        contact_fields=("sms_number",),
    )
    if description is not None:
        form = replace(form, description=description)
    return to_submission(form, max_description=max_description)


@router.post(
    "/complaints",
    status_code=status.HTTP_201_CREATED,
    response_model=DeskReceipt,
    responses=documented(401, 403, 422, 429, 503),
    summary="File a case for a citizen at your desk; the code is shown this once",
)
async def file(
    body: DeskFiling, agent: CurrentOfficer, ports: PortsDep, response: Response
) -> DeskReceipt:
    """Validate, store the case with its audit entry, answer the receipt."""
    response.headers["Cache-Control"] = "no-store"
    with desk_refusals():
        desk = desk_of(agent, body.desk)
        _desk_ports(ports)
        submission, reporter = _submission(body, desk, ports.settings.max_description_length)
        filed = await file_for_citizen(submission, reporter, desk, agent, ports)
    return _receipt(filed, desk)


def _social_desk(agent: Principal, requested: str | None) -> Desk:
    return desk_of(agent, requested, kind=DeskKind.SOCIAL_MEDIA)


@router.get(
    "/messages",
    response_model=list[QueuedMessageView],
    responses=documented(401, 403, 503),
    summary="The social-media desk's queue, oldest first",
)
async def queue(
    agent: CurrentOfficer,
    ports: PortsDep,
    desk: Annotated[str | None, Query(max_length=96)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[QueuedMessageView]:
    """Messages waiting for an agent of the desk."""
    with desk_refusals():
        found = _social_desk(agent, desk)
        waiting = await _desk_ports(ports).messages.waiting(found.desk_id, limit)
    return [
        QueuedMessageView(
            message_id=m.message_id,
            kind=m.kind,
            text=m.text,
            received_at=m.received_at,
            sender=m.sender_key[:10],
        )
        for m in waiting
    ]


@router.post(
    "/messages/{message_id}/case",
    status_code=status.HTTP_201_CREATED,
    response_model=DeskReceipt,
    responses=documented(401, 403, 404, 422, 429, 503),
    summary="Turn a queued message into a case; the sender becomes its reply contact",
)
async def file_from_message(
    message_id: str, body: MessageFiling, agent: CurrentOfficer, ports: PortsDep, response: Response
) -> DeskReceipt:
    """File the message (its text unless the agent rewrote it) for its sender."""
    response.headers["Cache-Control"] = "no-store"
    with desk_refusals():
        desk = _social_desk(agent, body.desk)
        _desk_ports(ports)
        text = body.description or await waiting_text(message_id, desk, ports)
        submission, _ = _submission(body, desk, ports.settings.max_description_length, text)
        filed = await file_message(message_id, submission, desk, agent, ports)
    return _receipt(filed, desk)


@router.post(
    "/messages/{message_id}/dismissal",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(401, 403, 404, 422, 503),
    summary="Dismiss a queued message, with a reason (audited)",
)
async def dismiss(
    message_id: str,
    body: Dismissal,
    agent: CurrentOfficer,
    ports: PortsDep,
    desk: Annotated[str | None, Query(max_length=96)] = None,
) -> None:
    """Dismiss the message; its text and reply address are erased."""
    with desk_refusals():
        found = _social_desk(agent, desk)
        await dismiss_message(message_id, body.reason, found, agent, ports, body.category)


@router.get(
    "/figures",
    response_model=list[DeskMonth],
    responses=documented(401, 403, 503),
    summary="The social-media desk's months: messages received, filed as cases, dismissed",
)
async def figures(
    agent: CurrentOfficer,
    ports: PortsDep,
    desk: Annotated[str | None, Query(max_length=96)] = None,
) -> list[DeskMonth]:
    """The last twelve months of the desk's queue."""
    with desk_refusals():
        found = _social_desk(agent, desk)
        since = datetime.now(UTC) - timedelta(days=366)
        months = await _desk_ports(ports).messages.monthly(found.desk_id, since)
    return [
        DeskMonth(
            month=m["_id"],
            received=m["received"],
            filed=m["filed"],
            dismissed=m["dismissed"],
            expired=m.get("expired", 0),
        )
        for m in months
    ]
