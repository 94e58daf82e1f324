"""The citizen's one route on notification: confirm a contact with the code it received.

    POST /v1/contact-confirmations  {"code": "K7M2Q-9TX2H"}  ->  200 {"confirmed": true, ...}

No sign-in: the code itself is the proof, and it was sent only to the address it
confirms, so no one else can confirm for its holder. Codes are 50 random-looking bits
(keyed hashes), expire, and are stored only hashed. The web front end's confirmation
page (``SAMLENG_CONFIRMATION_URL``) posts here.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from samleng.common.http import Problem
from samleng.notification.domain.consent import parse_code
from samleng.notification.entrypoints.api import Bilingual
from samleng.notification.entrypoints.deps import PortsDep
from samleng.notification.handlers import confirm_contact

router = APIRouter(prefix="/v1", tags=["citizen"])


class ConfirmationBody(BaseModel):
    """The code of a confirmation request message."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=40, examples=["K7M2Q-9TX2H"])


class Confirmed(BaseModel):
    """The contact confirmed: news of the case will reach it."""

    confirmed: bool
    message: Bilingual


def _refused(status: int, slug: str, en: str, km: str) -> Problem:
    return Problem(status, slug, en, detail_en=en, detail_km=km)


@router.post(
    "/contact-confirmations",
    response_model=Confirmed,
    summary="Confirm a contact with the code sent to it",
    responses={
        404: {"description": "No unexpired code like this one"},
        422: {"description": "Not the shape of a code (10 letters and digits)"},
    },
)
async def confirm(body: ConfirmationBody, ports: PortsDep) -> Confirmed:
    """Start sending the case's news to the contact the code was sent to."""
    if parse_code(body.code) is None:
        raise _refused(
            422,
            "invalid-confirmation-code",
            "code must be the 10 letters and digits of the message, e.g. K7M2Q-9TX2H",
            "code ត្រូវតែជាអក្សរ និងលេខ ១០ ខ្ទង់ក្នុងសារ ឧ. K7M2Q-9TX2H",
        )
    if not await confirm_contact(body.code, ports):
        raise _refused(
            404,
            "confirmation-code-not-found",
            "This code is not one we sent, or it has expired. Check the message and type "
            "the code again.",
            "លេខកូដនេះមិនមែនជាលេខកូដដែលយើងបានផ្ញើ ឬផុតកំណត់ហើយ។ សូមពិនិត្យសារ ហើយវាយលេខកូដម្តងទៀត។",
        )
    return Confirmed(
        confirmed=True,
        message=Bilingual(
            en="Confirmed. You will receive updates from Samleng here.",
            km="បានបញ្ជាក់។ អ្នកនឹងទទួលព័ត៌មានថ្មីៗពីសំឡេងនៅទីនេះ។",
        ),
    )
