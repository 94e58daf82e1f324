"""What the conversation says, in Khmer and English, and what each reply costs by SMS.

Khmer travels as UCS-2: one SMS segment holds 70 characters, 67 per part when a reply is
split. Every reply here is kept to one or two segments with a typical place name
(``tests/unit/conversations/test_replies.py`` holds each one to its budget); the costs
are listed in docs/channels.md. English replies are plain ASCII (GSM-7, 160 a segment).
"""

from __future__ import annotations

from samleng.common.events import CaseStatus
from samleng.common.events.values import Language
from samleng.common.sms import SmsSize, sms_size
from samleng.intake.adapters.gazetteer import locate_commune, place_names
from samleng.intake.conversations.dialogue import Prompt

#: Reply texts by name: (Khmer, English); ``{name}`` fields are filled in by render().
TEXTS: dict[str, tuple[str, str]] = {
    "ask_kind": (
        "សំឡេង៖ ជាអ្វី? 1 បណ្ដឹង 2 សុំជំនួយ 3 សុំព័ត៌មាន 4 យោបល់ (EN=English)",
        "Samleng: what is it? 1 complaint 2 request for help 3 request for information "
        "4 suggestion (KM=Khmer)",
    ),
    "ask_category": (
        "អំពីអ្វី? 1 ថ្លៃលើស 2 យឺត 3 បដិសេធ 4 មិនគួរសម 5 រើសអើង 6 អវត្តមាន 7 ពុករលួយ 8 ផ្សេង",
        "About what? 1 extra fee 2 delay 3 refusal 4 rude conduct 5 discrimination "
        "6 official absent 7 corruption 8 other",
    ),
    "ask_place": (
        "ឃុំ/សង្កាត់ណា? សរសេរឈ្មោះ ឬលេខកូដ៦ខ្ទង់",
        "Which commune or sangkat? Write its name or its 6-digit code.",
    ),
    "place_not_found": (
        "រកមិនឃើញ។ សរសេរឈ្មោះឃុំ/សង្កាត់ ឬលេខកូដ៦ខ្ទង់ម្ដងទៀត",
        "Not found. Write the commune or sangkat name, or its 6-digit code, again.",
    ),
    "pick_place": ("មួយណា? {list} 0 គ្មាន", "Which one? {list} 0 none of these"),
    "confirm_place": ("{place}? 1 ត្រូវ 2 ទេ", "{place}? 1 yes 2 no"),
    "ask_description": (
        "រៀបរាប់ពីអ្វីដែលបានកើតឡើង (កុំដាក់ឈ្មោះ ឬលេខទូរស័ព្ទ)",
        "Describe what happened (leave out names and phone numbers).",
    ),
    "ask_about_office": (
        "តើរឿងនេះអំពីការិយាល័យដែលដោះស្រាយវាឬ? 1 បាទ/ចាស 2 ទេ",
        "Is this about the office that handles it? 1 yes 2 no",
    ),
    "ask_photo": (
        "ផ្ញើរូបថតមួយ បើមាន (កុំឱ្យឃើញមុខមនុស្ស) ឬចុច រំលង",
        "Send a photo if you have one (no faces, please), or press Skip.",
    ),
    "photo_too_large": (
        "រូបថតធំពេក (លើស {limit})។ ផ្ញើរូបតូចជាងនេះ ឬចុច រំលង",
        "The photo is too large (over {limit}). Send a smaller one, or press Skip.",
    ),
    "confirm": (
        "ផ្ញើ{kind} នៅ{commune}? 1 ផ្ញើ 2 បោះបង់",
        "Send this {kind} in {commune}? 1 send 2 cancel",
    ),
    "confirm_photo": (
        "ផ្ញើ{kind} នៅ{commune} ជាមួយរូបថត? 1 ផ្ញើ 2 បោះបង់",
        "Send this {kind} in {commune} with the photo? 1 send 2 cancel",
    ),
    "photo_attached": ("រូបថតត្រូវបានភ្ជាប់។", "Your photo is attached."),
    "photo_not_attached": (
        "រូបថតមិនបានភ្ជាប់ទេ៖ {reason} អ្នកអាចភ្ជាប់វានៅលើគេហទំព័រ ដោយប្រើលេខកូដ។",
        "Your photo was not attached: {reason} You can attach it on the web with your code.",
    ),
    "filed": (
        "បានទទួល។ លេខកូដ៖ {code} រក្សាទុក! ផ្ញើ STATUS {code} ដើម្បីតាមដាន",
        "Received. Your code: {code} Keep it. Send STATUS {code} to follow your case.",
    ),
    "cancelled": (
        "បានបោះបង់។ ផ្ញើសារដើម្បីចាប់ផ្ដើមម្ដងទៀត",
        "Cancelled. Write again to start over.",
    ),
    "help": (
        "សំឡេង៖ ផ្ញើសារដើម្បីដាក់មតិ STATUS លេខកូដ=ស្ថានភាព STOP=ឈប់ EN=English",
        "Samleng: write to give feedback. STATUS code: your case. STOP: no more messages. "
        "NEW: a new report. KM: Khmer",
    ),
    "resumed": (
        "អ្នកនឹងទទួលសារពីសំឡេងម្ដងទៀត។ STOP=ឈប់",
        "You will get messages from Samleng again. STOP: no more messages.",
    ),
    "stopped": (
        "អ្នកនឹងមិនទទួលសារពីសំឡេងទៀតទេ។",
        "You will get no more messages from Samleng.",
    ),
    "status": ("ស្ថានភាព៖ {status}។ ការិយាល័យ៖ {office}", "Status: {status}. Office: {office}"),
    "status_question": (
        "ស្ថានភាព៖ {status}។ សំណួរ៖ {question} ឆ្លើយតបដោយផ្ញើសារ",
        "Status: {status}. Question: {question} Reply to answer it.",
    ),
    "unknown_code": (
        "រកមិនឃើញករណីនៃលេខកូដនេះ។ ពិនិត្យលេខកូដម្ដងទៀត",
        "No case has this code. Check it and try again.",
    ),
    "answered": (
        "អរគុណ។ ចម្លើយបានផ្ញើទៅការិយាល័យ។ NEW=រាយការណ៍ថ្មី",
        "Thank you: your answer went to the office. To make a new report, send NEW.",
    ),
    "slow_down": ("សារច្រើនពេក។ សូមរង់ចាំមួយម៉ោង", "Too many messages. Wait an hour."),
    "try_later": ("សូមព្យាយាមម្ដងទៀតនៅពេលក្រោយ", "Please try again later."),
    "refused": ("មិនអាចទទួលបាន៖ {reason}", "Not accepted: {reason}"),
    "filing": ("កំពុងផ្ញើ…", "Sending…"),
    # labels of chat buttons
    "yes": ("បាទ/ចាស", "Yes"),
    "no": ("ទេ", "No"),
    "send": ("ផ្ញើ", "Send"),
    "cancel": ("បោះបង់", "Cancel"),
    "skip": ("រំលង", "Skip"),
    "none": ("គ្មាន", "None of these"),
    "kind_complaint": ("បណ្ដឹង", "complaint"),
    "kind_request_for_help": ("សុំជំនួយ", "request for help"),
    "kind_request_for_information": ("សុំព័ត៌មាន", "request for information"),
    "kind_suggestion": ("យោបល់", "suggestion"),
    "category_extra_fee": ("ថ្លៃលើស", "extra fee"),
    "category_delay": ("យឺត", "delay"),
    "category_refusal": ("បដិសេធ", "refusal"),
    "category_rude_conduct": ("មិនគួរសម", "rude conduct"),
    "category_discrimination": ("រើសអើង", "discrimination"),
    "category_absent_official": ("អវត្តមាន", "official absent"),
    "category_corruption": ("ពុករលួយ", "corruption"),
    "category_other": ("ផ្សេង", "other"),
}

