"""The submit form as a citizen fills it, turned into intake's submission (pure, no I/O).

    draft = read_submission(form_values)
    if draft.errors: re-render with draft.errors        # {field: message key}
    else: intake.submit(draft.body, ...)

Only what the form asked for goes to intake; empty optional fields are left out so that
intake's defaults apply. Problems intake answers are mapped back onto the form's fields
with :func:`form_field`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from samleng.common.events import AgeBand, Category, FeedbackKind, Gender

KINDS = tuple(kind.value for kind in FeedbackKind)
CATEGORIES = tuple(category.value for category in Category)
GENDERS = tuple(gender.value for gender in Gender)
AGE_BANDS = tuple(band.value for band in AgeBand)
CONTACT_CHANNELS = ("sms", "telegram", "email")
#: Whose officials the case is about: the office kind and how many digits of the place
#: code name it (commune 6, district 4, province 2).
ABOUT_OFFICES = {"commune": 6, "owso": 4, "owsu": 2}
MAX_FILES = 5
MAX_DESCRIPTION = 5000

#: Intake's field names that the form shows under another name.
FIELD_ALIASES = {
    "contacts": "contact_address",
    "contacts.0.address": "contact_address",
    "contacts.0.channel": "contact_channel",
    "reporter_gender": "gender",
    "reporter_age_band": "age_band",
    "about_office_id": "about_office",
    "province_code": "province",
    "district_code": "district",
    "commune_code": "commune",
    "village_code": "village",
}


@dataclass(frozen=True)
class Draft:
    """What intake will receive, or which fields must change first."""

    body: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)


def _choice(form: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = form.get(name, "").strip()
    return value if value in allowed else None


def _digits(form: Mapping[str, str], name: str, length: int) -> str | None:
    value = form.get(name, "").strip()
    return value if len(value) == length and value.isdigit() else None


def place_codes(form: Mapping[str, str]) -> dict[str, str | None]:
    """The chosen province, district, commune and village, each inside the one before."""
    province = _digits(form, "province", 2)
    district = _digits(form, "district", 4)
    commune = _digits(form, "commune", 6)
    village = _digits(form, "village", 8)
    if district and district[:2] != province:
        district = None
    if commune and (district is None or commune[:4] != district):
        commune = None
    if village and (commune is None or village[:6] != commune):
        village = None
    return {"province": province, "district": district, "commune": commune, "village": village}


def read_submission(form: Mapping[str, str]) -> Draft:
    """Check what the citizen must give and build intake's submission body."""
    errors: dict[str, str] = {}
    kind = _choice(form, "kind", KINDS)
    category = _choice(form, "category", CATEGORIES)
    places = place_codes(form)
    description = form.get("description", "").strip()
    for name, value in (("kind", kind), ("category", category), ("description", description)):
        if not value:
            errors[name] = "required"
    if not places["commune"]:
        errors["commune" if places["district"] else "province"] = "required"
    body: dict[str, Any] = {
        "kind": kind,
        "category": category,
        "description": description[:MAX_DESCRIPTION],
        "channel": "web",
    }
    for name in ("province", "district", "commune", "village"):
        if places[name]:
            body[f"{name}_code"] = places[name]
    service = form.get("service_code", "").strip()
    if service:
        body["service_code"] = service
    amount = form.get("amount_asked_riel", "").strip().replace(",", "").replace(" ", "")
    if amount:
        if amount.isdigit():
            body["amount_asked_riel"] = int(amount)
        else:
            errors["amount_asked_riel"] = "required"
    rating = _choice(form, "service_rating", ("1", "2", "3", "4", "5"))
    if rating:
        body["service_rating"] = int(rating)
    elif kind == FeedbackKind.SERVICE_EVALUATION:
        errors["service_rating"] = "required"
    about = _choice(form, "about_office", tuple(ABOUT_OFFICES))
    if about:
        code = places["commune"] or ""
        body["about_office_id"] = f"{about}:{code[: ABOUT_OFFICES[about]]}"
        body["about_office_conduct"] = True
    channel = _choice(form, "contact_channel", CONTACT_CHANNELS)
    address = form.get("contact_address", "").strip()
    if channel and not address:
        errors["contact_address"] = "contact_missing"
    elif channel:
        body["contacts"] = [{"channel": channel, "address": address}]
    gender = _choice(form, "gender", GENDERS)
    if gender:
        body["reporter_gender"] = gender
    age = _choice(form, "age_band", AGE_BANDS)
    if age:
        body["reporter_age_band"] = age
    return Draft(body=body, errors=errors)


def form_field(api_field: str) -> str:
    """The form field that shows an error intake reported for ``api_field``."""
    return FIELD_ALIASES.get(api_field, api_field.split(".")[0])
