"""Every text a person reads on the portal and the console, in Khmer and English.

    text = Texts("km")
    text("receipt_title")                 # "បានទទួល។ ..."
    text("fee_line", fee="5,000", days=3)  # placeholders filled with str.format

Khmer is the default; ``Texts.of(value)`` takes any ``lang`` value a request carries and
falls back to Khmer. A missing key raises at once (tests render every page in both).
"""

from __future__ import annotations

from typing import Any, Literal

Lang = Literal["km", "en"]
LANGS: tuple[Lang, ...] = ("km", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (Khmer, English)
    "site_name": ("សំឡេង", "Samleng"),
    "tagline": ("ផ្តល់មតិលើសេវាសាធារណៈ ដោយអនាមិក", "Feedback on public services, anonymously"),
    "skip": ("រំលងទៅខ្លឹមសារ", "Skip to content"),
    "nav_submit": ("ផ្តល់មតិ", "Give feedback"),
    "nav_track": ("តាមដានករណីរបស់ខ្ញុំ", "Follow my case"),
    "nav_officer": ("មន្ត្រី", "Officers"),
    "nav_stats": ("ស្ថិតិសាធារណៈ", "Public statistics"),
    "leave": ("ចាកចេញភ្លាម", "Leave quickly"),
    "switch_lang": ("English", "ខ្មែរ"),
    "switch_lang_label": ("Read this page in English", "អានទំព័រនេះជាភាសាខ្មែរ"),
    "main_nav": ("ម៉ឺនុយ", "Menu"),
    "optional": ("មិនចាំបាច់", "optional"),
    "choose": ("ជ្រើសរើស…", "Choose…"),
    "send": ("ផ្ញើ", "Send"),
    "not_found_title": ("រកមិនឃើញទំព័រនេះទេ", "This page does not exist"),
    "back_home": ("ត្រឡប់ទៅទំព័រដើម", "Back to the start"),
    "bad_request": (
        "តំណភ្ជាប់ ឬទម្រង់នេះមិនត្រឹមត្រូវទេ។ សូមចាប់ផ្តើមម្តងទៀតពីទំព័រដើម។",
        "This link or form is not valid. Please start again from the first page.",
    ),
    "server_error": (
        "មានបញ្ហានៅខាងយើង។ សូមព្យាយាមម្តងទៀតបន្តិចទៀត។",
        "Something went wrong on our side. Please try again in a moment.",
    ),
    # submit
    "submit_title": ("ផ្តល់មតិលើសេវាសាធារណៈ", "Give feedback on a public service"),
    "anonymity_intro": (
        "អ្នកមិនចាំបាច់ផ្តល់ឈ្មោះទេ។ កូនសោតែមួយគត់ដើម្បីត្រឡប់មករកករណីរបស់អ្នកវិញ គឺលេខកូដតាមដានដែលអ្នកទទួលបាននៅចុងបញ្ចប់។",
        "You do not need to give your name. Your only key back to your case is the "
        "tracking code you get at the end.",
    ),
    "step_kind": ("តើអ្នកចង់ធ្វើអ្វី?", "What do you want to do?"),
    "kind_complaint": ("ប្តឹងតវ៉ា", "Make a complaint"),
    "kind_request_for_help": ("ស្នើសុំជំនួយ", "Ask for help"),
    "kind_request_for_information": ("ស្នើសុំព័ត៌មាន", "Ask for information"),
    "kind_service_evaluation": ("វាយតម្លៃសេវា", "Rate a service"),
    "kind_suggestion": ("ផ្តល់យោបល់", "Make a suggestion"),
    "step_category": ("តើវាទាក់ទងនឹងអ្វី?", "What is it about?"),
    "step_service": ("សេវាមួយណា?", "Which service?"),
    "no_service": ("មិនទាក់ទងនឹងសេវាណាមួយ", "Not about one service"),
    "fee_line": (
        "តម្លៃផ្លូវការ៖ {fee} រៀល · រយៈពេលស្តង់ដារ៖ {days} ថ្ងៃធ្វើការ",
        "official fee {fee} riel · standard time {days} working days",
    ),
    "amount_asked": (
        "តើគេទារប្រាក់អ្នកប៉ុន្មាន (រៀល)?",
        "How much were you asked to pay (riel)?",
    ),
    "amount_hint": (
        "សម្រាប់ការប្តឹងអំពីការទារប្រាក់លើស។ ត្រូវជ្រើសរើសសេវាខាងលើ។",
        "For complaints about extra fees. Choose the service above.",
    ),
    "service_rating": ("ការវាយតម្លៃរបស់អ្នកលើសេវា", "Your rating of the service"),
    "rating_hint": ("ចាំបាច់ នៅពេលអ្នកវាយតម្លៃសេវា។", "Needed when you rate a service."),
    "stars_1": ("១ — អាក្រក់ខ្លាំង", "1 — very bad"),
    "stars_2": ("២ — អាក្រក់", "2 — bad"),
    "stars_3": ("៣ — មធ្យម", "3 — fair"),
    "stars_4": ("៤ — ល្អ", "4 — good"),
    "stars_5": ("៥ — ល្អណាស់", "5 — very good"),
    "step_place": ("តើវាកើតឡើងនៅទីណា?", "Where did it happen?"),
    "province": ("ខេត្ត/រាជធានី", "Province or capital"),
    "district": ("ស្រុក/ក្រុង/ខណ្ឌ", "District, municipality or khan"),
    "commune": ("ឃុំ/សង្កាត់", "Commune or sangkat"),
    "village": ("ភូមិ", "Village"),
    "show_list": ("បង្ហាញបញ្ជីបន្ទាប់", "Show the next list"),
    "place_hint": (
        "ជ្រើសរើសខេត្ត រួចចុច «បង្ហាញបញ្ជីបន្ទាប់» ដើម្បីជ្រើសរើសស្រុក និងឃុំ។",
        "Choose the province, then press “Show the next list” to choose the district and commune.",
    ),
    "about_office": ("តើវាទាក់ទងនឹងមន្ត្រីនៃការិយាល័យណាមួយ?", "Is it about officials of an office?"),
    "about_none": ("ទេ", "No"),
    "about_commune": ("មន្ត្រីឃុំ/សង្កាត់", "Officials of the commune or sangkat office"),
    "about_owso": (
        "មន្ត្រីការិយាល័យច្រកចេញចូលតែមួយស្រុក",
        "Officials of the district One Window Service Office",
    ),
    "about_owsu": (
        "មន្ត្រីអង្គភាពច្រកចេញចូលតែមួយខេត្ត",
        "Officials of the provincial One Window Service Unit",
    ),
    "about_hint": (
        "បើដូច្នេះ ករណីនេះនឹងទៅដល់អ្នកទទួលបណ្តឹងថ្នាក់លើ មិនមែនទៅការិយាល័យនោះទេ។",
        "If so, the case goes to the ombudsman above that office, never to the office itself.",
    ),
    "step_description": ("តើមានអ្វីកើតឡើង?", "What happened?"),
    "description_hint": (
        "សូមប្រាប់ថាមានអ្វី ពេលណា និងនៅកន្លែងណា។ សូមកុំសរសេរឈ្មោះ ឬលេខទូរស័ព្ទរបស់អ្នកនៅទីនេះ។",
        "Say what happened, when and where. Do not write your name or phone number here.",
    ),
    "step_photos": ("រូបថត ឬឯកសារ", "Photos or documents"),
    "photos_hint": (
        "រហូតដល់ ៥ ឯកសារ JPEG, PNG, WebP ឬ PDF មិនលើស ៥ MB ក្នុងមួយ។ យើងលុបទីតាំង "
        "និងព័ត៌មានកាមេរ៉ាចេញពីរូបថត។ ឯកសារ PDF ត្រូវរក្សាទុកដូចដែលបានផ្ញើ៖ "
        "បើមិនប្រាកដ សូមថតរូបវាជំនួសវិញ។",
        "Up to 5 files: JPEG, PNG, WebP or PDF, at most 5 MB each. We remove the location "
        "and camera details from photos. PDFs are kept as sent: when in doubt, take a photo "
        "of the paper instead.",
    ),
    "step_contact": ("ទំនាក់ទំនង", "Contact"),
    "contact_explain": (
        "ប្រសិនបើអ្នកទុកលេខទូរស័ព្ទ តេឡេក្រាម ឬអ៊ីមែល យើងអាចជូនដំណឹងអ្នកនៅពេលករណីរបស់អ្នក"
        "មានដំណើរការ។ វាត្រូវបានរក្សាទុកដោយអ៊ិនគ្រីប ហើយមន្ត្រីមិនដែលឃើញវាឡើយ។ ប៉ុន្តែ "
        "ករណីរបស់អ្នកលែងជាអនាមិកទាំងស្រុងទៀតហើយ៖ ប្រព័ន្ធអាចភ្ជាប់ករណីនេះទៅនឹងលេខនោះ។ "
        "ទុកឲ្យនៅទទេ ដើម្បីនៅតែអនាមិកទាំងស្រុង។ អ្នកតែងតែអាចតាមដានករណីដោយលេខកូដតាមដាន។",
        "If you leave a phone number, Telegram or email, we can tell you when your case "
        "moves. It is stored encrypted and officers never see it. But your case is then no "
        "longer fully anonymous: the system could link this case to that number. Leave it "
        "empty to stay fully anonymous; you can always follow your case with the tracking "
        "code.",
    ),
    "contact_channel": ("មធ្យោបាយ", "Channel"),
    "contact_none": ("គ្មាន — នៅអនាមិក", "None — stay anonymous"),
    "contact_sms": ("SMS", "SMS"),
    "contact_telegram": ("តេឡេក្រាម", "Telegram"),
    "contact_email": ("អ៊ីមែល", "Email"),
    "contact_address": ("លេខទូរស័ព្ទ @ឈ្មោះ ឬអ៊ីមែល", "Phone number, @username or email"),
    "contact_missing": (
        "សូមសរសេរលេខ ឈ្មោះ ឬអ៊ីមែល ឬជ្រើសរើស «គ្មាន»។",
        "Write the number, username or address, or choose “None”.",
    ),
    "step_about_you": ("អំពីអ្នក (សម្រាប់តែស្ថិតិ)", "About you (for statistics only)"),
    "about_you_hint": (
        "មិនចាំបាច់។ យើងមិនបង្ហាញវាទៅមន្ត្រីទេ ហើយបោះពុម្ពផ្សាយតែជាចំនួនសរុបប៉ុណ្ណោះ។",
        "Optional. Officers never see it; it is published only as totals.",
    ),
    "gender": ("ភេទ", "Gender"),
    "gender_female": ("ស្រី", "Woman"),
    "gender_male": ("ប្រុស", "Man"),
    "gender_other": ("ផ្សេងទៀត", "Other"),
    "gender_undisclosed": ("មិនចង់ប្រាប់", "Prefer not to say"),
    "age_band": ("អាយុ", "Age"),
    "age_under_18": ("ក្រោម ១៨ ឆ្នាំ", "Under 18"),
    "age_18_24": ("១៨–២៤ ឆ្នាំ", "18–24"),
    "age_25_34": ("២៥–៣៤ ឆ្នាំ", "25–34"),
    "age_35_44": ("៣៥–៤៤ ឆ្នាំ", "35–44"),
    "age_45_59": ("៤៥–៥៩ ឆ្នាំ", "45–59"),
    "age_60_plus": ("៦០ ឆ្នាំឡើងទៅ", "60 or over"),
    "age_undisclosed": ("មិនចង់ប្រាប់", "Prefer not to say"),
    "not_said": ("មិនបានជ្រើសរើស", "Not given"),
    "submit_button": ("ផ្ញើមតិរបស់ខ្ញុំ", "Send my feedback"),
    "errors_summary": (
        "មិនទាន់បានផ្ញើទេ។ សូមកែតម្រូវចំណុចដែលបានសម្គាល់ខាងក្រោម។",
        "Not sent yet. Please fix the fields marked below.",
    ),
    "required": ("សូមជ្រើសរើស ឬបំពេញចំណុចនេះ។", "Choose or fill in this field."),
    "too_many_files": ("យ៉ាងច្រើនបំផុត ៥ ឯកសារ។", "At most 5 files."),
    "file_refused": (
        "ឯកសារ «{name}» មិនត្រូវបានទទួលទេ៖ {why}",
        "The file “{name}” was not accepted: {why}",
    ),
    "files_not_sent": (
        "ករណីរបស់អ្នកត្រូវបានទទួល ប៉ុន្តែឯកសារខ្លះមិនបានភ្ជាប់ទេ។ អ្នកអាចភ្ជាប់វាម្តងទៀតនៅទំព័រ «តាមដាន»។",
        "Your case was received, but some files were not attached. You can attach them "
        "again on the “Follow my case” page.",
    ),
    "offline_queued": (
        "អ្នកគ្មានអ៊ីនធឺណិតទេ។ មតិរបស់អ្នកត្រូវបានរក្សាទុកនៅលើឧបករណ៍នេះ ហើយនឹងត្រូវផ្ញើ"
        "ម្តងគត់ នៅពេលមានបណ្តាញវិញ។ សូមបើកទំព័រនេះទុក។",
        "You are offline. Your feedback is saved on this device and will be sent once, "
        "when the network is back. Keep this page open.",
    ),
    "offline_sending": ("កំពុងផ្ញើមតិដែលបានរក្សាទុក…", "Sending your saved feedback…"),
    # receipt
    # assisted filing at a desk (officer console)
    "nav_filing": ("ដាក់ពាក្យជំនួសពលរដ្ឋ", "File for a citizen"),
    "desk": ("បញ្ជរ", "Desk"),
    "desk_file_title": ("ដាក់មតិជំនួសពលរដ្ឋ", "File feedback for a citizen"),
    "desk_file_intro": (
        "សូមសរសេរអ្វីដែលពលរដ្ឋប្រាប់។ លេខកូដតាមដាននឹងបង្ហាញតែម្តងគត់ នៅលើបង្កាន់ដៃ៖ "
        "សូមបោះពុម្ព ឬអានវាឱ្យពលរដ្ឋស្តាប់។ បន្ទាប់មក អ្នកមិនអាចមើលករណីនេះបានទៀតទេ។",
        "Write what the citizen tells you. The tracking code is shown once, on the receipt: "
        "print it or read it aloud. Afterwards you cannot open the case.",
    ),
    "desk_commune_code": ("លេខកូដឃុំ/សង្កាត់", "Commune or sangkat code"),
    "desk_commune_hint": ("លេខ ៦ ខ្ទង់ ឧ. 170201", "6 digits, e.g. 170201"),
    "desk_conduct_here": (
        "ពាក្យបណ្តឹងនេះទាក់ទងនឹងមន្ត្រីនៃការិយាល័យនេះផ្ទាល់",
        "The complaint is about officials of this very office",
    ),
    "desk_language": ("ភាសារបស់ពលរដ្ឋ", "The citizen's language"),
    "desk_sms_number": ("លេខទូរស័ព្ទសម្រាប់ SMS", "Mobile number for SMS updates"),
    "desk_sms_hint": (
        "តែបើពលរដ្ឋសុំប៉ុណ្ណោះ។ វាត្រូវបានអ៊ិនគ្រីបភ្លាម ហើយមិនបង្ហាញម្តងទៀតទេ។",
        "Only if the citizen asks. It is encrypted at once and never shown again.",
    ),
    "desk_file_button": ("ដាក់ពាក្យ និងបង្ហាញបង្កាន់ដៃ", "File and show the receipt"),
    "desk_receipt_title": ("បង្កាន់ដៃទទួលមតិ", "Receipt of your feedback"),
    "desk_read_aloud": (
        "សូមអានលេខកូដម្តងមួយតួ ហើយឱ្យពលរដ្ឋអានវាវិញ។",
        "Read the code one character at a time, and ask the citizen to read it back.",
    ),
    "desk_file_next": ("ដាក់ពាក្យមួយទៀត", "File another"),
    "nav_queue": ("សារពីបណ្តាញសង្គម", "Social-media queue"),
    "desk_queue_title": ("សាររង់ចាំពីទំព័រ Facebook", "Messages waiting from the Facebook Page"),
    "desk_queue_empty": ("គ្មានសាររង់ចាំទេ។", "No message is waiting."),
    "desk_queue_intro": (
        "ឈ្មោះ និងរូបភាពរបស់អ្នកផ្ញើមិនត្រូវបានរក្សាទុកទេ។ ដាក់សារជាករណី (លេខកូដនឹងត្រូវផ្ញើទៅអ្នកផ្ញើតាម Messenger) "
        "ឬបដិសេធវាដោយប្រាប់មូលហេតុ។",
        "Senders' names and pictures are never kept. File a message as a case (the code goes "
        "to the sender in Messenger) or dismiss it with a reason.",
    ),
    "desk_message_kind_message": ("សារ Messenger", "Messenger message"),
    "desk_message_kind_comment": ("មតិយោបល់លើទំព័រ", "Page comment"),
    "desk_sender": ("អ្នកផ្ញើ (ឈ្មោះក្លែង)", "Sender (pseudonym)"),
    "desk_file_message": ("ដាក់ជាករណី", "File as a case"),
    "desk_dismiss": ("បដិសេធ", "Dismiss"),
    "desk_dismiss_reason": ("មូលហេតុ", "Reason"),
    "desk_dismissed": ("សារត្រូវបានបដិសេធ។", "The message was dismissed."),
    "desk_not_social": (
        "មានតែភ្នាក់ងារក្រុមការងារបណ្តាញសង្គមប៉ុណ្ណោះដែលអាចមើលសារទាំងនេះ។",
        "Only agents of the social-media desk can see these messages.",
    ),
    "desk_not_agent": (
        "មានតែភ្នាក់ងារបញ្ជរប៉ុណ្ណោះដែលអាចដាក់ពាក្យជំនួសពលរដ្ឋ។",
        "Only desk agents can file for citizens.",
    ),
    "receipt_title": ("បានទទួល។ សូមរក្សាលេខកូដតាមដាន", "Received. Keep your tracking code"),
    "receipt_code_label": ("លេខកូដតាមដានរបស់អ្នក", "Your tracking code"),
    "receipt_advice": (
        "សូមសរសេរវាលើក្រដាស ឬបោះពុម្ពទំព័រនេះឥឡូវនេះ។ វាជាមធ្យោបាយតែមួយគត់ដើម្បីត្រឡប់មក"
        "ករណីរបស់អ្នកវិញ៖ យើងមិនអាចរកវាតាមឈ្មោះរបស់អ្នកបានទេ ហើយក៏មិនអាចផ្ញើវាម្តងទៀតបានដែរ។ "
        "កុំបង្ហាញវាទៅអ្នកដែលអ្នកមិនទុកចិត្ត។",
        "Write it down on paper or print this page now. It is the only way back to your "
        "case: we cannot find it by your name, and we cannot send it again. Do not show it "
        "to anyone you do not trust.",
    ),
    "receipt_shared_phone": (
        "បើអ្នកប្រើទូរស័ព្ទរួមគ្នាជាមួយអ្នកដទៃ សូមចុច «ចាកចេញភ្លាម» នៅពេលអ្នករួចរាល់។",
        "If you share this phone, press “Leave quickly” when you are done.",
    ),
    "print": ("បោះពុម្ព", "Print"),
    "copy": ("ចម្លង", "Copy"),
    "copied": ("បានចម្លង", "Copied"),
    "receipt_next": ("តាមដានករណីនេះ", "Follow this case"),
    # track
    "track_title": ("តាមដានករណីរបស់អ្នក", "Follow your case"),
    "code_label": ("លេខកូដតាមដាន", "Tracking code"),
    "code_hint": (
        "លេខកូដមានរាងដូច 7K3M-Q9TX-2HBD-W4NE-R។ អក្សរតូច សញ្ញាដក និងដកឃ្លាមិនអីទេ។",
        "It looks like 7K3M-Q9TX-2HBD-W4NE-R. Small letters, dashes and spaces are fine.",
    ),
    "show_case": ("បង្ហាញករណីរបស់ខ្ញុំ", "Show my case"),
    "status": ("ស្ថានភាព", "Status"),
    "office": ("ការិយាល័យដែលដោះស្រាយ", "Office handling it"),
    "no_office_yet": ("មិនទាន់បានចាត់តាំង", "Not assigned yet"),
    "service": ("សេវា", "Service"),
    "sent_on": ("បានផ្ញើនៅ", "Sent on"),
    "files_attached": ("ឯកសារភ្ជាប់", "Files attached"),
    "timeline": ("អ្វីដែលបានកើតឡើង", "What happened so far"),
    "questions": ("សំណួរពីការិយាល័យ", "Questions from the office"),
    "answered": ("បានឆ្លើយរួច", "Answered"),
    "your_answer": ("ចម្លើយរបស់អ្នក", "Your answer"),
    "send_answer": ("ផ្ញើចម្លើយ", "Send answer"),
    "add_information": ("បន្ថែមព័ត៌មាន", "Add information"),
    "information": ("ព័ត៌មានបន្ថែម", "More information"),
    "attach": ("ភ្ជាប់រូបថត ឬឯកសារ", "Attach a photo or document"),
    "file": ("ឯកសារ", "File"),
    "confirm": ("បញ្ហារបស់ខ្ញុំត្រូវបានដោះស្រាយ", "My problem is solved"),
    "confirm_help": (
        "បញ្ជាក់ចម្លើយរបស់ការិយាល័យ។ ករណីនឹងត្រូវបិទ។",
        "Confirm the office's answer. The case closes.",
    ),
    "reopen": ("មិនទាន់ដោះស្រាយ — បើកម្តងទៀត", "Not solved — reopen"),
    "appeal": ("ប្តឹងឧទ្ធរណ៍ទៅថ្នាក់លើ", "Appeal to the level above"),
    "reopen_until": (
        "អ្នកអាចបើកម្តងទៀត ឬប្តឹងឧទ្ធរណ៍ រហូតដល់ {date}។",
        "You can reopen or appeal until {date}.",
    ),
    "rate": ("វាយតម្លៃការដោះស្រាយ", "Rate how your case was handled"),
    "your_rating": ("ការវាយតម្លៃរបស់អ្នក", "Your rating"),
    "withdraw": ("ដកករណីរបស់ខ្ញុំវិញ", "Withdraw my case"),
    "withdraw_help": (
        "នេះជាការសម្រេចចុងក្រោយ៖ ករណីនឹងមិនអាចបើកវិញបានទេ។",
        "This is final: the case cannot be opened again.",
    ),
    "action_done": ("រួចរាល់។ នេះជាករណីរបស់អ្នកឥឡូវនេះ។", "Done. This is your case now."),
    "no_actions": ("ឥឡូវនេះ អ្នកមិនចាំបាច់ធ្វើអ្វីទេ។", "There is nothing for you to do now."),
    # confirming a contact (the code of a notification's first SMS or e-mail)
    "contact_title": ("បញ្ជាក់លេខទូរស័ព្ទ ឬអ៊ីមែលរបស់អ្នក", "Confirm your phone number or e-mail"),
    "contact_intro": (
        "បើអ្នកបានទទួលសារពីសំឡេងដែលមានលេខកូដ សូមវាយលេខកូដនោះនៅទីនេះ ដើម្បីទទួលព័ត៌មានថ្មីៗអំពីករណីរបស់អ្នក។",
        "If a message from Samleng gave you a code, type it here to receive updates on your case.",
    ),
    "contact_label": ("លេខកូដក្នុងសារ", "Code from the message"),
    "contact_hint": (
        "លេខកូដមាន ១០ អក្សរ និងលេខ ដូច K7M2Q-9TX2H។ អក្សរតូច សញ្ញាដក និងដកឃ្លាមិនអីទេ។",
        "It has 10 letters and digits, like K7M2Q-9TX2H. Small letters, dashes and spaces "
        "are fine.",
    ),
    "contact_send": ("បញ្ជាក់", "Confirm"),
    "contact_done": (
        "បានបញ្ជាក់។ អ្នកនឹងទទួលព័ត៌មានថ្មីៗពីសំឡេងតាមលេខ ឬអ៊ីមែលនេះ។",
        "Confirmed. You will receive updates from Samleng on this number or e-mail.",
    ),
    "contact_unknown": (
        "លេខកូដនេះមិនមែនជាលេខកូដដែលយើងបានផ្ញើ ឬផុតកំណត់ហើយ។ សូមពិនិត្យសារ ហើយវាយលេខកូដម្តងទៀត។",
        "This code is not one we sent, or it has expired. Check the message and type the "
        "code again.",
    ),
    "notification_down": (
        "មិនអាចភ្ជាប់ទៅសេវាបានទេនៅពេលនេះ។ មិនទាន់បានបញ្ជាក់ទេ។ សូមព្យាយាមម្តងទៀតបន្តិចទៀត។",
        "The service cannot be reached right now. Nothing was confirmed. Please try again "
        "in a few minutes.",
    ),
    # errors that do not come from intake
    "intake_down": (
        "មិនអាចភ្ជាប់ទៅសេវាបានទេនៅពេលនេះ។ គ្មានអ្វីត្រូវបានផ្ញើទេ។ សូមព្យាយាមម្តងទៀតបន្តិចទៀត។",
        "The service cannot be reached right now. Nothing was sent. Please try again in a "
        "few minutes.",
    ),
    "busy": (
        "មានសំណើច្រើនពេកនៅពេលនេះ។ សូមរង់ចាំមួយនាទី ហើយព្យាយាមម្តងទៀត។",
        "Too many requests right now. Please wait a minute and try again.",
    ),
    "bad_origin": (
        "ទម្រង់នេះត្រូវតែផ្ញើពីគេហទំព័រនេះ។ សូមបើកទំព័រម្តងទៀត ហើយព្យាយាមម្តងទៀត។",
        "This form must be sent from this site. Open the page again and retry.",
    ),
    "too_large": ("ទិន្នន័យធំពេក។", "What you sent is too large."),
    # officer console
    "officer_title": ("ផ្ទាំងការងារមន្ត្រី", "Officer console"),
    "sign_in": ("ចូល", "Sign in"),
    "sign_in_help": (
        "ចូលដោយប្រើគណនីការងាររបស់អ្នក។ ទំព័រនេះសម្រាប់តែមន្ត្រី និងអ្នកទទួលបណ្តឹងប៉ុណ្ណោះ។",
        "Sign in with your work account. This page is for officers and ombudsmen only.",
    ),
    "sign_out": ("ចាកចេញ", "Sign out"),
    "signed_out": ("អ្នកបានចាកចេញហើយ។", "You are signed out."),
    "issuer_sign_out": (
        "ចាកចេញពីគណនីការងារនៅលើឧបករណ៍នេះផងដែរ",
        "Also sign out of your work account on this device",
    ),
    "sign_in_off": (
        "ការចូលរបស់មន្ត្រីមិនទាន់បានកំណត់នៅលើម៉ាស៊ីននេះទេ។",
        "Officer sign-in is not configured on this server.",
    ),
    "sign_in_failed": (
        "ការចូលមិនបានសម្រេចទេ ({why})។ សូមព្យាយាមម្តងទៀត។",
        "Sign-in did not work ({why}). Please try again.",
    ),
    "session_over": ("វគ្គរបស់អ្នកបានបញ្ចប់។ សូមចូលម្តងទៀត។", "Your session has ended. Sign in again."),
    "csrf_failed": (
        "ទម្រង់នេះចាស់ពេក ឬមិនមែនផ្ញើពីគេហទំព័រនេះទេ។ សូមព្យាយាមម្តងទៀត។",
        "The form was too old or not sent from this site. Please try again.",
    ),
    "signed_in_as": ("បានចូលជា", "Signed in as"),
    "inbox": ("ប្រអប់ករណី", "Inbox"),
    "notifications": ("ការជូនដំណឹង", "Notifications"),
    "unread": ("មិនទាន់អាន {n}", "{n} unread"),
    "no_notifications": ("គ្មានការជូនដំណឹងទេ។", "No notifications."),
    "mark_read": ("សម្គាល់ថាបានអាន", "Mark read"),
    "audit": ("កំណត់ត្រាសវនកម្ម", "Audit trail"),
    "filters": ("តម្រង", "Filters"),
    "apply": ("អនុវត្ត", "Apply"),
    "all": ("ទាំងអស់", "All"),
    "kind": ("ប្រភេទ", "Kind"),
    "only_overdue": ("តែករណីហួសកំណត់", "Only overdue"),
    "sort": ("តម្រៀប", "Order"),
    "sort_deadline": ("ថ្ងៃផុតកំណត់ជិតបំផុតមុន", "Nearest deadline first"),
    "sort_submitted": ("ចាស់បំផុតមុន", "Oldest first"),
    "office_filter": ("ការិយាល័យ", "Office"),
    "overdue": ("ហួសកំណត់", "Overdue"),
    "status_submitted": ("បានផ្ញើ", "Submitted"),
    "status_assigned": ("បានចាត់តាំង", "Assigned"),
    "status_acknowledged": ("បានទទួលស្គាល់", "Acknowledged"),
    "status_information_requested": ("ស្នើសុំព័ត៌មាន", "Information requested"),
    "status_resolved": ("បានដោះស្រាយ", "Resolved"),
    "status_reopened": ("បានបើកឡើងវិញ", "Reopened"),
    "status_rejected": ("បានបដិសេធ", "Rejected"),
    "status_closed": ("បានបិទ", "Closed"),
    "status_withdrawn": ("បានដកវិញ", "Withdrawn"),
    "citizen_rating": ("ការវាយតម្លៃរបស់ប្រជាពលរដ្ឋ", "Citizen's rating"),
    "due_soon": ("ជិតដល់កំណត់", "Due soon"),
    "deadline": ("ថ្ងៃផុតកំណត់", "Deadline"),
    "age": ("រយៈពេល", "Age"),
    "days": ("{n} ថ្ងៃ", "{n} days"),
    "case": ("ករណី", "Case"),
    "place": ("ទីកន្លែង", "Place"),
    "escalated": ("បានលើកទៅថ្នាក់លើ", "Escalated"),
    "no_cases": ("គ្មានករណីត្រូវនឹងតម្រងនេះទេ។", "No case matches these filters."),
    "next_page": ("ទំព័របន្ទាប់", "Next page"),
    "description": ("ការពិពណ៌នា", "Description"),
    "amount_vs_fee": (
        "គេទារ {asked} រៀល · តម្លៃផ្លូវការ {fee} រៀល",
        "asked {asked} riel · official fee {fee} riel",
    ),
    "about_conduct": (
        "អំពីអាកប្បកិរិយាមន្ត្រីនៃ {office}",
        "About the conduct of officials of {office}",
    ),
    "routing": ("ហេតុអ្វីករណីនេះមកដល់ទីនេះ", "Why this case came here"),
    "citizen_notes": ("ព័ត៌មានពីប្រជាពលរដ្ឋ", "Information from the citizen"),
    "internal_notes": ("កំណត់ចំណាំផ្ទៃក្នុង (សម្រាប់តែបុគ្គលិក)", "Internal notes (staff only)"),
    "note": ("កំណត់ចំណាំ", "Note"),
    "add_note": ("បន្ថែមកំណត់ចំណាំ", "Add note"),
    "partner_notes": (
        "កំណត់ចំណាំរបស់អ្នកជំនាញដៃគូ (សង្គមស៊ីវិល)",
        "Partner notes (civil-society partner experts)",
    ),
    "partner_note": ("កំណត់ចំណាំដៃគូទៅការិយាល័យ", "Partner note to the office"),
    "add_partner_note": ("បន្ថែមកំណត់ចំណាំដៃគូ", "Add partner note"),
    "partner_read_only": (
        "អ្នកជំនាញដៃគូ៖ អ្នកអានករណី ហើយបន្ថែមកំណត់ចំណាំដៃគូ ដែលការិយាល័យនឹងអាន។ "
        "អ្នកមិនអាចធ្វើសកម្មភាពលើករណី ហើយមិនឃើញព័ត៌មានទំនាក់ទំនងរបស់ប្រជាពលរដ្ឋទេ។",
        "Partner expert: you read cases and add partner notes, which the office reads. You "
        "cannot act on a case, and you never see a citizen's contact details.",
    ),
    "attachments": ("ឯកសារភ្ជាប់", "Attachments"),
    "open_file": ("បើកឯកសារ", "Open file"),
    "no_answer_yet": ("មិនទាន់មានចម្លើយ", "No answer yet"),
    "actions": ("សកម្មភាព", "Actions"),
    "act_acknowledge": ("ទទួលស្គាល់ករណី", "Acknowledge"),
    "act_ask": ("សួរប្រជាពលរដ្ឋ", "Ask the citizen"),
    "question": ("សំណួរ", "Question"),
    "act_resolve": ("ដោះស្រាយ", "Resolve"),
    "resolution_note": ("ចម្លើយជូនប្រជាពលរដ្ឋ", "Answer to the citizen"),
    "act_reject": ("បដិសេធ", "Reject"),
    "reason": ("មូលហេតុ", "Reason"),
    "reason_spam": ("សារឥតបានការ", "Spam"),
    "reason_out_of_scope": ("ក្រៅដែនសមត្ថកិច្ច", "Out of scope"),
    "reason_duplicate": ("ស្ទួន", "Duplicate"),
    "act_duplicate": ("ស្ទួននឹងករណីផ្សេង", "Duplicate of another case"),
    "duplicate_of": ("លេខសម្គាល់ករណីដើម", "Id of the original case"),
    "act_transfer": ("ផ្ទេរទៅការិយាល័យផ្សេង", "Transfer to another office"),
    "to_office": ("លេខសម្គាល់ការិយាល័យ (ឧ. owso:1702)", "Office id (e.g. owso:1702)"),
    "act_forward": ("បញ្ជូនទៅក្រសួង", "Forward to a ministry"),
    "to_ministry": ("លេខកូដក្រសួង (ឧ. moh)", "Ministry code (e.g. moh)"),
    "act_escalate": ("លើកទៅថ្នាក់លើមួយកម្រិត", "Escalate one level"),
    "act_reopen": ("បើកករណីឡើងវិញ", "Reopen the case"),
    "likely_duplicates": ("ករណីដែលប្រហែលជាបញ្ហាដដែល", "Likely the same problem"),
    "likely_duplicates_help": (
        "ករណីបើកចំហនៃការិយាល័យនេះ ដែលមានសេវា ទីកន្លែង និងអត្ថបទស្រដៀងគ្នា។ "
        "ការភ្ជាប់ធ្វើឲ្យករណីនេះដើរតាមករណីដើម៖ ពេលករណីដើមត្រូវបានដោះស្រាយ ឬបិទ ករណីនេះក៏ដូចគ្នា។",
        "Open cases of this office with the same service and place and a similar text. "
        "Linking makes this case follow the original: when the original is resolved or "
        "closed, so is this one.",
    ),
    "similarity": ("ភាពស្រដៀង", "Similarity"),
    "why_matched": ("មូលហេតុ", "Why"),
    "act_link": ("ភ្ជាប់ករណីនេះទៅករណីនោះ", "Link this case to it"),
    "act_unlink": ("ផ្តាច់ការភ្ជាប់", "Unlink"),
    "linked_to": ("ដើរតាមករណីដើម", "Follows the original case"),
    "linked_reports": ("របាយការណ៍ដែលដើរតាមករណីនេះ", "Reports that follow this case"),
    "conflict": (
        "មាននរណាម្នាក់ផ្សេងបានកែប្រែករណីនេះ ខណៈពេលអ្នកកំពុងអាន។ នេះជាករណីដូចដែលវាមាន"
        "ឥឡូវនេះ។ សូមពិនិត្យ រួចធ្វើសកម្មភាពម្តងទៀត។",
        "Someone else changed this case while you were reading it. This is the case as it "
        "is now: check it, then act again.",
    ),
    "saved": ("បានរក្សាទុក។", "Saved."),
    "audit_filters": ("ស្វែងរកតាមករណី ឬតាមអ្នកប្រើ", "Search by case or by user"),
    "subject": ("អ្នកប្រើ", "User"),
    "when": ("ពេលវេលា", "When"),
    "what": ("អ្វី", "What"),
    "role": ("តួនាទី", "Role"),
    "detail": ("ព័ត៌មានលម្អិត", "Detail"),
    "audit_empty": ("គ្មានកំណត់ត្រាទេ។", "No entries."),
    "audit_office_scope": (
        "កំណត់ត្រាអំពីករណីដែលនៅ ឬធ្លាប់នៅជាមួយការិយាល័យរបស់អ្នក និងអំពីអ្វីដែលបុគ្គលិករបស់វាបានធ្វើ។ "
        "ការអានទំព័រនេះក៏ត្រូវបានកត់ត្រាដែរ។",
        "Entries about the cases that are or were with your office, and what its staff did. "
        "Reading this page is recorded too.",
    ),
    "later_entries": ("កំណត់ត្រាបន្ទាប់", "Later entries"),
    "feed_unavailable": (
        "មិនអាចអានការជូនដំណឹងបានទេនៅពេលនេះ។",
        "Notifications cannot be read right now.",
    ),
    "forbidden": ("អ្នកមិនមានសិទ្ធិធ្វើការនេះទេ។", "You are not allowed to do this."),
}

