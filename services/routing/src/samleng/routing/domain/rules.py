"""Routing rules: which office must act on a case, and why. Pure: no I/O.

In order (the first that applies decides):

1. ``unknown-area``: the commune code is not in the gazetteer (or does not lie in the
   given district/province) -> the national team, which can find the right office.
2. ``not-yet-served``: nothing is switched on in the province (neither the whole
   province nor one of its offices or communes) -> the national team; the citizen is
   told the province is not yet served.
3. ``conflict-of-interest``: the complaint is about the conduct of an office's own
   officials -> the ombudsman one level above that office that is switched on, never
   the office itself.
4. ``named-office``: the citizen named the office that served them -> that office.
5. ``service-provider``: the service catalogue names who provides the service (the
   commune office, the OWSO, a ministry's provincial department...) -> that office.
6. ``commune-office``: otherwise the commune/sangkat office of the place.

A pilot switches on single offices and communes. When rule 4, 5 or 6 picks an office
that is not switched on, the case goes to the nearest office above it that is (see
:func:`fallback_chain`: the district's OWSO, then the province's OWSU, then the national
team; a ministry's provincial department falls back to the ministry), the rule's name
gets ``+pilot-fallback`` and the explanation says which office was not yet served and
who handles the case instead (``not_yet_served`` is true).
"""

from __future__ import annotations

from dataclasses import dataclass

from samleng.common.events import SubmittedData
from samleng.common.reference import CatalogueService, ServiceCatalogue, UnknownService
from samleng.routing.domain.model import INTERIOR, Area, Directory, Office


class MoveRefused(ValueError):
    """A transfer, forward or escalation that cannot be done; says why in both languages."""

    def __init__(self, reason_en: str, reason_km: str) -> None:
        super().__init__(reason_en)
        self.reason_en = reason_en
        self.reason_km = reason_km


@dataclass(frozen=True)
class RoutingDecision:
    """The office chosen, the rule that chose it, and an explanation in both languages."""

    office: Office
    rule: str
    explanation_en: str
    explanation_km: str
    directory_version: str
    not_yet_served: bool = False


def pick_office(
    submission: SubmittedData, directory: Directory, catalogue: ServiceCatalogue
) -> RoutingDecision:
    """The office that must act on a new case (see the module docstring for the rules)."""
    location = submission.location
    area = directory.area(location.commune_code)
    version = directory.version

    def decide(office: Office, rule: str, en: str, km: str, **extra: bool) -> RoutingDecision:
        return RoutingDecision(office, rule, en, km, version, **extra)

    if (
        area is None
        or area.district_code != location.district_code
        or area.province_code != location.province_code
    ):
        return decide(
            directory.national_team,
            "unknown-area",
            "The place given is not a known commune/sangkat; the national team will find "
            "the office responsible.",
            "ទីកន្លែងដែលបានផ្ដល់ មិនមែនជាឃុំ/សង្កាត់ដែលស្គាល់ទេ ក្រុមការងារថ្នាក់ជាតិនឹងស្វែងរកការិយាល័យទទួលខុសត្រូវ។",
        )
    if not directory.serves_any_of(area.province_code):
        return decide(
            directory.national_team,
            "not-yet-served",
            f"The system does not yet serve {area.province_en} province; the Ministry of "
            "Interior's national team handles your case.",
            f"ប្រព័ន្ធនេះមិនទាន់បម្រើខេត្ត {area.province_km} នៅឡើយទេ "
            "ក្រុមការងារថ្នាក់ជាតិនៃក្រសួងមហាផ្ទៃនឹងដោះស្រាយករណីរបស់អ្នក។",
            not_yet_served=True,
        )
    service = _service(catalogue, submission.service_code)
    provider = provider_office(directory, area, service)
    named = directory.office(submission.about_office_id) if submission.about_office_id else None
    if submission.about_office_conduct:
        subject = named or provider
        ombudsman = ombudsman_above(directory, subject) or directory.national_team
        return decide(
            ombudsman,
            "conflict-of-interest",
            f"The complaint is about the conduct of officials of {subject.name_en}; the "
            f"ombudsman one level above, {ombudsman.name_en}, handles it, never the "
            "office itself.",
            f"បណ្ដឹងនេះពាក់ព័ន្ធនឹងអាកប្បកិរិយារបស់មន្ត្រីនៃ {subject.name_km} "
            f"អម្បុដ្សម៉ាន់មួយថ្នាក់ខាងលើ {ombudsman.name_km} នឹងដោះស្រាយ មិនមែនការិយាល័យនោះទេ។",
        )
    if named is not None:
        chosen = RoutingDecision(
            named,
            "named-office",
            f"You named {named.name_en} as the office concerned.",
            f"អ្នកបានបញ្ជាក់ {named.name_km} ជាការិយាល័យពាក់ព័ន្ធ។",
            version,
        )
    elif service is not None:
        chosen = RoutingDecision(
            provider,
            "service-provider",
            f"{service.name_en} is provided by {provider.name_en}.",
            f"សេវា {service.name_km} ផ្ដល់ដោយ {provider.name_km}។",
            version,
        )
    else:
        chosen = RoutingDecision(
            provider,
            "commune-office",
            "The commune/sangkat office handles cases from its commune.",
            "រដ្ឋបាលឃុំ/សង្កាត់ ដោះស្រាយករណីក្នុងឃុំ/សង្កាត់របស់ខ្លួន។",
            version,
        )
    return chosen if directory.serves_office(chosen.office) else fall_back(directory, chosen)


