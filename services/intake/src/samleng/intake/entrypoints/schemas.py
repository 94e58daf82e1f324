"""Intake's HTTP request and response bodies (the event schemas live in samleng.common)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from samleng.common.events import Category, FeedbackKind


class SubmitFeedback(BaseModel):
    """What a citizen sends; nothing here identifies them."""

    model_config = ConfigDict(extra="forbid")

    kind: FeedbackKind = Field(description="complaint, request_for_help, ...")
    category: Category = Field(description="extra_fee, delay, refusal, ...")
    commune_code: str = Field(
        pattern=r"^\d{6}$",
        description="6-digit commune/sangkat code from the gazetteer, e.g. 170201",
    )
    description: str = Field(min_length=1, description="What happened, in Khmer or English")
    service_code: str | None = Field(default=None, max_length=64)


class Bilingual(BaseModel):
    """The same text in English and Khmer."""

    en: str
    km: str


class SubmissionAccepted(BaseModel):
    """The answer to a submission: keep the tracking code, it is the only way back."""

    tracking_code: str
    status: str
    status_url: str
    message: Bilingual


class OfficeView(BaseModel):
    """The office handling a case, as the citizen sees it."""

    level: str
    name_en: str
    name_km: str


class TimelineView(BaseModel):
    """One step of the case's history."""

    at: datetime
    status: str
    text: Bilingual


class CaseView(BaseModel):
    """A case as its tracking code shows it: no officer identities, no contact details."""

    status: str
    status_label: Bilingual
    kind: str
    category: str
    submitted_at: datetime
    office: OfficeView | None
    timeline: list[TimelineView]
