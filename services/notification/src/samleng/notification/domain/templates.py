"""The words of every notice, in Khmer and English. Pure: no I/O.

Citizen messages say only that *your case* changed, its new status and where to follow
it (the tracking page, where the citizen types their code): someone else reading the
phone learns nothing about the complaint. Officer messages name the office and the case
id, which officers see in their inbox anyway.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from samleng.common.i18n import day as calendar_day
from samleng.common.i18n import digits, number
from samleng.notification.domain.notices import Notice, NoticeKind

Language = Literal["km", "en"]
LANGUAGES: tuple[Language, ...] = ("km", "en")


@dataclass(frozen=True)
class Message:
    """What one recipient reads: a short subject (email, feed title) and the text."""

    subject: str
    text: str


_DEADLINES = {
    "acknowledge": ("acknowledgement", "ការទទួលស្គាល់"),
    "resolve": ("resolution", "ការដោះស្រាយ"),
    "confirm": ("confirmation", "ការបញ្ជាក់"),
}

_TRIGGERS = {
    "acknowledgement_overdue": ("it was not acknowledged in time", "វាមិនត្រូវបានទទួលស្គាល់ទាន់ពេល"),
    "resolution_overdue": ("it was not resolved in time", "វាមិនត្រូវបានដោះស្រាយទាន់ពេល"),
    "appeal": ("the citizen appealed", "ពលរដ្ឋបានប្តឹងឧទ្ធរណ៍"),
    "officer_request": ("an officer asked for it", "មន្ត្រីបានស្នើសុំ"),
}

# (English, Khmer) officer titles; {placeholders} are filled from the notice's params.
_OFFICER = {
    NoticeKind.ASSIGNED: (
        "A new case was assigned to {office_en}.",
        "ករណីថ្មីមួយត្រូវបានប្រគល់ទៅ {office_km}។",
    ),
    NoticeKind.TRANSFERRED_IN: (
        "A case was transferred to {office_en}.",
        "ករណីមួយត្រូវបានផ្ទេរមក {office_km}។",
    ),
    NoticeKind.FORWARDED_IN: (
        "A case was forwarded to {office_en} from another ministry.",
        "ករណីមួយត្រូវបានបញ្ជូនបន្តមក {office_km} ពីក្រសួងផ្សេង។",
    ),
    NoticeKind.ESCALATED_IN: (
        "A case of {from_en} was escalated to {to_en} because {trigger_en}.",
        "ករណីមួយរបស់ {from_km} ត្រូវបានលើកទៅ {to_km} ដោយសារ{trigger_km}។",
    ),
    NoticeKind.ESCALATED_AWAY: (
        "A case of {from_en} was escalated to {to_en} because {trigger_en}.",
        "ករណីមួយរបស់ {from_km} ត្រូវបានលើកទៅ {to_km} ដោយសារ{trigger_km}។",
    ),
    NoticeKind.CITIZEN_ANSWERED: (
        "The citizen answered a question on a case of your office.",
        "ពលរដ្ឋបានឆ្លើយសំណួរលើករណីមួយរបស់ការិយាល័យអ្នក។",
    ),
    NoticeKind.DEADLINE_APPROACHING: (
        "The {deadline_en} deadline of a case of {office_en} is near: {due_at} UTC.",
        "ថ្ងៃកំណត់{deadline_km}នៃករណីមួយរបស់ {office_km} ជិតដល់ហើយ៖ {due_at} UTC។",
    ),
    NoticeKind.DEADLINE_PASSED: (
        "The {deadline_en} deadline of a case of {office_en} passed at {due_at} UTC.",
        "ថ្ងៃកំណត់{deadline_km}នៃករណីមួយរបស់ {office_km} បានហួសហើយ៖ {due_at} UTC។",
    ),
    NoticeKind.MOVE_REFUSED: (
        "Your office's {request_en} request for a case was refused; the case stays with "
        "you: {reason_en}",
        "សំណើ{request_km}ករណីមួយរបស់ការិយាល័យអ្នកត្រូវបានបដិសេធ ករណីនៅតែនៅការិយាល័យអ្នក៖ {reason_km}",
    ),
}

_REQUESTS = {
    "transfer": ("transfer", "ផ្ទេរ"),
    "forward": ("forward", "បញ្ជូនបន្ត"),
    "escalation": ("escalation", "លើកឡើង"),
}

# (English, Khmer) citizen messages; only {url} is filled in.
_CITIZEN = {
    NoticeKind.CASE_ASSIGNED: (
        "Samleng: your case is now with the office that must act (status: assigned). "
        "Follow it at {url} with your tracking code.",
        "សំឡេង៖ ករណីរបស់អ្នកស្ថិតនៅការិយាល័យដែលត្រូវដោះស្រាយហើយ (ស្ថានភាព៖ បានប្រគល់)។ "
        "តាមដាននៅ {url} ដោយប្រើលេខកូដតាមដានរបស់អ្នក។",
    ),
    NoticeKind.QUESTION_ASKED: (
        "Samleng: an officer asked you a question about your case "
        "(status: information requested). Answer it at {url} with your tracking code.",
        "សំឡេង៖ មន្ត្រីបានសួរសំណួរអ្នកអំពីករណីរបស់អ្នក (ស្ថានភាព៖ ស្នើសុំព័ត៌មាន)។ "
        "សូមឆ្លើយនៅ {url} ដោយប្រើលេខកូដតាមដានរបស់អ្នក។",
    ),
    NoticeKind.CASE_RESOLVED: (
        "Samleng: your case was marked resolved (status: resolved). At {url}, with your "
        "tracking code, confirm it if the problem is solved or appeal if it is not.",
        "សំឡេង៖ ករណីរបស់អ្នកត្រូវបានកត់ថាបានដោះស្រាយ (ស្ថានភាព៖ បានដោះស្រាយ)។ "
        "នៅ {url} ដោយប្រើលេខកូដតាមដានរបស់អ្នក សូមបញ្ជាក់ប្រសិនបើបញ្ហាត្រូវបានដោះស្រាយ "
        "ឬប្តឹងឧទ្ធរណ៍ប្រសិនបើមិនទាន់។",
    ),
    NoticeKind.CASE_ESCALATED: (
        "Samleng: your case was raised to a higher level (status: escalated). "
        "Follow it at {url} with your tracking code.",
        "សំឡេង៖ ករណីរបស់អ្នកត្រូវបានលើកទៅថ្នាក់ខ្ពស់ជាង (ស្ថានភាព៖ បានលើកឡើង)។ "
        "តាមដាននៅ {url} ដោយប្រើលេខកូដតាមដានរបស់អ្នក។",
    ),
    NoticeKind.CASE_FORWARDED: (
        "Samleng: your case was sent on to the ministry in charge (status: forwarded). "
        "Follow it at {url} with your tracking code.",
        "សំឡេង៖ ករណីរបស់អ្នកត្រូវបានបញ្ជូនបន្តទៅក្រសួងដែលទទួលខុសត្រូវ (ស្ថានភាព៖ បានបញ្ជូនបន្ត)។ "
        "តាមដាននៅ {url} ដោយប្រើលេខកូដតាមដានរបស់អ្នក។",
    ),
    NoticeKind.CASE_CLOSED: (
        "Samleng: your case is closed: the time to confirm or appeal the resolution ran "
        "out (status: closed). If the problem is not solved, appeal at {url} with your "
        "tracking code while the period to appeal lasts, or send new feedback.",
        "សំឡេង៖ ករណីរបស់អ្នកត្រូវបានបិទ ព្រោះរយៈពេលបញ្ជាក់ ឬប្តឹងឧទ្ធរណ៍លើការដោះស្រាយបានផុតកំណត់ "
        "(ស្ថានភាព៖ បានបិទ)។ ប្រសិនបើបញ្ហាមិនទាន់ត្រូវបានដោះស្រាយ សូមប្តឹងឧទ្ធរណ៍នៅ {url} "
        "ដោយប្រើលេខកូដតាមដានរបស់អ្នក ក្នុងរយៈពេលប្តឹងឧទ្ធរណ៍ ឬដាក់មតិថ្មី។",
    ),
    NoticeKind.CASE_CLOSED_NO_REPLY: (
        "Samleng: your case is closed because the office's question to you was not "
        "answered in time (status: closed). If you still need help, reopen it and answer "
        "at {url} with your tracking code while the period to reopen lasts, or send new "
        "feedback.",
        "សំឡេង៖ ករណីរបស់អ្នកត្រូវបានបិទ ព្រោះសំណួររបស់ការិយាល័យមិនត្រូវបានឆ្លើយទាន់ពេល "
        "(ស្ថានភាព៖ បានបិទ)។ ប្រសិនបើអ្នកនៅត្រូវការជំនួយ សូមបើកវាឡើងវិញ ហើយឆ្លើយនៅ {url} "
        "ដោយប្រើលេខកូដតាមដានរបស់អ្នក ក្នុងរយៈពេលបើកឡើងវិញ ឬដាក់មតិថ្មី។",
    ),
    NoticeKind.CASE_CLOSED_WITH_OTHERS: (
        "Samleng: your case is closed together with the other reports of the same problem "
        "(status: closed). If the problem is not solved, appeal at {url} with your tracking "
        "code while the period to appeal lasts.",
        "សំឡេង៖ ករណីរបស់អ្នកត្រូវបានបិទរួមជាមួយរបាយការណ៍ផ្សេងទៀតអំពីបញ្ហាដដែល (ស្ថានភាព៖ បានបិទ)។ "
        "ប្រសិនបើបញ្ហាមិនទាន់ត្រូវបានដោះស្រាយ សូមប្តឹងឧទ្ធរណ៍នៅ {url} ដោយប្រើលេខកូដតាមដានរបស់អ្នក "
        "ក្នុងរយៈពេលប្តឹងឧទ្ធរណ៍។",
    ),
    NoticeKind.CASE_LINKED: (
        "Samleng: other people reported the same problem as you. The office handles the "
        "reports together, and your case follows their progress (status: joined with "
        "other reports). Follow it at {url} with your tracking code.",
        "សំឡេង៖ មានអ្នកផ្សេងទៀតបានរាយការណ៍បញ្ហាដដែលនឹងអ្នក។ ការិយាល័យដោះស្រាយរបាយការណ៍ទាំងនោះជាមួយគ្នា "
        "ហើយករណីរបស់អ្នកដើរតាមវឌ្ឍនភាពនោះ (ស្ថានភាព៖ បានភ្ជាប់ជាមួយរបាយការណ៍ផ្សេង)។ "
        "តាមដាននៅ {url} ដោយប្រើលេខកូដតាមដានរបស់អ្នក។",
    ),
}

_CITIZEN_SUBJECT = ("Samleng: news about your case", "សំឡេង៖ ព័ត៌មានថ្មីអំពីករណីរបស់អ្នក")


_CONFIRMATION = (
    "Samleng: to receive updates from Samleng here, enter the code {code} at {url}. "
    "Not expecting this? Ignore it and you will get no updates.",
    "សំឡេង៖ ដើម្បីទទួលព័ត៌មានថ្មីៗពីសំឡេងនៅទីនេះ សូមបញ្ចូលលេខកូដ {code} នៅ {url}។ "
    "ប្រសិនបើអ្នកមិនបានរំពឹងសារនេះទេ សូមកុំអើពើ អ្នកនឹងមិនទទួលព័ត៌មានថ្មីៗទេ។",
)
_CONFIRMATION_SUBJECT = (
    "Samleng: confirm to receive updates",
    "សំឡេង៖ សូមបញ្ជាក់ដើម្បីទទួលព័ត៌មានថ្មីៗ",
)


_RECEIPT = (
    "Samleng: your tracking code is {code}. Keep it: it is the only way to follow your "
    "case, at {url}, at any counter or on the hotline.",
    "សំឡេង៖ លេខកូដតាមដានរបស់អ្នកគឺ {code}។ សូមរក្សាវាទុក៖ វាជាមធ្យោបាយតែមួយគត់ដើម្បីតាមដាន"
    "ករណីរបស់អ្នក នៅ {url} នៅបញ្ជរណាមួយ ឬតាមខ្សែទូរស័ព្ទ។",
)
_RECEIPT_SUBJECT = ("Samleng: your tracking code", "សំឡេង៖ លេខកូដតាមដានរបស់អ្នក")


def receipt(language: Language, url: str, code: str) -> Message:
    """The one message that carries a tracking code: the code and where to follow it."""
    text = _pick(_RECEIPT, language).format(code=code, url=url)
    return Message(subject=_pick(_RECEIPT_SUBJECT, language), text=text)


def confirmation_request(language: Language, url: str, code: str) -> Message:
    """The first message to a contact: asks its holder to confirm, says nothing of a case."""
    text = _pick(_CONFIRMATION, language).format(code=code, url=url)
    return Message(subject=_pick(_CONFIRMATION_SUBJECT, language), text=text)


def _pick(pair: tuple[str, str], language: Language) -> str:
    return pair[0] if language == "en" else pair[1]


def _when(text: str, language: Language) -> str:
    """A notice's "YYYY-MM-DD HH:MM" as the reader writes a date ("៦ ធ្នូ ២០២៦ ០៩:៣០")."""
    try:
        moment = datetime.strptime(text, "%Y-%m-%d %H:%M")
    except ValueError:
        return text
    return f"{calendar_day(moment, language)} {digits(moment.strftime('%H:%M'), language)}"


