"""Facebook Page webhooks: the subscription's hub challenge, and signed deliveries.

``GET /v1/webhooks/facebook`` answers Meta's verification (``hub.mode=subscribe``,
``hub.verify_token``, ``hub.challenge``). ``POST`` takes Messenger messages and Page
comments signed with ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body under the app
secret): unsigned 401, badly signed 403, both as problem+json. What passes is stripped of
names and pictures (:mod:`samleng.intake.domain.social`) and queued for the desk.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import PlainTextResponse

from samleng.intake.desk.handlers import receive_messages
from samleng.intake.domain.social import UnreadablePayload, incoming, signature_valid
from samleng.intake.entrypoints.deps import PortsDep
from samleng.intake.entrypoints.problems import problem

router = APIRouter(prefix="/v1/webhooks", tags=["desk"])


def _problems(**codes: str) -> dict[int | str, dict[str, Any]]:
    return {
        int(code.removeprefix("s")): {
            "description": text,
            "content": {"application/problem+json": {}},
        }
        for code, text in codes.items()
    }


NOT_SET_UP = "The Page webhook is not configured on this server"


def _app_secret(ports: PortsDep) -> str:
    secret = ports.settings.facebook_app_secret.get_secret_value()
    if not secret or ports.desk is None:
        raise problem(
            503,
            "facebook-not-configured",
            en="The Facebook Page webhook is not set up here (SAMLENG_FACEBOOK_APP_SECRET).",
            km="Webhook របស់ទំព័រ Facebook មិនទាន់បានរៀបចំនៅទីនេះទេ។",
        )
    return secret


@router.get(
    "/facebook",
    response_class=PlainTextResponse,
    summary="Meta's hub challenge",
    responses=_problems(s403="hub.mode or hub.verify_token is not ours", s503=NOT_SET_UP),
)
async def challenge(
    ports: PortsDep,
    mode: Annotated[str, Query(alias="hub.mode", max_length=32)] = "",
    token: Annotated[str, Query(alias="hub.verify_token", max_length=256)] = "",
    hub_challenge: Annotated[str, Query(alias="hub.challenge", max_length=256)] = "",
) -> str:
    """Echo the challenge when the verify token is ours; 403 otherwise."""
    _app_secret(ports)
    expected = ports.settings.facebook_verify_token.get_secret_value()
    if mode != "subscribe" or not expected or not hmac.compare_digest(token, expected):
        raise problem(
            403,
            "verify-token-mismatch",
            en="hub.mode must be 'subscribe' and hub.verify_token the token configured here.",
            km="hub.mode ត្រូវតែជា 'subscribe' ហើយ hub.verify_token ត្រូវតែដូចនឹងការកំណត់។",
        )
    return hub_challenge


@router.post(
    "/facebook",
    summary="Messenger messages and Page comments (signed)",
    responses=_problems(
        s401="No X-Hub-Signature-256",
        s403="X-Hub-Signature-256 does not match the body",
        s422="Not a Page webhook payload",
        s503=NOT_SET_UP,
    ),
)
async def deliveries(
    request: Request,
    ports: PortsDep,
    signature: Annotated[str | None, Header(alias="X-Hub-Signature-256")] = None,
) -> dict[str, int]:
    """Verify the signature over the raw body, then queue what it carries."""
    secret = _app_secret(ports)
    body = await request.body()
    if not signature:
        raise problem(
            401,
            "signature-missing",
            en="Sign the body: X-Hub-Signature-256 must carry sha256=<HMAC of the body>.",
            km="សូមចុះហត្ថលេខាលើតួសារ៖ ត្រូវការ X-Hub-Signature-256។",
        )
    if not signature_valid(body, signature, secret):
        raise problem(
            403,
            "signature-invalid",
            en="X-Hub-Signature-256 does not match the body under the app secret.",
            km="X-Hub-Signature-256 មិនត្រូវនឹងតួសារទេ។",
        )
    try:
        items = incoming(body)
    except UnreadablePayload as exc:
        raise problem(
            422, "not-a-page-webhook", en=f"{exc}.", km="នេះមិនមែនជា webhook ទំព័រទេ។"
        ) from None
    queued = await receive_messages(items, ports.settings.facebook_desk, ports)
    return {"queued": queued}
