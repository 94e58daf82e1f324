"""The admin API: officers who receive each office's alerts, and the delivery log.

Every route needs ``Authorization: Bearer <SAMLENG_ADMIN_TOKEN>``. Until officers sign
in (issue 5), admins manage recipients here or with the CLI; officers will then choose
their own channels.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from samleng.common.http import Problem
from samleng.notification.domain.delivery import Delivery, DeliveryState, Endpoint, Recipient
from samleng.notification.entrypoints.deps import (
    DeliveriesDep,
    PortsDep,
    RecipientsDep,
)
from samleng.notification.handlers import send_digests


class EndpointBody(BaseModel):
    """A channel and the officer's address on it."""

    channel: Literal["email", "sms", "telegram"]
    address: str = Field(min_length=1, max_length=320)


class RecipientBody(BaseModel):
    """An officer's alert preferences."""

    language: Literal["km", "en"] = "km"
    endpoints: list[EndpointBody] = Field(default_factory=list, max_length=6)
    digest: bool = Field(default=False, description="One message a day instead of each alert")

    def recipient(self, office_id: str, recipient_id: str) -> Recipient:
        """These preferences as one office's recipient."""
        return Recipient(
            office_id=office_id,
            recipient_id=recipient_id,
            language=self.language,
            endpoints=tuple(Endpoint(e.channel, e.address) for e in self.endpoints),
            digest=self.digest,
        )


class RecipientView(RecipientBody):
    """A recipient as stored."""

    office_id: str
    recipient_id: str


class DeliveryView(BaseModel):
    """One line of the delivery log: who was told what, when, on which channel, with what result."""

    delivery_id: str
    event_id: str
    event_type: str
    kind: str = Field(description="What the recipient was told, e.g. assigned, case_resolved")
    complaint_id: str | None
    office_id: str | None
    audience: str
    recipient: str
    channel: str
    state: DeliveryState
    attempts: int
    created_at: datetime
    sent_at: datetime | None = None
    failed_at: datetime | None = None
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    digest_id: str | None = None


def _view(delivery: Delivery) -> DeliveryView:
    return DeliveryView(
        delivery_id=delivery.id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        kind=delivery.kind,
        complaint_id=delivery.complaint_id,
        office_id=delivery.office_id,
        audience=delivery.audience,
        recipient=delivery.recipient,
        channel=delivery.channel,
        state=delivery.state,
        attempts=delivery.attempts,
        created_at=delivery.created_at,
        sent_at=delivery.sent_at,
        failed_at=delivery.failed_at,
        next_attempt_at=delivery.due_at if delivery.state == DeliveryState.PENDING else None,
        last_error=delivery.last_error,
        digest_id=delivery.digest_id,
    )


router = APIRouter(prefix="/v1/admin", tags=["admin"])  # behind samleng.common.guards.AdminGate
OfficePath = Annotated[str, Path(max_length=64)]
RecipientPath = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")]


@router.get("/offices/{office_id}/recipients", response_model=list[RecipientView])
async def list_recipients(office_id: OfficePath, recipients: RecipientsDep) -> list[RecipientView]:
    """Who receives this office's alerts, and how."""
    return [recipient_view(r) for r in await recipients.of_office(office_id)]


@router.put("/offices/{office_id}/recipients/{recipient_id}", response_model=RecipientView)
async def put_recipient(
    body: RecipientBody,
    office_id: OfficePath,
    recipient_id: RecipientPath,
    recipients: RecipientsDep,
) -> RecipientView:
    """Create or replace one officer's alert preferences."""
    recipient = body.recipient(office_id, recipient_id)
    await recipients.put(recipient)
    return recipient_view(recipient)


@router.delete("/offices/{office_id}/recipients/{recipient_id}", status_code=204)
async def delete_recipient(
    office_id: OfficePath, recipient_id: RecipientPath, recipients: RecipientsDep
) -> None:
    """Stop alerting one officer."""
    if not await recipients.remove(office_id, recipient_id):
        raise Problem(
            404,
            "recipient-not-found",
            f"Office {office_id} has no recipient {recipient_id}; list them first.",
        )


@router.get("/deliveries", response_model=list[DeliveryView])
async def delivery_log(
    deliveries: DeliveriesDep,
    office_id: Annotated[str | None, Query(max_length=64)] = None,
    complaint_id: Annotated[str | None, Query(max_length=64)] = None,
    state: DeliveryState | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeliveryView]:
    """Was office X told about case Y: when, on which channel, and did it work."""
    found = await deliveries.log(
        office_id=office_id, complaint_id=complaint_id, state=state, limit=limit
    )
    return [_view(d) for d in found]


@router.post("/deliveries/{delivery_id}/send-again", status_code=202)
async def send_again(
    delivery_id: Annotated[str, Path(max_length=300)], ports: PortsDep
) -> dict[str, str]:
    """Put a failed delivery back in line (after fixing the address or the provider)."""
    if not await ports.deliveries.send_again(delivery_id, ports.clock()):
        raise Problem(
            409,
            "not-failed",
            "Only a failed delivery can be sent again; check its state in the log.",
        )
    ports.couriers.wake()
    return {"delivery_id": delivery_id, "state": DeliveryState.PENDING}


@router.post("/digests", status_code=202)
async def run_digests(ports: PortsDep) -> dict[str, int]:
    """Send today's digests now instead of at the daily hour."""
    return {"digests": await send_digests(ports, ports.clock())}


def recipient_view(recipient: Recipient) -> RecipientView:
    """A recipient as the API shows it (the in-app feed is implicit)."""
    return RecipientView(
        office_id=recipient.office_id,
        recipient_id=recipient.recipient_id,
        language=recipient.language,
        endpoints=[
            EndpointBody(channel=e.channel, address=e.address)
            for e in recipient.endpoints
            if e.channel != "in_app"
        ],
        digest=recipient.digest,
    )