STATUS_TEXTS: dict[CaseStatus, tuple[str, str]] = {
    CaseStatus.SUBMITTED: ("បានទទួល", "received"),
    CaseStatus.ASSIGNED: ("នៅការិយាល័យ", "with the office"),
    CaseStatus.ACKNOWLEDGED: ("កំពុងដោះស្រាយ", "being handled"),
    CaseStatus.INFORMATION_REQUESTED: ("ការិយាល័យមានសំណួរ", "the office asks you"),
    CaseStatus.RESOLVED: ("បានដោះស្រាយ", "resolved"),
    CaseStatus.REOPENED: ("បានបើកឡើងវិញ", "reopened"),
    CaseStatus.REJECTED: ("បានបដិសេធ", "rejected"),
    CaseStatus.CLOSED: ("បានបិទ", "closed"),
    CaseStatus.WITHDRAWN: ("បានដក", "withdrawn"),
}


def text(name: str, language: Language, **values: str) -> str:
    """A reply by name in a language, its fields filled in."""
    km, en = TEXTS[name]
    return (km if language == "km" else en).format(**values)


def status_label(status: CaseStatus, language: Language) -> str:
    """A case status in a few words."""
    km, en = STATUS_TEXTS[status]
    return km if language == "km" else en


def commune_label(code: str, language: Language, *, full: bool = False) -> str:
    """A commune's name with its district (and province when ``full``)."""
    location = locate_commune(code)
    if location is None:
        return code
    names = place_names(location)
    pick = 0 if language == "km" else 1
    levels = ("commune", "district", "province") if full else ("commune", "district")
    return ", ".join(names[level][pick] for level in levels if level in names)


def render(prompt: Prompt, language: Language) -> str:
    """The text of a prompt in a language (place codes shown as names)."""
    values = dict(prompt.values)
    if prompt.name == "pick_place":
        listed = " ".join(f"{n} {commune_label(code, language)}" for n, code in values.items())
        return text("pick_place", language, list=listed)
    if prompt.name == "confirm_place":
        return text("confirm_place", language, place=commune_label(values["commune"], language))
    if prompt.name in ("confirm", "confirm_photo"):
        kind = text(f"kind_{values['kind']}", language)
        commune = commune_label(values["commune"], language).split(",")[0]
        return text(prompt.name, language, kind=kind, commune=commune)
    return text(prompt.name, language, **values)


def label(prompt: Prompt, name: str, value: str, language: Language) -> str:
    """The label of one choice of a prompt, for a chat button."""
    if prompt.name == "pick_place" and value in prompt.values:
        return commune_label(prompt.values[value], language)
    return text(name, language)


def cost(reply: str) -> SmsSize:
    """How a reply travels by SMS: encoding, length in that encoding's units, segments."""
    return sms_size(reply)
