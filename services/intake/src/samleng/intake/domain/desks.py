"""Desks where staff file for citizens without the app, and what a receipt says. Pure.

A desk is named in the agent's token (``samleng_desks``) as ``<kind>:<office id>``:
``counter:district:1702`` (the OWSO counter of Kampong Siem), ``hotline:national:moi``,
``social_media:national:moi``. The identity provider says who sits at which desk, as it
says who works in which office; the kind says the channel the case is filed through.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from samleng.common.auth import Principal, Role
from samleng.intake.domain.model import Submission


class DeskKind(StrEnum):
    """The kinds of desk: each is also the channel its filings carry."""

    COUNTER = "counter"
    HOTLINE = "hotline"
    SOCIAL_MEDIA = "social_media"


DESK_NAMES: dict[DeskKind, tuple[str, str]] = {
    DeskKind.COUNTER: ("Counter", "បញ្ជរ"),
    DeskKind.HOTLINE: ("Hotline", "ខ្សែទូរស័ព្ទទាន់ហេតុការណ៍"),
    DeskKind.SOCIAL_MEDIA: ("Social-media desk", "ក្រុមការងារបណ្តាញសង្គម"),
}


class NotADeskAgent(PermissionError):
    """The user is no agent of the desk they name (or of any desk)."""


@dataclass(frozen=True)
class Desk:
    """A desk: its kind and the office that runs it."""

    kind: DeskKind
    office_id: str

    @property
    def desk_id(self) -> str:
        """The id tokens name it by."""
        return f"{self.kind.value}:{self.office_id}"

    @classmethod
    def parse(cls, desk_id: str) -> Desk | None:
        """The desk an id names; None if it names none."""
        kind, _, office_id = desk_id.partition(":")
        if kind not in set(DeskKind) or ":" not in office_id or len(desk_id) > 96:
            return None
        return cls(DeskKind(kind), office_id)


def desk_of(principal: Principal, requested: str | None, *, kind: DeskKind | None = None) -> Desk:
    """The desk the agent acts at: the one asked for, or their only one (of ``kind``)."""
    if not principal.has(Role.DESK_AGENT):
        raise NotADeskAgent("the desk_agent role is needed")
    desks = [d for d in map(Desk.parse, sorted(principal.desks)) if d is not None]
    if kind is not None:
        desks = [d for d in desks if d.kind is kind]
    if requested is not None:
        desks = [d for d in desks if d.desk_id == requested]
    if len(desks) != 1:
        raise NotADeskAgent(
            "name one of your desks in 'desk'" if len(desks) > 1 else "you are at no such desk"
        )
    return desks[0]


def files_against_its_own_office(desk: Desk, submission: Submission) -> bool:
    """A complaint about the conduct of the very office whose counter takes it."""
    return submission.about_office_conduct and submission.about_office_id == desk.office_id


@dataclass(frozen=True)
class Receipt:
    """What the citizen is told at filing, in both languages (the code is shown once)."""

    tracking_code: str
    desk_en: str
    desk_km: str
    notes_en: tuple[str, ...]
    notes_km: tuple[str, ...]


def receipt(desk: Desk, submission: Submission, code: str) -> Receipt:
    """The receipt of a filing: the code, how to follow it, and who will handle it."""
    name_en, name_km = DESK_NAMES[desk.kind]
    notes_en = [
        "Keep this code: it is the only way to follow your case. Staff cannot look it up "
        "again for you.",
        "Follow your case at any counter, on the hotline or on the web with this code.",
    ]
    notes_km = [
        "សូមរក្សាលេខកូដនេះ៖ វាជាមធ្យោបាយតែមួយគត់ដើម្បីតាមដានករណីរបស់អ្នក។ បុគ្គលិកមិនអាចរកវាម្តងទៀតជូនអ្នកបានទេ។",
        "អ្នកអាចតាមដានករណីរបស់អ្នកនៅបញ្ជរណាមួយ តាមខ្សែទូរស័ព្ទ ឬតាមគេហទំព័រ ដោយប្រើលេខកូដនេះ។",
    ]
    if files_against_its_own_office(desk, submission):
        notes_en.append(
            "Your complaint is about the conduct of officials of this office. It goes to "
            "the ombudsman above this office: this office cannot see it."
        )
        notes_km.append(
            "ពាក្យបណ្តឹងរបស់អ្នកទាក់ទងនឹងអាកប្បកិរិយារបស់មន្ត្រីនៃការិយាល័យនេះ។ "
            "វានឹងត្រូវបញ្ជូនទៅអង្គភាពទទួលពាក្យបណ្តឹង (អម្បុដ្សម៉ាន់) ថ្នាក់លើ៖ "
            "ការិយាល័យនេះមិនអាចមើលឃើញវាទេ។"
        )
    return Receipt(code, name_en, name_km, tuple(notes_en), tuple(notes_km))


def filing_detail(desk: Desk, channel: str) -> str:
    """What the audit entry of an assisted filing says (desk and channel, nothing else)."""
    return f"desk={desk.desk_id} channel={channel}"
