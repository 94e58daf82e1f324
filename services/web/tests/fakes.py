"""An in-memory intake and notification for the web's unit tests (no network)."""

from __future__ import annotations

from typing import Any

from samleng.web.adapters.api import ApiProblem, Upload

CODE = "7K3M-Q9TX-2HBD-W4NE-R"
PLACES = {
    "": [{"code": "17", "name": {"km": "សៀមរាប", "en": "Siem Reap"}}],
    "17": [{"code": "1702", "name": {"km": "ក្រឡាញ់", "en": "Kralanh"}}],
    "1702": [{"code": "170201", "name": {"km": "ក្រឡាញ់", "en": "Kralanh"}}],
    "170201": [{"code": "17020101", "name": {"km": "ភូមិ១", "en": "Village 1"}}],
}


def case_view(**changes: Any) -> dict[str, Any]:
    """A citizen case view as intake answers it."""
    view: dict[str, Any] = {
        "status": "information_requested",
        "status_label": {"en": "Information requested", "km": "ស្នើសុំព័ត៌មាន"},
        "kind": "complaint",
        "category": "extra_fee",
        "service": None,
        "submitted_at": "2026-12-01T03:00:00Z",
        "office": {"level": "commune", "name_en": "Kralanh commune", "name_km": "ឃុំក្រឡាញ់"},
        "timeline": [
            {
                "at": "2026-12-01T03:00:00Z",
                "status": "submitted",
                "text": {"en": "Received", "km": "បានទទួល"},
            }
        ],
        "questions": [
            {
                "question_id": "q1",
                "asked_at": "2026-12-02T03:00:00Z",
                "text": "When?",
                "answered": False,
            }
        ],
        "attachments": 0,
        "rating": None,
        "reopen_until": None,
        "actions": ["answer", "add_information", "attach", "withdraw"],
    }
    view.update(changes)
    return view


class FakeIntake:
    """Records what the web sent; answers like intake."""

    def __init__(self) -> None:
        self.submitted: list[tuple[dict[str, Any], str, str]] = []
        self.acted: list[tuple[str, str, Any]] = []
        self.attached: list[Upload] = []
        self.problem: ApiProblem | None = None
        self.view = case_view()

    async def ready(self) -> bool:
        return True

    async def services(self) -> list[dict[str, Any]]:
        return [
            {
                "code": "civil.birth_certificate",
                "name_km": "សំបុត្រកំណើត",
                "name_en": "Birth certificate",
                "official_fee_riel": 5000,
                "standard_working_days": 3,
            }
        ]

    async def categories(self) -> list[dict[str, Any]]:
        return [{"code": "extra_fee", "label": {"en": "Extra fee", "km": "ទារប្រាក់លើស"}}]

    async def places(self, parent: str | None = None) -> list[dict[str, Any]]:
        return PLACES.get(parent or "", [])

    async def submit(self, body: dict[str, Any], key: str, lang: str) -> dict[str, Any]:
        if self.problem:
            raise self.problem
        self.submitted.append((body, key, lang))
        return {"tracking_code": CODE, "status": "submitted"}

    async def case(self, code: str, lang: str) -> dict[str, Any]:
        if self.problem:
            raise self.problem
        return self.view

    async def citizen_act(self, code: str, action: str, body: Any, lang: str) -> dict[str, Any]:
        if self.problem:
            raise self.problem
        self.acted.append((code, action, body))
        return self.view

    async def attach(self, code: str, upload: Upload, lang: str) -> dict[str, Any]:
        self.attached.append(upload)
        return self.view


def officer_case(**changes: Any) -> dict[str, Any]:
    """An officer's case view as intake answers it."""
    view: dict[str, Any] = {
        "complaint_id": "c0ffee",
        "version": 3,
        "status": "assigned",
        "status_label": {"en": "Assigned", "km": "បានចាត់តាំង"},
        "kind": "complaint",
        "category": "extra_fee",
        "service_code": None,
        "description": "គេទារលុយលើស",
        "language": "km",
        "channel": "web",
        "location": {
            "province_code": "17",
            "district_code": "1702",
            "commune_code": "170201",
            "village_code": None,
        },
        "about_office_id": None,
        "about_office_conduct": False,
        "amount_asked_riel": None,
        "official_fee_riel": None,
        "office": {"office_id": "commune:170201", "name_en": "Commune", "name_km": "ឃុំ"},
        "deadlines": None,
        "next_due": "2026-12-03T10:00:00Z",
        "escalated": False,
        "routing": [{"en": "Assigned by rule", "km": "ចាត់តាំងតាមច្បាប់"}],
        "submitted_at": "2026-12-01T03:00:00Z",
        "answered_at": None,
        "rating": None,
        "timeline": [],
        "questions": [],
        "citizen_notes": [],
        "internal_notes": [],
        "attachments": [],
        "actions": ["note", "acknowledge", "ask", "transfer", "forward", "escalate", "resolve"],
    }
    view.update(changes)
    return view


