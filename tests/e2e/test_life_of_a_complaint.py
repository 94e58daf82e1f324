"""The life of a complaint across the four services, each a real process on real RabbitMQ
and MongoDB (the ``life`` fixture of this folder's conftest): a citizen submits in Khmer,
routing assigns it with deadlines, an officer of that office acknowledges it and asks a
question, the citizen answers with the tracking code, the officer resolves it, the citizen
confirms and the case closes; reporting counts it and notification alerts the office and
texts the citizen. A conflict-of-interest complaint about a commune office goes to the
district ombudsman, and the commune cannot even see it.
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from samleng.common.calendar import load_holidays
from tests.e2e.conftest import poll

pytestmark = pytest.mark.e2e

COMMUNE = "170201"  # Chub Ta Trav, Angkor Thum district, Siem Reap (a pilot province)
COMMUNE_OFFICE = f"commune:{COMMUNE}"
DISTRICT_OMBUDSMAN = "district-ombudsman:1702"
PHNOM_PENH = timezone(timedelta(hours=7))


def submitted_in_district(life: Any) -> int:
    """How many cases this module submitted in the commune's district."""
    return sum(commune.startswith(COMMUNE[:4]) for commune in life.submitted)


def on_a_working_day_at_closing(instant: datetime) -> bool:
    """Deadlines end when offices close (17:00 in Phnom Penh) on a working day."""
    local = instant.astimezone(PHNOM_PENH)
    holidays = load_holidays().days  # the deployment's versioned holidays file
    return local.hour == 17 and local.weekday() < 5 and local.date() not in holidays


