"""Khmer and English names of every published figure and breakdown value."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "received": {"km": "បានទទួល", "en": "Received"},
    "awaiting_routing": {"km": "កំពុងរង់ចាំការបញ្ជូន", "en": "Awaiting routing"},
    "in_progress": {"km": "កំពុងដោះស្រាយ", "en": "In progress"},
    "resolved_awaiting_confirmation": {
        "km": "បានដោះស្រាយ រង់ចាំការបញ្ជាក់",
        "en": "Resolved, awaiting confirmation",
    },
    "closed_confirmed": {"km": "បានបិទ ដោយពលរដ្ឋបញ្ជាក់", "en": "Closed, confirmed by citizen"},
    "closed_auto": {"km": "បានបិទដោយស្វ័យប្រវត្តិ", "en": "Closed automatically"},
    "rejected": {"km": "បានបដិសេធ", "en": "Rejected"},
    "withdrawn": {"km": "បានដកវិញ", "en": "Withdrawn"},
    "open": {"km": "មិនទាន់បញ្ចប់", "en": "Open"},
    "resolved": {"km": "បានដោះស្រាយ", "en": "Resolved"},
    "forwarded": {"km": "បានបញ្ជូនទៅក្រសួងផ្សេង", "en": "Forwarded to another ministry"},
    "escalated": {"km": "បានលើកឡើងថ្នាក់លើ", "en": "Escalated"},
    "reopened": {"km": "បានបើកឡើងវិញ", "en": "Reopened"},
    "ended_otherwise": {"km": "បានបដិសេធ ឬដកវិញ", "en": "Rejected or withdrawn"},
    "total": {"km": "សរុប", "en": "Total"},
    "closed_no_reply": {
        "km": "បានបិទ ដោយពលរដ្ឋមិនឆ្លើយតប",
        "en": "Closed, no reply from the citizen",
    },
    "due": {"km": "ដល់កាលកំណត់", "en": "Due"},
    "met": {"km": "ទាន់ពេល", "en": "Met"},
    "missed": {"km": "ហួសកាលកំណត់", "en": "Missed"},
    "within": {"km": "ទាន់កាលកំណត់រួម", "en": "Within the overall deadline"},
    "median": {"km": "មធ្យមភាគ (ថ្ងៃធ្វើការ)", "en": "Median (working days)"},
    "p90": {"km": "ភាគរយទី ៩០ (ថ្ងៃធ្វើការ)", "en": "90th percentile (working days)"},
    "reopen_rate": {"km": "អត្រាបើកឡើងវិញ", "en": "Reopen rate"},
    "from_this_year": {"km": "ទទួលក្នុងឆ្នាំនេះ", "en": "Received this year"},
    "carried_over": {"km": "នៅសល់ពីឆ្នាំមុនៗ", "en": "Carried over from earlier years"},
    "unassigned": {"km": "មិនទាន់បញ្ជូន", "en": "Not yet routed"},
    "commune": {"km": "ឃុំ/សង្កាត់", "en": "Commune/sangkat"},
    "district": {"km": "ស្រុក/ខណ្ឌ", "en": "District"},
    "district_ombudsman": {"km": "អម្បុដ្សម៉ាន់ស្រុក/ខណ្ឌ", "en": "District ombudsman"},
    "province": {"km": "ខេត្ត/រាជធានី", "en": "Province"},
    "provincial_ombudsman": {"km": "អម្បុដ្សម៉ាន់ខេត្ត/រាជធានី", "en": "Provincial ombudsman"},
    "ministry": {"km": "ក្រសួង", "en": "Ministry"},
    "national_team": {"km": "ក្រុមការងារថ្នាក់ជាតិ", "en": "National team"},
    "national": {"km": "ថ្នាក់ជាតិ", "en": "National"},
    "female": {"km": "ស្រី", "en": "Female"},
    "male": {"km": "ប្រុស", "en": "Male"},
    "other": {"km": "ផ្សេងៗ", "en": "Other"},
    "undisclosed": {"km": "មិនបញ្ជាក់", "en": "Not stated"},
    "unknown": {"km": "មិនដឹង", "en": "Unknown"},
    "counter": {"km": "បញ្ជរ (OWSO/OWSU)", "en": "Counter (OWSO/OWSU)"},
    "hotline": {"km": "ខ្សែទូរស័ព្ទទាន់ហេតុការណ៍", "en": "Hotline"},
    "social_media": {"km": "បណ្តាញសង្គម", "en": "Social media"},
    "messages_received": {"km": "សារបានទទួល", "en": "Messages received"},
    "messages_dismissed": {"km": "សារមិនបានទទួលយក", "en": "Messages dismissed"},
}

SUPPRESSION_RULE = {
    "en": (
        "Cells counting 1 to {k_minus_1} cases are suppressed, and so are other cells that "
        "would let a suppressed cell be recomputed from totals (complementary suppression)."
    ),
    "km": (
        "ក្រឡាដែលមានពី ១ ដល់ {k_minus_1} ករណី ត្រូវបានលាក់ "
        "ព្រមទាំងក្រឡាផ្សេងទៀតដែលអាចប្រើគណនាក្រឡាដែលបានលាក់ពីចំនួនសរុប។"
    ),
}


def label(key: str) -> dict[str, str]:
    """The Khmer and English name of a figure or value (the key itself when unnamed)."""
    return LABELS.get(key, {"km": key, "en": key})
