"""The directory as data: what an admin edits, loads, validates, diffs and activates.

A :class:`DirectorySpec` (one JSON file per version, see ``reference/``) says what is
switched on (whole provinces, and single offices and communes for a pilot footprint),
which line ministries have provincial departments, the SLA table
and any office that differs from the generated ones. :func:`compile_directory` turns it,
with the gazetteer's areas and the ministries of the service catalogue, into the
:class:`Directory` the rules use. Pure: the areas are read elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from samleng.common.reference import Ministry
from samleng.routing.domain.model import INTERIOR, Area, Directory, Level, Office
from samleng.routing.domain.sla import SlaTable


class InvalidDirectory(ValueError):
    """A directory version that cannot be used; the message lists what to fix."""


class OfficeSpec(BaseModel):
    """An office added to (or replacing a generated one in) a directory version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    office_id: str = Field(min_length=3, max_length=64, pattern=r"^[a-z-]+:[a-z0-9:-]+$")
    level: Level
    kind: str = Field(min_length=1, max_length=64)
    name_en: str = Field(min_length=1)
    name_km: str = Field(min_length=1)
    ministry: str | None = None
    province_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    district_code: str | None = Field(default=None, pattern=r"^\d{4}$")
    commune_code: str | None = Field(default=None, pattern=r"^\d{6}$")