def fallback_chain(directory: Directory, office: Office) -> list[Office]:
    """The offices that stand in, nearest first, for an office not yet switched on: the
    district's OWSO (for a commune office), the province's OWSU, the national team; a
    ministry's provincial department is stood in for by the ministry."""
    ids: list[str] = []
    if office.kind == "provincial_department" and office.ministry:
        ids.append(f"ministry:{office.ministry}")
    else:
        if office.level == "commune" and office.district_code:
            ids.append(f"owso:{office.district_code}")
        if office.level in ("commune", "district") and office.province_code:
            ids.append(f"owsu:{office.province_code}")
    found = [o for i in ids if (o := directory.office(i)) is not None]
    return [*found, directory.national_team]


def fall_back(directory: Directory, chosen: RoutingDecision) -> RoutingDecision:
    """The decision moved to the nearest office that is switched on, saying why."""
    office = chosen.office
    stand_in = next(
        (o for o in fallback_chain(directory, office) if directory.serves_office(o)),
        directory.national_team,
    )
    return RoutingDecision(
        stand_in,
        f"{chosen.rule}+pilot-fallback",
        f"{chosen.explanation_en} Samleng is not yet switched on at {office.name_en} (the "
        f"pilot covers only some offices and communes), so {stand_in.name_en}, the nearest "
        "office above it that is, handles your case.",
        f"{chosen.explanation_km} ប្រព័ន្ធសំឡេងមិនទាន់ដំណើរការនៅ {office.name_km} នៅឡើយទេ "
        f"(គម្រោងសាកល្បងគ្របដណ្ដប់តែការិយាល័យ និងឃុំ/សង្កាត់មួយចំនួន) ដូច្នេះ {stand_in.name_km} "
        "ដែលជាការិយាល័យជិតបំផុតខាងលើដែលដំណើរការ នឹងដោះស្រាយករណីរបស់អ្នក។",
        chosen.directory_version,
        not_yet_served=True,
    )


def provider_office(directory: Directory, area: Area, service: CatalogueService | None) -> Office:
    """The office that provides a service in an area (the commune office if unknown)."""
    commune = directory.commune_office(area.commune_code) or directory.national_team
    if service is None:
        return commune
    candidates = {
        "commune_office": f"commune:{area.commune_code}",
        "commune_police_post": f"commune-police:{area.commune_code}",
        "owso": f"owso:{area.district_code}",
        "police_post": f"district-police:{area.district_code}",
        "owsu": f"owsu:{area.province_code}",
        "provincial_department": f"department:{area.province_code}:{service.ministry}",
    }
    office_id = candidates.get(service.office_kind, f"ministry:{service.ministry}")
    found = directory.office(office_id) or directory.office(f"ministry:{service.ministry}")
    return found or commune