def test_a_complaint_from_submission_to_closure(life: Any) -> None:
    # typed on a keyboard that decomposes: intake stores it in NFC
    description = unicodedata.normalize(
        "NFD",
        f"មន្ត្រីឃុំទារប្រាក់ ៥០០០០ រៀល សម្រាប់ការចុះបញ្ជីកំណើតហួសកំណត់ ដោយគ្មានបង្កាន់ដៃ {uuid.uuid4().hex[:8]}",
    )
    code = life.submit(
        commune_code=COMMUNE,
        category="extra_fee",
        service_code="civil.late_birth_registration",
        amount_asked_riel=50000,
        village_code="17020101",
        description=description,
        contacts=[{"channel": "sms", "address": "012 345 678"}],
        reporter_gender="female",
        reporter_age_band="25_34",
    )

    # the number gets one request to confirm, saying nothing of the case; its holder confirms
    request = poll(lambda: life.sms and life.sms[0]["text"])
    assert "ករណី" not in request and "012" not in request
    life.confirm_contact(request)

    # routing assigns it to the commune office that provides the service, and says why
    assigned = poll(lambda: (c := life.citizen_view(code))["status"] == "assigned" and c)
    assert assigned["office"] == {
        "level": "commune",
        "name_en": "Chub Ta Trav commune/sangkat office",
        "name_km": "រដ្ឋបាលឃុំ/សង្កាត់ ជប់តាត្រាវ",
    }
    assert assigned["service"]["code"] == "civil.late_birth_registration"
    why = assigned["timeline"][-1]["text"]
    assert "Late birth registration is provided by Chub Ta Trav commune/sangkat office" in why["en"]
    assert "សេវា ការចុះបញ្ជីកំណើតហួសកំណត់ ផ្ដល់ដោយ រដ្ឋបាលឃុំ/សង្កាត់ ជប់តាត្រាវ" in why["km"]

    # an officer of that office finds it in the inbox, with routing's deadlines
    commune = life.officer("officer-e2e-commune", "officer", COMMUNE_OFFICE)
    (listed,) = poll(lambda: life.officer_get("/inbox", commune).json()["cases"])
    assert listed["status"] == "assigned"
    assert listed["office"]["office_id"] == COMMUNE_OFFICE
    deadlines = listed["deadlines"]
    # the service's own standard time (5 working days) is the time to resolve
    assert deadlines["sla_rule"] == "default+category:extra_fee+service-standard"
    assert deadlines["overall_by"] is not None and deadlines["reply_by"] is None
    assert listed["next_due"] == deadlines["acknowledge_by"]
    submitted_at = datetime.fromisoformat(listed["submitted_at"])
    acknowledge_by = datetime.fromisoformat(deadlines["acknowledge_by"])
    resolve_by = datetime.fromisoformat(deadlines["resolve_by"])
    assert submitted_at < acknowledge_by < resolve_by
    assert on_a_working_day_at_closing(acknowledge_by)
    assert on_a_working_day_at_closing(resolve_by)
    # 1 working day to acknowledge: at most a long weekend plus a holiday week away
    assert acknowledge_by - submitted_at < timedelta(days=10)

    complaint_id = listed["complaint_id"]
    case = life.officer_get(f"/cases/{complaint_id}", commune).json()
    assert case["description"] == unicodedata.normalize("NFC", description)
    assert (case["amount_asked_riel"], case["official_fee_riel"]) == (50000, 4000)
    assert [r["en"] for r in case["routing"]] == [
        "Assigned to Chub Ta Trav commune/sangkat office. "
        "Late birth registration is provided by Chub Ta Trav commune/sangkat office."
    ]
    assert "acknowledge" in case["actions"]

    # acknowledge, then ask the citizen a question
    case = life.officer_act(case, "acknowledge", commune)
    assert case["status"] == "acknowledged"
    question = "តើគេទារប្រាក់នៅថ្ងៃណា?"
    case = life.officer_act(case, "questions", commune, text=question)
    assert case["status"] == "information_requested"

    # the citizen reads the question with the tracking code and answers it; while it
    # waits, the office's clock is paused and the citizen sees until when to answer
    asked = poll(lambda: (v := life.citizen_view(code))["deadlines"]["reply_by"] and v)
    assert asked["deadlines"]["resolve_by"] is None
    assert "clock is paused" in asked["timeline"][-1]["text"]["en"]
    assert asked["status"] == "information_requested"
    assert "answer" in asked["actions"]
    (open_question,) = asked["questions"]
    assert (open_question["text"], open_question["answered"]) == (question, False)
    answer = "គេទារ ៥០០០០ រៀល នៅថ្ងៃទី ៣ ខែវិច្ឆិកា"
    answered = life.citizen_act(
        code, "answers", question_id=open_question["question_id"], text=answer
    )
    assert answered["status"] == "acknowledged"

    # the officer reads the answer, and the clock running again with the time it had
    # left, and resolves the case with a note for the citizen
    case = poll(
        lambda: (
            (c := life.officer_get(f"/cases/{complaint_id}", commune).json())["deadlines"][
                "resolve_by"
            ]
            and c
        )
    )
    assert case["deadlines"]["reply_by"] is None
    assert case["questions"][0]["answer"] == answer
    note = "មន្ត្រីបានសងប្រាក់ ៤៦០០០ រៀល វិញ ហើយត្រូវបានព្រមាន។"
    case = life.officer_act(case, "resolve", commune, note=note)
    assert case["status"] == "resolved"

    resolved = life.citizen_view(code)
    assert resolved["status"] == "resolved"
    assert "confirm" in resolved["actions"]
    assert any(note in step["text"]["km"] for step in resolved["timeline"])

    # the citizen confirms: the case is closed, everywhere
    closed = life.citizen_act(code, "confirmation")
    assert closed["status"] == "closed"
    assert [step["status"] for step in closed["timeline"]] == [
        "submitted",
        "assigned",
        "acknowledged",
        "information_requested",
        "information_requested",  # routing paused the office's clock
        "acknowledged",
        "acknowledged",  # routing resumed it with the time that was left
        "resolved",
        "closed",
    ]
    (in_inbox,) = life.officer_get("/inbox", commune).json()["cases"]
    assert (in_inbox["status"], in_inbox["next_due"]) == ("closed", None)

    # routing heard the acknowledgement, resolution and closure: no clock is left running
    routed = poll(lambda: (r := life.routing_case(complaint_id))["status"] == "closed" and r)
    assert (routed["timers"], routed["next_due_at"]) == ([], None)

    # reporting counts it closed by the citizen, in the headline and in open data
    headline = poll(lambda: (s := life.summary())["closed_confirmed"] == 1 and s)
    assert headline["received"] == len(life.submitted)
    assert headline["resolved"] >= 1
    figures = poll(
        lambda: (f := life.district_figures(COMMUNE[:4])).get("closed_confirmed") == 1 and f
    )
    assert figures["received"] == submitted_in_district(life)

    # notification: the office's feed has the new case and the citizen's answer ...
    alerts = poll(lambda: len(a := life.feed(COMMUNE_OFFICE)) >= 2 and a)
    mine = [a for a in alerts if a["complaint_id"] == complaint_id]
    assert [a["title"]["en"] for a in mine] == [
        "The citizen answered a question on a case of your office.",
        "A new case was assigned to Chub Ta Trav commune/sangkat office.",
    ]
    assert mine[1]["title"]["km"] == "ករណីថ្មីមួយត្រូវបានប្រគល់ទៅ រដ្ឋបាលឃុំ/សង្កាត់ ជប់តាត្រាវ។"
    # ... and the citizen's SMS (sealed by intake, opened by notification) told them, in
    # Khmer, of the assignment, the question and the resolution, and nothing about the case
    texts = poll(lambda: len(sms := life.sms) >= 4 and [m["text"] for m in sms[1:]])
    assert len(texts) == 3
    assert {m["to"] for m in life.sms} == {"+85512345678"}
    for status in ("បានប្រគល់", "ស្នើសុំព័ត៌មាន", "បានដោះស្រាយ"):  # assigned, asked, resolved
        assert sum(f"ស្ថានភាព៖ {status}" in text for text in texts) == 1, texts
    for text in texts:
        assert code not in text and "ជប់តាត្រាវ" not in text and answer not in text

    # intake's audit trail names every read and action of the officer
    trail = life.audit_actions(complaint_id)
    acts = [action for action, subject in trail if subject == "officer-e2e-commune"]
    for action in ("case.acknowledge", "case.ask", "case.resolve"):
        assert action in acts, trail
    assert not any(life.dead_letters().values()), life.dead_letters()