def _officer_values(notice: Notice, language: Language) -> dict[str, str]:
    values = dict(notice.params)
    if "due_at" in values:
        values["due_at"] = _when(values["due_at"], language)
    deadline = _DEADLINES.get(values.get("deadline", ""), ("deadline", "ថ្ងៃកំណត់"))
    trigger = _TRIGGERS.get(values.get("trigger", ""), ("of the escalation ladder", "ការលើកឡើង"))
    request = _REQUESTS.get(values.get("request", ""), ("move", "ផ្លាស់ទី"))
    values.update(
        request_en=request[0],
        request_km=request[1],
        deadline_en=deadline[0],
        deadline_km=deadline[1],
        trigger_en=trigger[0],
        trigger_km=trigger[1],
    )
    return values


def title(notice: Notice, language: Language) -> str:
    """The one-line title of an officer notice (the in-app feed shows both languages)."""
    template = _pick(_OFFICER[notice.kind], language)
    return template.format_map(_Defaulting(_officer_values(notice, language)))


def render(notice: Notice, language: Language, tracking_url: str) -> Message:
    """The message one recipient reads, in their language."""
    if notice.audience == "citizen":
        text = _pick(_CITIZEN[notice.kind], language).format(url=tracking_url)
        return Message(subject=_pick(_CITIZEN_SUBJECT, language), text=text)
    headline = title(notice, language)
    label = "Case" if language == "en" else "ករណី"
    case_line = f"{label}: {notice.complaint_id}"
    return Message(subject=f"Samleng: {headline}", text=f"{headline}\n{case_line}")


def digest(titles: list[str], day: str, language: Language) -> Message:
    """One message gathering a day's officer alerts (``day``: YYYY-MM-DD), its count and
    date written as the reader writes them."""
    count = number(len(titles), language)
    with suppress(ValueError):  # not a calendar day: shown as given
        day = calendar_day(date.fromisoformat(day), language)
    if language == "en":
        subject = f"Samleng: {count} alert(s) for {day}"
    else:
        subject = f"សំឡេង៖ ការជូនដំណឹង {count} សម្រាប់ថ្ងៃ {day}"
    return Message(subject=subject, text="\n".join(f"- {line}" for line in titles))


class _Defaulting(dict[str, str]):
    """Leaves an unknown placeholder visible rather than failing a whole delivery."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