class DirectorySpec(BaseModel):
    """One version of the jurisdiction directory, as stored and edited."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    description: str = ""
    attribution: str = Field(min_length=1)
    #: What takes cases: whole provinces, and single offices (by id) and communes (by
    #: code) elsewhere. A case from a place that is not switched on goes to the nearest
    #: office above it that is (``rules.py``, rule ``...+pilot-fallback``).
    served_provinces: tuple[str, ...] = ()
    served_offices: tuple[str, ...] = ()
    served_communes: tuple[Annotated[str, Field(pattern=r"^\d{6}$")], ...] = ()
    provincial_departments: tuple[str, ...] = ()
    national_team: OfficeSpec
    offices: tuple[OfficeSpec, ...] = ()
    sla: SlaTable

    @model_validator(mode="after")
    def _consistent(self) -> DirectorySpec:
        if not (self.served_provinces or self.served_offices or self.served_communes):
            raise ValueError(
                "nothing is switched on: list served_provinces, served_offices or served_communes"
            )
        for name in ("served_provinces", "served_offices", "served_communes"):
            listed = getattr(self, name)
            if len(set(listed)) != len(listed):
                raise ValueError(f"{name} lists an entry twice")
        ids = [o.office_id for o in self.offices]
        if len(ids) != len(set(ids)):
            raise ValueError("offices lists an office_id twice")
        if self.national_team.level != "national":
            raise ValueError("national_team must be at level 'national'")
        return self


def compile_directory(
    spec: DirectorySpec, areas: Iterable[Area], ministries: Iterable[Ministry]
) -> Directory:
    """The directory a spec describes, or InvalidDirectory listing every problem."""
    by_commune = {a.commune_code: a for a in areas}
    known_ministries = {m.code: m for m in ministries}
    provinces = {a.province_code for a in by_commune.values()}
    problems = [
        f"served province {code!r} is not in the gazetteer"
        for code in spec.served_provinces
        if code not in provinces
    ]
    problems += [
        f"served commune {code!r} is not in the gazetteer"
        for code in spec.served_communes
        if code not in by_commune
    ]
    problems += [
        f"provincial department of unknown ministry {code!r}"
        for code in spec.provincial_departments
        if code not in known_ministries
    ]
    offices = _generated_offices(by_commune.values(), spec, known_ministries)
    for extra in (spec.national_team, *spec.offices):
        if extra.ministry is not None and extra.ministry not in known_ministries:
            problems.append(f"office {extra.office_id!r} names unknown ministry {extra.ministry!r}")
        offices[extra.office_id] = Office(**extra.model_dump())
    problems += [
        f"served office {office_id!r} is not in the directory"
        for office_id in spec.served_offices
        if office_id not in offices
    ]
    if problems:
        raise InvalidDirectory("; ".join(problems))
    return Directory(
        version=spec.version,
        offices=offices,
        areas=by_commune,
        served_provinces=frozenset(spec.served_provinces),
        sla=spec.sla,
        national_team_id=spec.national_team.office_id,
        ministries=frozenset(known_ministries),
        served_offices=frozenset(spec.served_offices),
        served_communes=frozenset(spec.served_communes),
    )


#: Offices every area has: (id prefix, level, kind, English name, Khmer name); names are
#: filled with the area's names ({c}ommune, {d}istrict, {p}rovince, _en or _km).
COMMUNE_OFFICES = (
    ("commune", "commune", "commune_office",
     "{c_en} commune/sangkat office", "រដ្ឋបាលឃុំ/សង្កាត់ {c_km}"),
    ("commune-police", "commune", "commune_police_post",
     "{c_en} commune/sangkat police post", "ប៉ុស្តិ៍នគរបាលរដ្ឋបាលឃុំ/សង្កាត់ {c_km}"),
)  # fmt: skip
DISTRICT_OFFICES = (
    ("owso", "district", "owso", "{d_en} One Window Service Office",
     "ការិយាល័យប្រជាពលរដ្ឋច្រកចេញចូលតែមួយ ស្រុក/ខណ្ឌ {d_km}"),
    ("district-police", "district", "police_post",
     "{d_en} district police inspectorate", "អធិការដ្ឋាននគរបាលស្រុក/ខណ្ឌ {d_km}"),
    ("district-ombudsman", "district", "district_ombudsman",
     "{d_en} district ombudsman", "ការិយាល័យអម្បុដ្សម៉ាន់ ស្រុក/ខណ្ឌ {d_km}"),
)  # fmt: skip
PROVINCE_OFFICES = (
    ("owsu", "province", "owsu",
     "{p_en} One Window Service Unit", "អង្គភាពច្រកចេញចូលតែមួយ ខេត្ត/រាជធានី {p_km}"),
    ("provincial-ombudsman", "province", "provincial_ombudsman",
     "{p_en} provincial ombudsman", "ការិយាល័យអម្បុដ្សម៉ាន់ ខេត្ត/រាជធានី {p_km}"),
)  # fmt: skip


def _generated_offices(
    areas: Iterable[Area], spec: DirectorySpec, ministries: Mapping[str, Ministry]
) -> dict[str, Office]:
    offices: dict[str, Office] = {}
    for a in areas:
        names = {
            "c_en": a.commune_en, "c_km": a.commune_km,
            "d_en": a.district_en, "d_km": a.district_km,
            "p_en": a.province_en, "p_km": a.province_km,
        }  # fmt: skip
        scopes = (
            (COMMUNE_OFFICES, a.commune_code,
             {"province_code": a.province_code, "district_code": a.district_code,
              "commune_code": a.commune_code}),
            (DISTRICT_OFFICES, a.district_code,
             {"province_code": a.province_code, "district_code": a.district_code}),
            (PROVINCE_OFFICES, a.province_code, {"province_code": a.province_code}),
        )  # fmt: skip
        for templates, code, where in scopes:
            for prefix, level, kind, name_en, name_km in templates:
                office_id = f"{prefix}:{code}"
                if office_id not in offices:
                    offices[office_id] = Office(
                        office_id,
                        level,  # type: ignore[arg-type]
                        kind,
                        name_en.format(**names),
                        name_km.format(**names),
                        INTERIOR,
                        **where,
                    )
        for code in spec.provincial_departments:
            if code in ministries and f"department:{a.province_code}:{code}" not in offices:
                m = ministries[code]
                offices[f"department:{a.province_code}:{code}"] = Office(
                    f"department:{a.province_code}:{code}",
                    "province",
                    "provincial_department",
                    f"{a.province_en} provincial department, {m.name_en}",
                    f"{_department_km(m.name_km)} ខេត្ត/រាជធានី {a.province_km}",
                    code,
                    province_code=a.province_code,
                )
    for m in ministries.values():
        offices[f"ministry:{m.code}"] = Office(
            f"ministry:{m.code}", "national", "ministry", m.name_en, m.name_km, m.code
        )
    return offices


def _department_km(ministry_km: str) -> str:
    # a provincial department (មន្ទីរ) carries its ministry's (ក្រសួង) name
    return "មន្ទីរ" + ministry_km.removeprefix("ក្រសួង")


def spec_summary(spec: DirectorySpec) -> dict[str, Any]:
    """A short description of a version for listings."""
    return {
        "version": spec.version,
        "description": spec.description,
        "served_provinces": list(spec.served_provinces),
        "served_offices": len(spec.served_offices),
        "served_communes": len(spec.served_communes),
        "provincial_departments": list(spec.provincial_departments),
        "extra_offices": len(spec.offices),
    }


def diff_directories(old: Directory, new: Directory) -> dict[str, Any]:
    """What changes when ``new`` replaces ``old``: offices, what is switched on, SLA."""
    added = sorted(set(new.offices) - set(old.offices))
    removed = sorted(set(old.offices) - set(new.offices))
    changed = sorted(
        oid for oid in set(old.offices) & set(new.offices) if old.offices[oid] != new.offices[oid]
    )
    return {
        "from": old.version,
        "to": new.version,
        "provinces_switched_on": sorted(new.served_provinces - old.served_provinces),
        "provinces_switched_off": sorted(old.served_provinces - new.served_provinces),
        "offices_switched_on": sorted(new.served_offices - old.served_offices),
        "offices_switched_off": sorted(old.served_offices - new.served_offices),
        "communes_switched_on": sorted(new.served_communes - old.served_communes),
        "communes_switched_off": sorted(old.served_communes - new.served_communes),
        "offices_added": added,
        "offices_removed": removed,
        "offices_changed": changed,
        "sla_changed": old.sla != new.sla,
    }