def test_a_complaint_about_the_commune_office_goes_to_the_district_ombudsman(life: Any) -> None:
    code = life.submit(
        commune_code=COMMUNE,
        category="extra_fee",
        service_code="civil.birth_certificate",
        amount_asked_riel=20000,
        about_office_id=COMMUNE_OFFICE,
        about_office_conduct=True,
        description="មេឃុំទារប្រាក់ ២០០០០ រៀល សម្រាប់សំបុត្រកំណើត",
    )
    assigned = poll(lambda: (c := life.citizen_view(code))["status"] == "assigned" and c)
    assert assigned["office"]["name_en"] == "Angkor Thum district ombudsman"
    assert "never the office itself" in assigned["timeline"][-1]["text"]["en"]
    assert "អម្បុដ្សម៉ាន់មួយថ្នាក់ខាងលើ" in assigned["timeline"][-1]["text"]["km"]

    ombudsman = life.officer("ombudsman-e2e-district", "ombudsman", DISTRICT_OMBUDSMAN)
    (listed,) = poll(lambda: life.officer_get("/inbox", ombudsman).json()["cases"])
    complaint_id = listed["complaint_id"]
    assert listed["office"]["office_id"] == DISTRICT_OMBUDSMAN
    assert listed["deadlines"]["acknowledge_by"] is not None
    case = life.officer_get(f"/cases/{complaint_id}", ombudsman).json()
    assert case["about_office_id"] == COMMUNE_OFFICE and case["about_office_conduct"] is True

    # the commune office whose officials are complained about cannot see it at all
    commune = life.officer("officer-e2e-commune", "officer", COMMUNE_OFFICE)
    refused = life.officer_get(f"/cases/{complaint_id}", commune)
    assert refused.status_code == 404, refused.text
    assert refused.json()["type"].endswith("/case-not-found")
    commune_inbox = life.officer_get("/inbox", commune).json()["cases"]
    assert complaint_id not in {c["complaint_id"] for c in commune_inbox}
    assert ("case.read.refused", "officer-e2e-commune") in life.audit_actions(complaint_id)

    # notification alerts the ombudsman, never the commune office
    alerts = poll(lambda: life.feed(DISTRICT_OMBUDSMAN))
    assert [a["title"]["en"] for a in alerts] == [
        "A new case was assigned to Angkor Thum district ombudsman."
    ]
    assert complaint_id not in {a["complaint_id"] for a in life.feed(COMMUNE_OFFICE)}

    # the ombudsman escalates it: routing moves it one level up, which every service sees
    life.officer_act(case, "escalate", ombudsman, reason="ត្រូវការការពិនិត្យថ្នាក់ខេត្ត")
    moved = poll(lambda: (c := life.citizen_view(code))["office"]["level"] == "province" and c)
    assert moved["office"]["name_en"] == "Siemreap provincial ombudsman"
    provincial = life.officer("ombudsman-e2e-province", "ombudsman", "provincial-ombudsman:17")
    (escalated,) = poll(lambda: life.officer_get("/inbox", provincial).json()["cases"])
    assert (escalated["complaint_id"], escalated["escalated"]) == (complaint_id, True)
    assert life.officer_get(f"/cases/{complaint_id}", ombudsman).status_code == 404
    told = poll(lambda: life.feed("provincial-ombudsman:17"))
    assert "escalated to Siemreap provincial ombudsman" in told[0]["title"]["en"]
    left = poll(lambda: len(f := life.feed(DISTRICT_OMBUDSMAN)) == 2 and f)
    assert "escalated" in left[0]["title"]["en"]
    figures = poll(lambda: (f := life.district_figures(COMMUNE[:4])).get("escalated") == 1 and f)
    assert figures["received"] == submitted_in_district(life)
    assert not any(life.dead_letters().values()), life.dead_letters()


