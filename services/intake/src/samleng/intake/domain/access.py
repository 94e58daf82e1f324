"""Who may see and do what with a case. Pure: no I/O.

Access is object-level: a user reaches a case only through the office it currently sits
with (the offices in their token). Everything else answers "not found", so a guessed id
never reveals that a case exists. Ombudsmen reach cases routed or escalated to their
office, which includes conflict-of-interest cases; national analysts read every case but
act on none; admins read the audit trail, not cases. Heads of office read the part of the
trail about their own office (:func:`audit_offices`, :func:`in_office_trail`).

Partner experts (civil society, beside the ministry) read the cases in their scope and
add partner notes, nothing else. Their scope is in their token's ``samleng_offices``: an
office id (the cases with that office) or ``province:<code>`` (every case located in that
province). They never download attachments, never read internal notes or the audit trail.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from samleng.common.auth import Principal, Role

CASE_WORKERS = (Role.OFFICER, Role.OFFICE_HEAD, Role.OMBUDSMAN, Role.MINISTRY_LIAISON)
#: A partner expert's scope entry for a whole province: ``province:17``.
PROVINCE_SCOPE = "province:"


class OfficerAction(StrEnum):
    """The actions an office can take on a case."""

    ACKNOWLEDGE = "acknowledge"
    ASK = "ask"
    NOTE = "note"
    RESOLVE = "resolve"
    REJECT = "reject"
    MARK_DUPLICATE = "mark_duplicate"
    TRANSFER = "transfer"
    FORWARD = "forward"
    ESCALATE = "escalate"
    REOPEN = "reopen"
    LINK = "link"
    UNLINK = "unlink"


#: Actions that need more than being a case worker of the office.
RESTRICTED: dict[OfficerAction, tuple[Role, ...]] = {
    OfficerAction.REOPEN: (Role.OFFICE_HEAD,),
}


def can_read(principal: Principal, office_id: str | None, province_code: str = "") -> bool:
    """Whether the user may read a case that sits with ``office_id`` (in ``province_code``)."""
    if principal.has(Role.NATIONAL_ANALYST):
        return True
    if principal.has(*CASE_WORKERS) and office_id is not None and office_id in principal.offices:
        return True
    return is_partner(principal) and in_partner_scope(principal, office_id, province_code)


def is_partner(principal: Principal) -> bool:
    """Whether the user reads as a partner expert (and holds no office role besides)."""
    return principal.has(Role.PARTNER_EXPERT) and not principal.has(
        *CASE_WORKERS, Role.NATIONAL_ANALYST
    )


def partner_scope(principal: Principal) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A partner expert's scope: (office ids, province codes)."""
    offices = sorted(o for o in principal.offices if not o.startswith(PROVINCE_SCOPE))
    provinces = sorted(
        o.removeprefix(PROVINCE_SCOPE) for o in principal.offices if o.startswith(PROVINCE_SCOPE)
    )
    return tuple(offices), tuple(provinces)


def in_partner_scope(principal: Principal, office_id: str | None, province_code: str) -> bool:
    """Whether a case with ``office_id`` in ``province_code`` is in the partner's scope."""
    offices, provinces = partner_scope(principal)
    return (office_id is not None and office_id in offices) or (
        bool(province_code) and province_code in provinces
    )


def can_act(principal: Principal, office_id: str | None, action: OfficerAction) -> bool:
    """Whether the user may take ``action`` on a case that sits with ``office_id``."""
    if office_id is None or office_id not in principal.offices or is_partner(principal):
        return False
    allowed = RESTRICTED.get(action, CASE_WORKERS)
    return principal.has(*allowed)


def can_download(principal: Principal, office_id: str | None) -> bool:
    """Whether the user may download a case's attachments (officers of its office only)."""
    return office_id is not None and office_id in principal.offices and principal.has(*CASE_WORKERS)


def acting_role(principal: Principal, action: OfficerAction) -> Role:
    """The role the user acts in: the one the action needs, else their strongest case role."""
    for role in (*RESTRICTED.get(action, ()), *reversed(CASE_WORKERS)):
        if principal.has(role):
            return role
    raise ValueError("the user holds no case-worker role")


def inbox_offices(principal: Principal, requested: str | None) -> list[str]:
    """The offices whose inbox the user may list (one if asked for, else all of theirs)."""
    if principal.has(Role.NATIONAL_ANALYST) and requested is not None:
        return [requested]  # analysts read every office, one inbox at a time
    if not principal.has(*CASE_WORKERS):
        return []
    if requested is None:
        return sorted(principal.offices)
    return [requested] if requested in principal.offices else []


def audit_offices(principal: Principal) -> tuple[str, ...] | None:
    """Whose audit trail the user may read: None for all of it (admins), a head's own
    offices, or () for nobody's."""
    if principal.has(Role.ADMIN):
        return None
    if principal.has(Role.OFFICE_HEAD):
        return tuple(sorted(principal.offices))
    return ()


def in_office_trail(
    complaint_id: str | None,
    office_id: str | None,
    *,
    offices: Collection[str],
    office_cases: Collection[str],
    conduct_cases: Collection[str],
) -> bool:
    """Whether an entry belongs to the trail of ``offices``: it is about a case that is or
    was with them (``office_cases``) or was written by their staff (``office_id``), and it
    is never about a complaint of the conduct of their own officials (``conduct_cases``):
    an office must not learn, even from its trail, that such a complaint exists."""
    if complaint_id is not None and complaint_id in conduct_cases:
        return False
    return office_id in offices or (complaint_id is not None and complaint_id in office_cases)
