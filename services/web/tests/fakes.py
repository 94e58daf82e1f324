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