def test_an_escalation_requested_then_an_acknowledgement_still_moves_the_case(life: Any) -> None:
    """An officer asks to escalate and, before routing answers, acknowledges the case.

    Routing escalates (its answer follows the request: sequence 4); the acknowledgement
    followed the request too (also sequence 4). Routing has the case with the district
    ombudsman and runs the ombudsman's clocks; intake must show it there as well.
    """
    commune_code = "170301"  # another district, so the other tests' district counts hold
    office = f"commune:{commune_code}"
    ombudsman_office = "district-ombudsman:1703"
    code = life.submit(category="delay", commune_code=commune_code, description="យឺតយ៉ាវ ៣ ខែ")
    poll(lambda: life.citizen_view(code)["status"] == "assigned")
    commune = life.officer("officer-e2e-1703", "officer", office)
    (listed,) = poll(lambda: life.officer_get("/inbox", commune).json()["cases"])
    complaint_id = listed["complaint_id"]

    # an intake that stores both actions before publishing either, so routing answers
    # the request only after the acknowledgement exists: the race, made deterministic
    life.restart_intake(relay_enabled="false")
    case = life.officer_get(f"/cases/{complaint_id}", commune).json()
    case = life.officer_act(case, "escalate", commune, reason="ត្រូវការអម្បុដ្សម៉ាន់ស្រុក")
    case = life.officer_act(case, "acknowledge", commune)
    life.restart_intake()

    routed = poll(lambda: (r := life.routing_case(complaint_id))["office_id"] != office and r)
    assert routed["office_id"] == ombudsman_office
    # intake has received routing's escalation once its timeline tells the citizen of it
    escalated = poll(
        lambda: (
            (c := life.citizen_view(code))["timeline"][-1]["text"]["en"].startswith("Escalated")
            and c
        )
    )
    assert escalated["office"]["level"] == "district"
    ombudsman = life.officer("ombudsman-e2e-1703", "ombudsman", ombudsman_office)
    inbox = life.officer_get("/inbox", ombudsman).json()["cases"]
    assert complaint_id in {c["complaint_id"] for c in inbox}
    assert life.officer_get(f"/cases/{complaint_id}", commune).status_code == 404


def test_a_refused_transfer_is_shown_to_the_officer_and_on_the_timeline(life: Any) -> None:
    """Routing refuses a transfer to an office its directory does not know: it says so
    (complaint.move_refused), and the officer sees why; nothing goes to a dead-letter queue."""
    commune_code = "170401"  # another district, so the other tests' district counts hold
    office = f"commune:{commune_code}"
    code = life.submit(category="delay", commune_code=commune_code, description="យឺតយ៉ាវ ២ ខែ")
    poll(lambda: life.citizen_view(code)["status"] == "assigned")
    commune = life.officer("officer-e2e-1704", "officer", office)
    (listed,) = poll(lambda: life.officer_get("/inbox", commune).json()["cases"])
    complaint_id = listed["complaint_id"]
    dead_before = life.dead_letters()

    case = life.officer_get(f"/cases/{complaint_id}", commune).json()
    assert case["deadlines"]["overall_by"] is not None  # the overall deadline is shown
    life.officer_act(case, "transfer", commune, reason="មិនមែនជាករណីរបស់យើង", to_office_id="x:1")

    seen = poll(
        lambda: (
            (c := life.officer_get(f"/cases/{complaint_id}", commune).json())["move_refusals"] and c
        )
    )
    [refusal] = seen["move_refusals"]
    assert refusal["request"] == "transfer" and refusal["office_id"] == office
    assert refusal["to"] == "x:1" and "unknown office" in refusal["reason"]["en"]
    assert refusal["reason"]["km"]
    assert seen["office"]["office_id"] == office  # the case stayed
    assert seen["status"] == case["status"]
    assert "was refused" in seen["timeline"][-1]["text"]["en"]
    citizen = life.citizen_view(code)
    assert "was refused" in citizen["timeline"][-1]["text"]["en"]
    assert citizen["timeline"][-1]["text"]["km"]
    assert citizen["deadlines"]["overall_by"] == case["deadlines"]["overall_by"]
    assert life.dead_letters() == dead_before
