"""The citizen API's request and response bodies (the event schemas live in samleng.common)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from samleng.common.events import AgeBand, Category, FeedbackKind, Gender
from samleng.common.events.values import Channel
from samleng.intake.entrypoints.forms import Form
from samleng.intake.entrypoints.schemas import Bilingual, ServiceView


class Contact(BaseModel):
    """A way to reach the citizen with updates: sealed at once, never shown again."""

    model_config = ConfigDict(extra="forbid")

    channel: Literal["sms", "telegram", "email"]
    address: str = Field(
        min_length=3,
        max_length=320,
        description="Mobile number for sms (+855 12 345 678, 012 345 678 or Khmer digits), "
        "@username or chat id for telegram, address for email; checked, and each contact "
        "counted once",
    )


class FeedbackFields(BaseModel):
    """What feedback says, however it is filed (by the citizen, or for them at a desk)."""

    model_config = ConfigDict(extra="forbid")

    kind: FeedbackKind = Field(description="complaint, request_for_help, ...")
    category: Category = Field(description="extra_fee, delay, refusal, ...")
    commune_code: str = Field(
        pattern=r"^\d{6}$",
        description="6-digit commune/sangkat code from the gazetteer, e.g. 170201",
    )
    village_code: str | None = Field(
        default=None, pattern=r"^\d{8}$", description="8-digit village code in that commune"
    )
    province_code: str | None = Field(
        default=None, pattern=r"^\d{2}$", description="optional; must match the commune"
    )
    district_code: str | None = Field(
        default=None, pattern=r"^\d{4}$", description="optional; must match the commune"
    )
    description: str = Field(min_length=1, description="What happened, in Khmer or English")
    service_code: str | None = Field(
        default=None, max_length=64, description="A code from GET /v1/services"
    )
    amount_asked_riel: int | None = Field(
        default=None,
        ge=0,
        le=10**10,
        description="For a fee complaint: what you were asked to pay, in riel",
    )
    service_rating: int | None = Field(
        default=None, ge=1, le=5, description="For a service_evaluation: 1 (bad) to 5 (good)"
    )
    about_office_id: str | None = Field(
        default=None, max_length=64, description="The office the feedback is about, if known"
    )
    about_office_conduct: bool = Field(
        default=False,
        description="True if it is about the conduct of that office's own officials "
        "(then an ombudsman above it handles the case, never the office itself)",
    )
    reporter_gender: Gender | None = Field(default=None, description="For statistics only")
    reporter_age_band: AgeBand | None = Field(default=None, description="For statistics only")

    def form(
        self,
        *,
        language: str,
        channel: Channel,
        contacts: tuple[tuple[str, str], ...] = (),
        contact_fields: tuple[str, ...] = (),
    ) -> Form:
        """The fields as the shared checks (:func:`to_submission`) take them."""
        return Form(
            kind=self.kind,
            category=self.category,
            commune_code=self.commune_code,
            village_code=self.village_code,
            province_code=self.province_code,
            district_code=self.district_code,
            description=self.description,
            language=language,
            channel=channel,
            service_code=self.service_code,
            amount_asked_riel=self.amount_asked_riel,
            service_rating=self.service_rating,
            about_office_id=self.about_office_id,
            about_office_conduct=self.about_office_conduct,
            contacts=contacts,
            contact_fields=contact_fields,
            gender=self.reporter_gender,
            age_band=self.reporter_age_band,
        )


class SubmitFeedback(FeedbackFields):
    """What a citizen sends; nothing here identifies them unless they choose a contact."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "complaint",
                    "category": "extra_fee",
                    "service_code": "civil.birth_certificate",
                    "amount_asked_riel": 50000,
                    "commune_code": "170201",
                    "village_code": "17020101",
                    "about_office_id": "commune:170201",
                    "about_office_conduct": True,
                    "description": "មន្ត្រីទារប្រាក់ ៥០០០០ រៀល សម្រាប់សំបុត្រកំណើត",
                    "contacts": [{"channel": "sms", "address": "+85512345678"}],
                    "reporter_gender": "female",
                    "reporter_age_band": "25_34",
                }
            ]
        },
    )

    channel: Literal["web", "mobile", "api"] = Field(
        default="api", description="Which app the citizen used (for statistics)"
    )
    contacts: list[Contact] = Field(default_factory=list, max_length=3)


class SubmissionAccepted(BaseModel):
    """The answer to a submission: keep the tracking code, it is the only way back."""

    tracking_code: str = Field(examples=["7K3M-Q9TX-2HBD-W4NE-R"])
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


class QuestionView(BaseModel):
    """A question the office asked you; answer it with its question_id."""

    question_id: str
    asked_at: datetime
    text: str
    answered: bool


class DeadlinesView(BaseModel):
    """The promises made to you about your case (UTC instants)."""

    resolve_by: datetime | None = Field(
        description="When the office that has your case must resolve it"
    )
    overall_by: datetime | None = Field(
        description="When your case must be resolved, counted from your submission, "
        "whatever office has it"
    )
    reply_by: datetime | None = Field(
        description="Set while the office waits for your answer (its clock is paused): "
        "without an answer by then the case closes"
    )


class CaseView(BaseModel):
    """A case as its tracking code shows it: no officer identities, no contact details."""

    status: str
    status_label: Bilingual
    kind: str
    category: str
    service: ServiceView | None = None
    submitted_at: datetime
    office: OfficeView | None
    deadlines: DeadlinesView | None = None
    timeline: list[TimelineView]
    questions: list[QuestionView] = Field(default_factory=list)
    attachments: int = 0
    rating: int | None = None
    reopen_until: datetime | None = Field(
        default=None, description="Until when you may reopen or appeal the office's answer"
    )
    actions: list[str] = Field(
        default_factory=list,
        description="What you can do now: answer, add_information, attach, confirm, "
        "reopen, appeal, rate, withdraw",
    )


class TextBody(BaseModel):
    """Text the citizen sends: information to add."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, examples=["បង្កាន់ដៃត្រូវបានភ្ជាប់"])


class AnswerBody(TextBody):
    """An answer to one of the office's questions."""

    question_id: str = Field(min_length=1, max_length=32)


class ReopenBody(BaseModel):
    """Reopen the office's answer; ``appeal`` sends it one level up instead."""

    model_config = ConfigDict(extra="forbid")

    appeal: bool = False


class RatingBody(BaseModel):
    """How well the case was handled."""

    model_config = ConfigDict(extra="forbid")

    rating: int = Field(ge=1, le=5, description="1 (very bad) to 5 (very good)")
