"""Open311 GeoReport v2 beside the native API, so existing Open311 clients work unchanged.

Base URL ``/open311/v2``; every call in JSON (``.json``) or XML (``.xml``), errors too
(:mod:`.formats`). Mapping:

- services are the catalogue's services (``service_code`` = catalogue code); each has
  ``metadata: true`` and a definition with attributes ``kind``, ``category``,
  ``amount_asked_riel`` and ``service_rating``;
- a request's location is ``address_id`` (a gazetteer commune or village code),
  ``address_string`` (a commune's name) or ``lat``/``long`` where a commune boundary
  layer is installed (:mod:`.form`); only the commune (or village) is stored;
- ``email`` and ``phone`` become sealed contact channels; ``first_name``,
  ``last_name``, ``device_id``, ``account_id`` and ``media_url`` are ignored and never
  stored, because they could identify the citizen; ``Idempotency-Key`` works as on
  ``POST /v1/complaints``;
- ``token`` is the tracking code (keep it secret); ``service_request_id`` is the case's
  public id, and the public views of a request never show its description or location;
- listing requests needs a registered ``api_key`` and shows only cells of at least ``k``
  (:mod:`samleng.intake.open311.handlers`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from pydantic import ValidationError
from starlette.responses import Response

from samleng.common.events import OPEN, CaseStatus
from samleng.common.reference import UnknownService, service_catalogue
from samleng.intake.citizen.handlers import (
    CaseNotFound,
    IdempotencyConflict,
    LookupsExhausted,
    Retry,
    find_case,
    submit_feedback,
)
from samleng.intake.domain.labels import CATEGORY_LABELS, KIND_LABELS
from samleng.intake.domain.model import Case
from samleng.intake.domain.status import STATUS_LABELS
from samleng.intake.domain.tracking import InvalidTrackingCode, TrackingCode
from samleng.intake.entrypoints.deps import CasesDep, CitizenDeskDep, SettingsDep
from samleng.intake.entrypoints.forms import InvalidSubmission, to_submission
from samleng.intake.entrypoints.problems import request_language
from samleng.intake.open311.disclosure import last_change, month_of, registered
from samleng.intake.open311.entrypoints.form import canonical, read_form
from samleng.intake.open311.entrypoints.formats import (
    Open311Error,
    answer,
    format_of,
)
from samleng.intake.open311.entrypoints.formats import install as install
from samleng.intake.open311.handlers import (
    ListingNeedsApiKey,
    RequestNotListed,
    RequestQuery,
    public_request,
    public_requests,
)

router = APIRouter(prefix="/open311/v2", tags=["open311"])

DEFAULT_PERIOD = timedelta(days=90)


#: The format a path ends in; documented only, so that another gets a GeoReport error.
Format = Annotated[str, Path(json_schema_extra={"enum": ["json", "xml"]})]
_OPEN311_ERRORS = {
    "application/json": {
        "schema": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
                "required": ["code", "description"],
            },
        }
    },
    "text/xml": {"schema": {"type": "string"}},
}
_BOTH_FORMATS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "text/xml": {}}, "description": "OK"},
    **{
        status: {"description": f"GeoReport v2 errors: {what}", "content": _OPEN311_ERRORS}
        for status, what in (
            (400, "bad input, saying what to fix"),
            (403, "this needs an api_key the operator registered"),
            (404, "no such service, request or token"),
            (422, "an Idempotency-Key reused for another request"),
            (429, "too many look-ups; see Retry-After"),
        )
    },
}


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except InvalidTrackingCode as exc:
        raise Open311Error(400, f"token is not a valid tracking code: {exc}") from None
    except CaseNotFound:
        raise Open311Error(404, "no request has this token or id") from None
    except LookupsExhausted as exc:
        raise Open311Error(
            429,
            f"too many look-ups right now; retry after {exc.retry_after} seconds",
            {"Retry-After": str(exc.retry_after)},
        ) from None
    except InvalidSubmission as exc:
        raise Open311Error(400, f"{exc.field}: {exc.en}") from None
    except IdempotencyConflict:
        raise Open311Error(
            422,
            "this Idempotency-Key was already used for a different request; "
            "make a new key for new feedback",
        ) from None


@router.get("/services.{fmt}", summary="Open311: service list", responses=_BOTH_FORMATS)
async def service_list(fmt: Format) -> Response:
    """Every service in the catalogue, as GeoReport v2 services."""
    reply_in = format_of(fmt)
    services = [
        {
            "service_code": s.code,
            "service_name": s.name_en,
            "description": (
                f"{s.name_km}. Official fee {s.official_fee_riel} riel; "
                f"standard {s.standard_working_days} working day(s)."
            ),
            "metadata": True,
            "type": "realtime",
            "keywords": f"{s.group},{s.ministry}",
            "group": s.group,
        }
        for s in service_catalogue().services
    ]
    return answer(reply_in, "services", services)


@router.get(
    "/services/{service_code}.{fmt}",
    summary="Open311: service definition",
    responses=_BOTH_FORMATS,
)
async def service_definition(service_code: str, fmt: Format) -> Response:
    """The attributes a request for this service takes."""
    reply_in = format_of(fmt)
    try:
        service = service_catalogue().service(service_code)
    except UnknownService:
        raise Open311Error(404, f"service_code {service_code!r} is not in the catalogue") from None

    def values(labels: dict[Any, tuple[str, str]]) -> list[dict[str, str]]:
        return [{"key": k.value, "name": f"{en} / {km}"} for k, (en, km) in labels.items()]

    definition = {
        "service_code": service.code,
        "attributes": [
            {
                "variable": True,
                "code": "kind",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "Default: complaint",
                "order": 1,
                "description": "What you are giving / ប្រភេទមតិ",
                "values": values(KIND_LABELS),
            },
            {
                "variable": True,
                "code": "category",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "What went wrong",
                "order": 2,
                "description": "What went wrong / អ្វីដែលខុស",
                "values": values(CATEGORY_LABELS),
            },
            {
                "variable": True,
                "code": "amount_asked_riel",
                "datatype": "number",
                "required": False,
                "datatype_description": (
                    f"Whole riel; the official fee is {service.official_fee_riel}"
                ),
                "order": 3,
                "description": "Amount you were asked to pay / ចំនួនទឹកប្រាក់ដែលគេទារ",
            },
            {
                "variable": True,
                "code": "service_rating",
                "datatype": "number",
                "required": False,
                "datatype_description": "1 (bad) to 5 (good); required for service_evaluation",
                "order": 4,
                "description": "Your rating of the service / ការវាយតម្លៃសេវា",
            },
        ],
    }
    return answer(reply_in, "service_definition", definition)


_CREATE_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["service_code", "description"],
                    "properties": {
                        "service_code": {"type": "string", "example": "civil.birth_certificate"},
                        "address_id": {
                            "type": "string",
                            "description": "6-digit commune or 8-digit village code",
                            "example": "17020101",
                        },
                        "address_string": {
                            "type": "string",
                            "description": "a commune's name (Khmer or romanised), with its "
                            "district and province if the name is shared",
                            "example": "Chub Ta Trav, Angkor Thum, Siem Reap",
                        },
                        "lat": {"type": "number", "description": "needs a boundary layer"},
                        "long": {"type": "number", "description": "needs a boundary layer"},
                        "description": {"type": "string", "example": "គេទារប្រាក់ ២០០០០ រៀល"},
                        "attribute[category]": {"type": "string", "example": "extra_fee"},
                        "attribute[kind]": {"type": "string", "example": "complaint"},
                        "attribute[amount_asked_riel]": {"type": "integer", "example": 20000},
                        "attribute[service_rating]": {"type": "integer", "minimum": 1},
                        "email": {"type": "string", "description": "sealed; never shown"},
                        "phone": {"type": "string", "description": "sealed; never shown"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/requests.{fmt}",
    summary="Open311: create a service request",
    openapi_extra=_CREATE_FORM,
    responses=_BOTH_FORMATS,
)
async def create_request(
    fmt: Format,
    request: Request,
    desk: CitizenDeskDep,
    idempotency_key: Annotated[
        str | None,
        Header(description="One per request (e.g. a UUID); a retry answers the same token"),
    ] = None,
) -> Response:
    """Create a request (form-encoded, as the spec says); answers its token and id."""
    reply_in = format_of(fmt)
    if idempotency_key is not None and not 0 < len(idempotency_key) <= 255:
        raise Open311Error(400, "Idempotency-Key must have 1 to 255 characters")
    form = await read_form(
        await request.form(), language=request_language(request), settings=desk.settings
    )
    retry_after = await desk.budgets.submissions.take()
    if retry_after is not None:
        raise Open311Error(
            429,
            f"too many requests right now; retry after {retry_after} seconds",
            {"Retry-After": str(retry_after)},
        )
    retry = None
    if idempotency_key:
        keep_for = timedelta(hours=desk.settings.idempotency_hours)
        retry = Retry(idempotency_key, b"open311:" + canonical(form), keep_for)
    with _errors():
        submission, reporter = to_submission(
            form, max_description=desk.settings.max_description_length
        )
        try:
            submitted = await submit_feedback(
                submission, desk.cases, desk.keys, reporter=reporter, retry=retry
            )
        except ValidationError as exc:  # e.g. a rating out of 1..5 reaching the event schema
            raise Open311Error(400, f"invalid attribute: {exc.errors()[0]['msg']}") from None
    desk.relay.wake()
    receipt = {
        "service_request_id": submitted.case.complaint_id,
        "token": str(submitted.code),
        "service_notice": (
            "Keep the token: it is your tracking code and the only way to follow "
            "or act on your case. / សូមរក្សាលេខកូដនេះ៖ វាជាលេខកូដតាមដានរបស់អ្នក។"
        ),
        "account_id": None,
    }
    return answer(reply_in, "service_requests", [receipt])


@router.get(
    "/tokens/{token}.{fmt}", summary="Open311: request id from a token", responses=_BOTH_FORMATS
)
async def request_id_from_token(token: str, fmt: Format, desk: CitizenDeskDep) -> Response:
    """The service_request_id of the request the token (tracking code) belongs to."""
    reply_in = format_of(fmt)
    with _errors():
        code = TrackingCode.parse(token)
        case = await find_case(code, desk.cases, desk.keys.hasher, desk.budgets.lookup_misses)
    found = [{"service_request_id": case.complaint_id, "token": token}]
    return answer(reply_in, "service_requests", found)


def _public(case: Case, lang: str) -> dict[str, Any]:
    """A request as anyone may see it: no description, no location, no identities, no notes.

    ``status_notes`` is the fixed label of the status, never timeline text, which can carry
    an officer's resolution note or the reason a case was moved.
    """
    try:
        service_name = service_catalogue().service(case.submission.service_code or "").name_en
    except UnknownService:
        service_name = None
    office = case.office
    return {
        "service_request_id": case.complaint_id,
        "status": "open" if case.status in OPEN else "closed",
        "status_notes": STATUS_LABELS[case.status][lang],
        "service_name": service_name,
        "service_code": case.submission.service_code,
        "description": None,
        "agency_responsible": (office.name_km if lang == "km" else office.name_en)
        if office
        else None,
        "service_notice": None,
        "requested_datetime": month_of(case.submitted_at).isoformat(),
        "updated_datetime": month_of(last_change(case)).isoformat(),
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


#: The earliest time a listing looks at: no case is older (and bounds stay computable).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def _when(value: str | None, name: str) -> datetime | None:
    """A W3C date-time in UTC, within what a listing can look at."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(
            400, f"{name} must be a W3C (ISO 8601) date-time such as 2026-01-31T00:00:00Z"
        ) from None
    try:
        moment = parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except OverflowError:  # 0001-01-01T00:00+14:00 is before year 1 in UTC
        moment = EARLIEST if parsed.year < EARLIEST.year else datetime.now(UTC)
    return min(max(moment, EARLIEST), datetime.now(UTC))


