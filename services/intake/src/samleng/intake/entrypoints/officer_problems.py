"""How the officer use cases' refusals become problems an officer can act on."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from samleng.intake.adapters.inbox import InvalidCursor
from samleng.intake.domain.citizen import ActionRefused
from samleng.intake.entrypoints.errors import LocalisedProblem
from samleng.intake.officer_handlers import CaseNotVisible, NotPermitted, VersionConflict

#: Refusals caused by the case's state (try something else), not by what was sent.
STATE_CONFLICTS = frozenset(
    {"illegal-transition", "already-acknowledged", "case-not-open", "cannot-reopen"}
)

PROBLEMS: dict[int, dict[str, Any]] = {
    code: {"description": text, "content": {"application/problem+json": {}}}
    for code, text in (
        (401, "No token, or the token is expired, for another audience or badly signed"),
        (403, "Your role does not allow this (the problem says who may)"),
        (404, "No case with this id among the cases you may see"),
        (409, "The case changed since you read it, or its status does not allow this"),
        (422, "A field is invalid; the problem says which"),
        (428, "Send the case version you read (body 'version' or If-Match)"),
    )
}


@contextlib.contextmanager
def officer_problems() -> Iterator[None]:
    """Map refusals of the officer use cases to problems that say what to do."""
    try:
        yield
    except CaseNotVisible:
        raise LocalisedProblem(
            404,
            "case-not-found",
            en="No case with this id among the cases of your offices. Check the id.",
            km="គ្មានករណីដែលមានលេខសម្គាល់នេះ ក្នុងករណីនៃការិយាល័យរបស់អ្នកទេ។ សូមពិនិត្យលេខសម្គាល់។",
        ) from None
    except NotPermitted as exc:
        raise LocalisedProblem(
            403,
            "not-permitted",
            en=f"Not allowed: {exc}.",
            km="មិនអនុញ្ញាត៖ តួនាទីរបស់អ្នកមិនអាចធ្វើសកម្មភាពនេះបានទេ។",
        ) from None
    except VersionConflict as exc:
        raise LocalisedProblem(
            409,
            "version-conflict",
            en=f"Someone changed the case since you read it ({exc}). "
            "Read it again, check what changed, then act on the new version.",
            km=f"មាននរណាម្នាក់បានកែប្រែករណីនេះ បន្ទាប់ពីអ្នកបានអាន (កំណែបច្ចុប្បន្ន {exc.current})។ "
            "សូមអានម្តងទៀត រួចធ្វើសកម្មភាពលើកំណែថ្មី។",
            current_version=exc.current,
        ) from None
    except ActionRefused as exc:
        code = 409 if exc.slug in STATE_CONFLICTS else 422
        raise LocalisedProblem(code, exc.slug, en=exc.en, km=exc.km) from None
    except InvalidCursor:
        raise LocalisedProblem(
            400,
            "invalid-cursor",
            en="The cursor is not one this API gave; use next_cursor from the last page.",
            km="cursor មិនត្រឹមត្រូវ សូមប្រើ next_cursor ពីទំព័រមុន។",
        ) from None


def version_read(body_version: int | None, if_match: str | None) -> int:
    if body_version is not None:
        return body_version
    tag = (if_match or "").strip().removeprefix("W/").strip('"')
    if tag.isdigit():
        return int(tag)
    raise LocalisedProblem(
        428,
        "version-required",
        en="Send the case version you read: body field 'version' or the If-Match header "
        "with the case view's ETag.",
        km="សូមផ្ញើកំណែករណីដែលអ្នកបានអាន៖ វាល 'version' ឬ If-Match ជាមួយ ETag។",
    )


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of the problems an officer operation can answer."""
    return {code: PROBLEMS[code] for code in codes}
