"""Value types that event payloads share: kinds, categories, places, offices, actors."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field

from samleng.common.events.envelope import Payload


class FeedbackKind(StrEnum):
    """What the citizen is giving: the five kinds of feedback."""

    COMPLAINT = "complaint"
    REQUEST_FOR_HELP = "request_for_help"
    REQUEST_FOR_INFORMATION = "request_for_information"
    SERVICE_EVALUATION = "service_evaluation"
    SUGGESTION = "suggestion"


class Category(StrEnum):
    """What went wrong (or what the feedback is about)."""

    EXTRA_FEE = "extra_fee"
    DELAY = "delay"
    REFUSAL = "refusal"
    RUDE_CONDUCT = "rude_conduct"
    DISCRIMINATION = "discrimination"
    ABSENT_OFFICIAL = "absent_official"
    CORRUPTION = "corruption"
    OTHER = "other"


class Gender(StrEnum):
    """Self-declared gender, for gender-responsive statistics only."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNDISCLOSED = "undisclosed"


class AgeBand(StrEnum):
    """Self-declared age band, for statistics only."""

    UNDER_18 = "under_18"
    FROM_18_TO_24 = "18_24"
    FROM_25_TO_34 = "25_34"
    FROM_35_TO_44 = "35_44"
    FROM_45_TO_59 = "45_59"
    SIXTY_AND_OVER = "60_plus"
    UNDISCLOSED = "undisclosed"


OfficeLevel = Literal["commune", "district", "province", "national"]
Channel = Literal[
    "web",
    "mobile",
    "api",
    "open311",
    "phone",
    "sms",
    "telegram",
    "other",
    # filed for the citizen by a desk agent (docs/channels.md)
    "counter",
    "hotline",
    "social_media",
]
Language = Literal["km", "en"]
DeadlineKind = Literal["acknowledge", "resolve", "confirm"]


class Location(Payload):
    """Where: gazetteer codes (province 2 digits, district 4, commune 6, village 8)."""

    province_code: str = Field(pattern=r"^\d{2}$")
    district_code: str = Field(pattern=r"^\d{4}$")
    commune_code: str = Field(pattern=r"^\d{6}$")
    village_code: str | None = Field(default=None, pattern=r"^\d{8}$")


class OfficeRef(Payload):
    """An office as events name it: id, level, kind, names, and its ministry if any."""

    office_id: str = Field(min_length=1, max_length=64)
    level: OfficeLevel
    kind: str = Field(min_length=1, max_length=64)
    name_km: str
    name_en: str
    ministry: str | None = Field(default=None, max_length=32)


class ActorRef(Payload):
    """Who acted, by role and office only: events never name an officer or a citizen."""

    role: Literal[
        "citizen",
        "officer",
        "office_head",
        "ombudsman",
        "ministry_liaison",
        "national_analyst",
        "admin",
        "system",
    ]
    office_id: str | None = Field(default=None, max_length=64)


class Deadlines(Payload):
    """When the responsible office must acknowledge and resolve (UTC instants).

    ``overall_by`` counts from the submission (or the last reopening), whatever office has
    the case: moves do not restart it. ``reply_by`` is set while the office waits for the
    citizen's answer: its own clocks are paused (``acknowledge_by``/``resolve_by`` absent)
    and the case closes as ``no_reply`` if no answer comes by then.
    """

    acknowledge_by: AwareDatetime | None = None
    resolve_by: AwareDatetime | None = None
    sla_rule: str | None = None
    overall_by: AwareDatetime | None = None
    reply_by: AwareDatetime | None = None


class SealedContact(Payload):
    """A contact channel the citizen left, encrypted by intake for notification only.

    ``ciphertext`` is Fernet (AES-128-CBC + HMAC) under the key named ``key_id``; only
    intake (to write) and notification (to send) hold that key.
    """

    channel: Literal["sms", "telegram", "email", "messenger"]
    ciphertext: str = Field(min_length=1, max_length=4096)
    key_id: str = Field(min_length=1, max_length=64)
    #: The case was filed from this very address (an inbound SMS or Telegram chat, a
    #: Messenger conversation with the Page): its holder wrote first, so notification
    #: needs no confirmation code from them.
    from_holder: bool = False


class SealedReceipt(Payload):
    """A tracking code sealed for notification, to send once to one of the case's contacts.

    A desk agent files for a citizen who asked for their code by SMS (or who wrote to the
    Page): ``ciphertext`` is Fernet under ``key_id``, like a contact; ``contact`` is the
    index of the contact in ``contacts`` it goes to. Only notification can open it, and
    only its courier does, in memory, at send time.
    """

    contact: int = Field(ge=0, le=2)
    ciphertext: str = Field(min_length=1, max_length=4096)
    key_id: str = Field(min_length=1, max_length=64)