@router.get("/requests.{fmt}", summary="Open311: get service requests", responses=_BOTH_FORMATS)
async def get_requests(
    fmt: Format,
    request: Request,
    cases: CasesDep,
    settings: SettingsDep,
    api_key: str | None = None,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
) -> Response:
    """Requests, newest first: those with the ids given, or (api_key) a listing in cells of k.

    A listing covers the whole months of the period (by default the last 90 days), at most
    1000 requests; without a registered api_key only requests named by id are answered.
    """
    reply_in = format_of(fmt)
    until = _when(end_date, "end_date") or datetime.now(UTC)
    since = _when(start_date, "start_date") or until - DEFAULT_PERIOD
    statuses: tuple[CaseStatus, ...] = ()
    if status:
        wanted = {s.strip() for s in status.split(",") if s.strip()}
        if not wanted <= {"open", "closed"}:
            raise Open311Error(400, "status must be open, closed or both")
        statuses = tuple(s for s in CaseStatus if ("open" if s in OPEN else "closed") in wanted)
    ids = tuple(i.strip() for i in (service_request_id or "").split(",") if i.strip())
    query = RequestQuery(since, until, service_code, statuses, ids)
    try:
        found = await public_requests(
            cases,
            query,
            registered=registered(api_key, settings.open311_api_keys),
            k=settings.small_cell_threshold,
        )
    except ListingNeedsApiKey:
        raise Open311Error(
            403,
            ("this api_key is not registered" if api_key else "listing requests needs an api_key")
            + "; ask the operator to register one. Without a key, name your requests with "
            "service_request_id (or GET requests/{id}); statistics are public on reporting's "
            "open-data API",
        ) from None
    lang = request_language(request)
    return answer(reply_in, "service_requests", [_public(case, lang) for case in found])


@router.get(
    "/requests/{service_request_id}.{fmt}",
    summary="Open311: get one service request",
    responses=_BOTH_FORMATS,
)
async def get_request(
    service_request_id: str, fmt: Format, request: Request, cases: CasesDep
) -> Response:
    """One request, as a list of one (as the spec says)."""
    reply_in = format_of(fmt)
    try:
        case = await public_request(cases, service_request_id)
    except RequestNotListed:
        raise Open311Error(404, f"no request has id {service_request_id[:64]!r}") from None
    return answer(reply_in, "service_requests", [_public(case, request_language(request))])
