"""The admin API: officers who receive each office's alerts, and the delivery log.

Every route needs ``Authorization: Bearer <SAMLENG_ADMIN_TOKEN>``. Until officers sign
in (issue 5), admins manage recipients here or with the CLI; officers will then choose
their own channels.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query
from pydantic import BaseModel, Field

from samleng.common.http import Problem
from samleng.notification.adapters.outbox import DeliveryOutbox
from samleng.notification.adapters.recipients import RecipientDirectory
from samleng.notification.domain.delivery import DeliveryState, Endpoint, Recipient
from samleng.notification.entrypoints.workers import Workers


class EndpointBody(BaseModel):
    """A channel and the officer's address on it."""

    channel: Literal["email", "sms", "telegram"]
    address: str = Field(min_length=1, max_length=320)


class RecipientBody(BaseModel):
    """An officer's alert preferences."""

    language: Literal["km", "en"] = "km"
    endpoints: list[EndpointBody] = Field(default_factory=list, max_length=6)
    digest: bool = Field(default=False, description="One message a day instead of each alert")


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


def _view(doc: dict[str, Any]) -> DeliveryView:
    return DeliveryView(
        delivery_id=doc["_id"],
        next_attempt_at=doc.get("due_at") if doc["state"] == DeliveryState.PENDING else None,
        **{k: v for k, v in doc.items() if k not in ("_id", "due_at")},
    )


def admin_guard(token: str) -> Any:
    """A dependency that admits only the configured bearer token."""

    async def guard(authorization: Annotated[str | None, Header()] = None) -> None:
        if not token:
            raise Problem(
                503,
                "admin-disabled",
                "The admin API is off: set SAMLENG_ADMIN_TOKEN to turn it on.",
            )
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
            raise Problem(
                401,
                "admin-token-required",
                "Send the admin token as 'Authorization: Bearer <token>'.",
            )

    return Depends(guard)


def make_admin_router(
    recipients: RecipientDirectory, outbox: DeliveryOutbox, workers: Workers, token: str
) -> APIRouter:
    """Routes for admins, all behind the bearer token."""
    router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[admin_guard(token)])
    office_path = Path(max_length=64)
    recipient_path = Path(max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")

    @router.get("/offices/{office_id}/recipients", response_model=list[RecipientView])
    async def list_recipients(office_id: str = office_path) -> list[RecipientView]:
        """Who receives this office's alerts, and how."""
        return [recipient_view(r) for r in await recipients.of_office(office_id)]

    @router.put("/offices/{office_id}/recipients/{recipient_id}", response_model=RecipientView)
    async def put_recipient(
        body: RecipientBody, office_id: str = office_path, recipient_id: str = recipient_path
    ) -> RecipientView:
        """Create or replace one officer's alert preferences."""
        recipient = Recipient(
            office_id=office_id,
            recipient_id=recipient_id,
            language=body.language,
            endpoints=tuple(Endpoint(e.channel, e.address) for e in body.endpoints),
            digest=body.digest,
        )
        await recipients.put(recipient)
        return recipient_view(recipient)

    @router.delete("/offices/{office_id}/recipients/{recipient_id}", status_code=204)
    async def delete_recipient(
        office_id: str = office_path, recipient_id: str = recipient_path
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
        office_id: Annotated[str | None, Query(max_length=64)] = None,
        complaint_id: Annotated[str | None, Query(max_length=64)] = None,
        state: DeliveryState | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[DeliveryView]:
        """Was office X told about case Y: when, on which channel, and did it work."""
        docs = await outbox.log(
            office_id=office_id, complaint_id=complaint_id, state=state, limit=limit
        )
        return [_view(d) for d in docs]

    @router.post("/deliveries/{delivery_id}/send-again", status_code=202)
    async def send_again(delivery_id: str = Path(max_length=300)) -> dict[str, str]:
        """Put a failed delivery back in line (after fixing the address or the provider)."""
        if not await outbox.send_again(delivery_id, workers.now()):
            raise Problem(
                409,
                "not-failed",
                "Only a failed delivery can be sent again; check its state in the log.",
            )
        workers.wake()
        return {"delivery_id": delivery_id, "state": DeliveryState.PENDING}

    @router.post("/digests", status_code=202)
    async def run_digests() -> dict[str, int]:
        """Send today's digests now instead of at the daily hour."""
        return {"digests": await workers.send_digests_now()}

    return router


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
