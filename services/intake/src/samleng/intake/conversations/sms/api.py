"""The SMS webhook: a gateway posts each inbound SMS here and sends the replies it gets back.

Contract (docs/channels.md, "## SMS")::

    POST /v1/channels/sms/messages
    X-Samleng-Timestamp: 1767225600
    X-Samleng-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>
    {"message_id": "gw-123", "from": "+85512345678", "text": "STATUS 7K3M-..."}

    200 {"duplicate": false,
         "replies": [{"text": "...", "encoding": "UCS-2", "units": 68, "segments": 1}]}

Replies travel back in the response, to the number that just wrote: nothing is sent to a
number that has not written first, no number passes through the broker for a reply, and
the gateway bills one reply per inbound message. Status news later goes through
notification's SMS courier (the sealed number is the case's contact).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, Field, ValidationError

from samleng.intake.conversations.handlers import Inbound, converse
from samleng.intake.conversations.replies import cost
from samleng.intake.conversations.sms.signature import BadSignature, verify
from samleng.intake.entrypoints.deps import PortsDep
from samleng.intake.entrypoints.forms import InvalidSubmission, normalise_phone
from samleng.intake.entrypoints.problems import documented, problem

router = APIRouter(prefix="/v1/channels/sms", tags=["channels"])


class InboundSms(BaseModel):
    """One SMS as the gateway received it."""

    message_id: str = Field(min_length=1, max_length=128, description="the gateway's unique id")
    sender: str = Field(alias="from", min_length=3, max_length=32, description="E.164 number")
    text: str = Field(max_length=1600)


class SmsReply(BaseModel):
    """One reply to send to the number that wrote, and what it costs."""

    text: str
    encoding: str
    units: int = Field(description="characters in the encoding (UTF-16 units for UCS-2)")
    segments: int


class SmsAnswer(BaseModel):
    """The replies to send back (none for a duplicate, or past the sender's limit)."""

    duplicate: bool = False
    replies: list[SmsReply] = []


@router.post(
    "/messages",
    response_model=SmsAnswer,
    responses=documented(401, 422, 503),
    summary="An inbound SMS from the gateway (signed); answers the replies to send",
)
async def inbound_sms(
    request: Request,
    ports: PortsDep,
    timestamp: Annotated[str, Header(alias="X-Samleng-Timestamp")] = "",
    signature: Annotated[str, Header(alias="X-Samleng-Signature")] = "",
) -> SmsAnswer:
    """Verify the signature, take the message id once, then converse."""
    settings = ports.settings
    secret = settings.sms_webhook_secret.get_secret_value()
    if not secret or ports.conversations is None:
        raise problem(
            503,
            "sms-not-configured",
            en="This deployment takes no SMS: set SAMLENG_SMS_WEBHOOK_SECRET.",
            km="ប្រព័ន្ធនេះមិនទទួល SMS ទេ៖ សូមកំណត់ SAMLENG_SMS_WEBHOOK_SECRET។",
        )
    body = await request.body()
    try:
        verify(
            secret.encode(),
            timestamp,
            signature,
            body,
            time.time(),
            settings.sms_timestamp_tolerance_seconds,
        )
    except BadSignature as bad:
        raise problem(
            401,
            "bad-signature",
            en=f"Refused: {bad}. Sign timestamp + '.' + the raw body with HMAC-SHA256 and "
            "send X-Samleng-Timestamp (Unix seconds, within "
            f"{settings.sms_timestamp_tolerance_seconds} s) and X-Samleng-Signature: sha256=<hex>.",
            km="បានបដិសេធ៖ ហត្ថលេខា ឬពេលវេលាមិនត្រឹមត្រូវ។",
        ) from None
    try:
        sms = InboundSms.model_validate(json.loads(body))
        number = normalise_phone(sms.sender, "from")
    except (ValueError, ValidationError, InvalidSubmission):
        raise problem(
            422,
            "bad-inbound-sms",
            en='The body must be JSON {"message_id", "from" (a mobile number), "text"}.',
            km='តួសារត្រូវតែជា JSON {"message_id", "from", "text"}។',
        ) from None
    now = datetime.now(UTC)
    desk = ports.conversations
    window = timedelta(seconds=2 * settings.sms_timestamp_tolerance_seconds)
    message_key = desk.keys.senders.of(b"sms-message:" + sms.message_id.encode())
    if not await desk.store.first_delivery(message_key, now + window):
        return SmsAnswer(duplicate=True)
    replies = await converse(Inbound("sms", number, sms.text), ports, now)
    return SmsAnswer(
        replies=[
            SmsReply(text=r.text, encoding=s.encoding, units=s.units, segments=s.segments)
            for r in replies
            for s in [cost(r.text)]
        ]
    )