class FakeOfficerIntake(FakeIntake):
    """Intake's officer API: an inbox of one case, actions recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.officer_view = officer_case()
        self.tokens: list[str] = []
        self.filed: list[dict[str, Any]] = []
        self.decided: list[str] = []
        self.queue = [
            {
                "message_id": "0b9d6a52-6d2f-4d8e-9a57-1f0c3e2b7a10",
                "kind": "message",
                "text": "ផ្លូវខូចយូរហើយ",
                "received_at": "2026-12-01T03:00:00Z",
                "sender": "a1b2c3d4e5",
            }
        ]

    async def inbox(self, token: str, params: Any, lang: str) -> dict[str, Any]:
        self.tokens.append(token)
        summary = {k: self.officer_view[k] for k in ("complaint_id", "status", "status_label")}
        summary.update(
            kind="complaint",
            category="extra_fee",
            location=self.officer_view["location"],
            escalated=False,
            next_due="2020-01-01T00:00:00Z",
            overdue=True,
            submitted_at="2026-12-01T03:00:00Z",
        )
        return {
            "offices": ["commune:170201"],
            "counts": {"assigned": 1},
            "cases": [summary],
            "next_cursor": None,
        }

    async def officer_case(self, token: str, complaint_id: str, lang: str) -> dict[str, Any]:
        return self.officer_view

    async def desk_queue(self, token: str, lang: str) -> list[dict[str, Any]]:
        return [m for m in self.queue if m["message_id"] not in self.decided]

    async def file_message(
        self, token: str, message_id: str, body: dict[str, Any], lang: str
    ) -> dict[str, Any]:
        self.decided.append(message_id)
        return await self.file_for_citizen(token, body, lang)

    async def dismiss_message(self, token: str, message_id: str, reason: str, lang: str) -> None:
        if len(reason) < 3:
            raise ApiProblem(422, "validation", "reason: at least 3 characters")
        self.decided.append(message_id)

    async def file_for_citizen(self, token: str, body: dict[str, Any], lang: str) -> dict[str, Any]:
        self.filed.append(body)
        conduct = bool(body.get("about_office_conduct"))
        notes = [{"en": "Keep this code.", "km": "សូមរក្សាលេខកូដនេះ។"}]
        if conduct:
            notes.append({"en": "It goes to the ombudsman.", "km": "ទៅអម្បុដ្សម៉ាន់។"})
        return {
            "tracking_code": "7K3M-Q9TX-2HBD-W4NE-R",
            "complaint_status": "submitted",
            "desk": body["desk"],
            "desk_name": {"en": "Counter", "km": "បញ្ជរ"},
            "notes": notes,
            "to_ombudsman": conduct,
        }

    async def officer_act(
        self, token: str, complaint_id: str, action: str, body: dict[str, Any], lang: str
    ) -> dict[str, Any]:
        if self.problem:
            raise self.problem
        self.acted.append((complaint_id, action, body))
        return self.officer_view


#: The one confirmation code the fake notification knows.
CONFIRMATION_CODE = "K7M2Q-9TX2H"


class FakeNotification:
    """An office feed with one unread alert; one confirmation code it sent."""

    def __init__(self) -> None:
        self.confirmed: list[tuple[str, str]] = []

    async def confirm_contact(self, code: str, lang: str) -> None:
        typed = code.upper().replace(" ", "").replace("-", "")
        if len(typed) != 10:
            raise ApiProblem(422, "invalid-confirmation-code", "not the shape of a code")
        if typed != CONFIRMATION_CODE.replace("-", ""):
            raise ApiProblem(404, "confirmation-code-not-found", "not a code we sent")
        self.confirmed.append((code, lang))

    async def feed(self, token: str, office_id: str, lang: str) -> dict[str, Any]:
        alert = {
            "event_id": "e1",
            "complaint_id": "c0ffee",
            "channel": "in_app",
            "title": {"en": "A new case", "km": "ករណីថ្មី"},
            "created_at": "2026-12-01T03:00:00Z",
            "read": False,
        }
        return {"office_id": office_id, "unread": 1, "alerts": [alert]}

    async def mark_read(self, token: str, office_id: str, event_id: str, lang: str) -> None:
        return None
