"""What citizens read for kinds and categories, in English and Khmer."""

from __future__ import annotations

from samleng.common.events import Category, FeedbackKind

KIND_LABELS: dict[FeedbackKind, tuple[str, str]] = {
    FeedbackKind.COMPLAINT: ("Complaint", "ពាក្យបណ្តឹង"),
    FeedbackKind.REQUEST_FOR_HELP: ("Request for help", "សំណើសុំជំនួយ"),
    FeedbackKind.REQUEST_FOR_INFORMATION: ("Request for information", "សំណើសុំព័ត៌មាន"),
    FeedbackKind.SERVICE_EVALUATION: ("Service evaluation", "ការវាយតម្លៃសេវា"),
    FeedbackKind.SUGGESTION: ("Suggestion", "សំណូមពរ"),
}

CATEGORY_LABELS: dict[Category, tuple[str, str]] = {
    Category.EXTRA_FEE: ("Extra or unofficial fees", "ការទារប្រាក់លើស ឬក្រៅផ្លូវការ"),
    Category.DELAY: ("Delay", "ការពន្យារពេល"),
    Category.REFUSAL: ("Refusal of service", "ការបដិសេធមិនផ្តល់សេវា"),
    Category.RUDE_CONDUCT: ("Rude or abusive conduct", "អាកប្បកិរិយាមិនសមរម្យ ឬរំលោភ"),
    Category.DISCRIMINATION: (
        "Discrimination (including gender)",
        "ការរើសអើង (រួមទាំងយេនឌ័រ)",
    ),
    Category.ABSENT_OFFICIAL: ("Absent officials", "មន្ត្រីអវត្តមាន"),
    Category.CORRUPTION: ("Corruption", "អំពើពុករលួយ"),
    Category.OTHER: ("Other", "ផ្សេងៗ"),
}
