"""How the citizen API's refusals become problems the citizen can act on."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from samleng.intake.adapters.attachments import UnacceptableFile
from samleng.intake.adapters.cases import StaleCase
from samleng.intake.domain.citizen import ActionRefused
from samleng.intake.domain.tracking import InvalidTrackingCode
from samleng.intake.entrypoints.errors import LocalisedProblem, too_many
from samleng.intake.entrypoints.forms import InvalidSubmission
from samleng.intake.handlers import CaseNotFound, LookupsExhausted

PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/problem+json": {}}}
    for code, text in (
        (400, "The tracking code is malformed or its check character does not match"),
        (404, "No case has this tracking code"),
        (409, "The case's status does not allow this action now"),
        (413, "The request is too large"),
        (422, "A field is invalid; `errors` names it"),
        (429, "Too many requests; see Retry-After"),
    )
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of the problems an operation can answer."""
    return {code: PROBLEMS[code] for code in codes}


@contextlib.contextmanager
def citizen_problems() -> Iterator[None]:
    """Map the handlers' and the domain's refusals to problems the citizen can act on."""
    try:
        yield
    except InvalidTrackingCode as exc:
        raise LocalisedProblem(
            400,
            "invalid-tracking-code",
            en=f"{exc}. Check the code and try again.",
            km="លេខកូដតាមដានមិនត្រឹមត្រូវ (តួអក្សរខុស ឬខ្វះ)។ សូមពិនិត្យលេខកូដ ហើយព្យាយាមម្តងទៀត។",
        ) from None
    except CaseNotFound:
        raise LocalisedProblem(
            404,
            "case-not-found",
            en="No case has this tracking code. Check the code.",
            km="គ្មានករណីណាមានលេខកូដតាមដាននេះទេ។ សូមពិនិត្យលេខកូដ។",
        ) from None
    except LookupsExhausted as exc:
        raise too_many(exc.retry_after) from None
    except ActionRefused as exc:
        raise LocalisedProblem(409, exc.slug, en=exc.en, km=exc.km) from None
    except StaleCase:
        raise LocalisedProblem(
            409,
            "case-busy",
            en="The case changed while you acted on it; try again.",
            km="ករណីបានផ្លាស់ប្តូរខណៈពេលអ្នកកំពុងធ្វើសកម្មភាព សូមព្យាយាមម្តងទៀត។",
        ) from None
    except InvalidSubmission as exc:
        raise LocalisedProblem(
            422,
            "invalid-submission",
            en=exc.en,
            km=exc.km,
            title="Invalid submission",
            errors=[{"field": exc.field, "message": exc.en}],
        ) from None
    except UnacceptableFile as exc:
        raise LocalisedProblem(
            415,
            "unacceptable-file",
            en=f"The file was refused: {exc}.",
            km="ឯកសារត្រូវបានបដិសេធ៖ ទទួលយកតែរូបថត JPEG, PNG, WebP ឬឯកសារ PDF ប៉ុណ្ណោះ។",
        ) from None