def ombudsman_above(directory: Directory, office: Office) -> Office | None:
    """The ombudsman one level above an office that is switched on (climbing past those
    that are not yet); None above the national team."""
    ids: list[str] = []
    if office.level == "commune" and office.district_code:
        ids.append(f"district-ombudsman:{office.district_code}")
    if office.level in ("commune", "district") and office.province_code:
        ids.append(f"provincial-ombudsman:{office.province_code}")
    if not ids and office.office_id == directory.national_team_id:
        return None
    for office_id in ids:
        target = directory.office(office_id)
        if target is not None and directory.serves_office(target):
            return target
    return directory.national_team


def provincial_ombudsman(directory: Directory, province_code: str) -> Office:
    """The provincial ombudsman of a province (the national team if there is none, or it
    is not yet switched on)."""
    office = directory.office(f"provincial-ombudsman:{province_code}")
    if office is None or not directory.serves_office(office):
        return directory.national_team
    return office


def forward_target(directory: Directory, province_code: str, ministry: str) -> Office:
    """The office of another ministry a case goes to: its provincial department, else
    the ministry itself."""
    if ministry not in directory.ministries:
        raise MoveRefused(
            f"unknown ministry {ministry!r}: use a code of the service catalogue",
            f"ក្រសួង {ministry!r} មិនស្គាល់ទេ៖ សូមប្រើលេខកូដក្រសួងក្នុងបញ្ជីសេវា",
        )
    if ministry == INTERIOR:
        raise MoveRefused(
            "forwarding is to another ministry; use a transfer within Interior",
            "ការបញ្ជូនបន្តគឺទៅក្រសួងផ្សេង៖ សូមប្រើការផ្ទេរនៅក្នុងក្រសួងមហាផ្ទៃ",
        )
    office = directory.office(f"department:{province_code}:{ministry}")
    if office is None or not directory.serves_office(office):
        office = directory.office(f"ministry:{ministry}")
    if office is None:
        raise MoveRefused(
            f"the directory has no office of ministry {ministry!r}",
            f"បញ្ជីការិយាល័យមិនមានការិយាល័យរបស់ក្រសួង {ministry!r} ទេ",
        )
    return office


def transfer_target(directory: Directory, office_id: str | None, current: Office) -> Office:
    """The office a misrouted case is transferred to, if that transfer is possible."""
    if not office_id:
        raise MoveRefused(
            "a transfer needs to_office_id: the office that should act",
            "ការផ្ទេរត្រូវការ to_office_id៖ ការិយាល័យដែលត្រូវដោះស្រាយ",
        )
    office = directory.office(office_id)
    if office is None:
        raise MoveRefused(
            f"unknown office {office_id!r} in directory {directory.version}",
            f"ការិយាល័យ {office_id!r} មិនមានក្នុងបញ្ជីការិយាល័យ {directory.version} ទេ",
        )
    if office.office_id == current.office_id:
        raise MoveRefused(
            f"the case is already with {office_id!r}",
            f"ករណីនេះស្ថិតនៅ {office_id!r} រួចហើយ",
        )
    if not directory.serves_office(office):
        raise MoveRefused(
            f"{office.name_en} ({office_id!r}) is not yet switched on in directory "
            f"{directory.version}: transfer to an office that takes cases",
            f"{office.name_km} ({office_id!r}) មិនទាន់ដំណើរការក្នុងបញ្ជីការិយាល័យ "
            f"{directory.version} នៅឡើយទេ៖ សូមផ្ទេរទៅការិយាល័យដែលទទួលករណី",
        )
    return office


def refuse_accused(target: Office, accused_office_id: str | None) -> None:
    """Conflict of interest: a case about an office's own officials never goes to it."""
    if accused_office_id is not None and target.office_id == accused_office_id:
        raise MoveRefused(
            f"the complaint is about the conduct of {accused_office_id!r}'s own officials; "
            "it can never be handled by that office",
            f"បណ្ដឹងនេះពាក់ព័ន្ធនឹងអាកប្បកិរិយារបស់មន្ត្រីនៃ {accused_office_id!r} ផ្ទាល់ "
            "ការិយាល័យនោះមិនអាចដោះស្រាយវាបានឡើយ",
        )


def _service(catalogue: ServiceCatalogue, code: str | None) -> CatalogueService | None:
    if not code:
        return None
    try:
        return catalogue.service(code)
    except UnknownService:
        return None