#: The question each submit-form field answers, for the list of errors above the form.
FIELD_LABELS = {
    "kind": "step_kind",
    "category": "step_category",
    "service_code": "step_service",
    "amount_asked_riel": "amount_asked",
    "service_rating": "service_rating",
    "province": "province",
    "district": "district",
    "commune": "commune",
    "village": "village",
    "about_office": "about_office",
    "description": "step_description",
    "photos": "step_photos",
    "contact_address": "contact_address",
    "contact_channel": "contact_channel",
    "gender": "gender",
    "age_band": "age_band",
}


class Texts:
    """The messages of one language; call it with a key (and placeholders)."""

    def __init__(self, lang: Lang) -> None:
        self.lang: Lang = lang
        self._index = LANGS.index(lang)

    @classmethod
    def of(cls, value: str | None) -> Texts:
        """Texts for a ``lang`` value from a request; Khmer unless it is ``en``."""
        return cls("en" if value == "en" else "km")

    @property
    def other(self) -> Lang:
        """The other language, for the switch link."""
        return "en" if self.lang == "km" else "km"

    def __call__(self, key: str, **values: Any) -> str:
        """The message in this language, placeholders filled."""
        text = MESSAGES[key][self._index]
        return text.format(**values) if values else text

    def pick(self, bilingual: dict[str, str] | None) -> str:
        """The reader's half of an API's ``{"en": ..., "km": ...}``."""
        if not bilingual:
            return ""
        return bilingual.get(self.lang) or bilingual.get("km") or bilingual.get("en") or ""
