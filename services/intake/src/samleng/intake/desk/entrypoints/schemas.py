"""Bodies of the desk API: filings, receipts, the social-media queue."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from samleng.common.events import DismissalReason
from samleng.intake.citizen.entrypoints.schemas import FeedbackFields
from samleng.intake.entrypoints.schemas import Bilingual


class DeskFiling(FeedbackFields):
    """What an agent files for a citizen; the citizen's own details stay optional."""

    model_config = ConfigDict(extra="forbid")

    desk: str | None = Field(
        default=None, max_length=96, description="Which of your desks (needed if you have several)"
    )
    language: Literal["km", "en"] = Field(default="km", description="The citizen's language")
    sms_number: str | None = Field(
        default=None,
        min_length=3,
        max_length=32,
        description="A mobile number the citizen chose to give for updates: sealed at once, "
        "never shown again",
    )


class MessageFiling(DeskFiling):
    """A queued message turned into a case: the description defaults to the message."""

    description: str = Field(default="", description="Leave empty to keep the message's text")


class DeskReceipt(BaseModel):
    """The answer to a filing: the code, shown this once, and what to tell the citizen."""

    tracking_code: str
    complaint_status: str
    desk: str
    desk_name: Bilingual
    notes: list[Bilingual]
    to_ombudsman: bool = Field(
        description="The complaint is about this desk's own office: its ombudsman handles it"
    )


class QueuedMessageView(BaseModel):
    """A message waiting in the social-media desk's queue (no name, no picture, no id)."""

    message_id: str
    kind: Literal["message", "comment"]
    text: str
    received_at: datetime
    sender: str = Field(description="A pseudonym: equal for two messages of one sender")


class Dismissal(BaseModel):
    """Why a message is not a case (kept in the audit trail)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=500)
    category: DismissalReason = Field(
        default=DismissalReason.OTHER,
        description="What kind of reason, counted in the public desk figures (the words "
        "of `reason` stay in the audit trail)",
    )


class DeskMonth(BaseModel):
    """One month of the desk's queue."""

    month: str
    received: int
    filed: int
    dismissed: int
    expired: int = Field(
        default=0, description="Never decided: text erased after SAMLENG_DESK_MESSAGE_DAYS"
    )
