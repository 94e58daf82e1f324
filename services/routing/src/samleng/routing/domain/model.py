"""Offices and the directory that knows them. Pure: no I/O.

A :class:`Directory` is one version of the jurisdiction directory, compiled from a
:class:`~samleng.routing.domain.spec.DirectorySpec` and the gazetteer's areas. Office ids
say where an office sits, so that the ladder can be climbed without searching::

    commune:170201            commune/sangkat office       (level commune)
    commune-police:170201     commune police post          (level commune)
    owso:1702                 district One Window Service Office
    district-police:1702      district police inspectorate
    district-ombudsman:1702   district ombudsman
    owsu:17                   provincial One Window Service Unit
    provincial-ombudsman:17   provincial ombudsman
    department:17:mme         provincial department of a line ministry
    ministry:mme              a line ministry (national)
    national:moi-team         the Ministry of Interior's national team
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from samleng.common.events import OfficeRef
from samleng.routing.domain.sla import SlaTable

Level = Literal["commune", "district", "province", "national"]

#: The Interior ministry runs the commune, district and provincial administrations.
INTERIOR = "moi"


@dataclass(frozen=True)
class Office:
    """An office that can be made responsible for a case."""

    office_id: str
    level: Level
    kind: str
    name_en: str
    name_km: str
    ministry: str | None = None
    province_code: str | None = None
    district_code: str | None = None
    commune_code: str | None = None

    def ref(self) -> OfficeRef:
        """How events name this office."""
        return OfficeRef(
            office_id=self.office_id,
            level=self.level,
            kind=self.kind,
            name_en=self.name_en,
            name_km=self.name_km,
            ministry=self.ministry,
        )


@dataclass(frozen=True)
class Area:
    """A commune/sangkat of the gazetteer with its district and province."""

    province_code: str
    province_en: str
    province_km: str
    district_code: str
    district_en: str
    district_km: str
    commune_code: str
    commune_en: str
    commune_km: str


@dataclass(frozen=True)
class Directory:
    """One version of the jurisdiction directory: offices by id, areas, and what is
    switched on (whole provinces, single offices, single communes)."""

    version: str
    offices: Mapping[str, Office]
    areas: Mapping[str, Area]
    served_provinces: frozenset[str]
    sla: SlaTable
    national_team_id: str = "national:moi-team"
    ministries: frozenset[str] = field(default_factory=frozenset)
    served_offices: frozenset[str] = field(default_factory=frozenset)
    served_communes: frozenset[str] = field(default_factory=frozenset)

    @property
    def national_team(self) -> Office:
        """The Interior ministry's national team: the top of the ladder."""
        return self.offices[self.national_team_id]

    def office(self, office_id: str) -> Office | None:
        """The office with this id, if the directory has it."""
        return self.offices.get(office_id)

    def area(self, commune_code: str) -> Area | None:
        """The gazetteer area of a commune code, if it exists."""
        return self.areas.get(commune_code)

    def is_served(self, province_code: str) -> bool:
        """Whether the system is switched on in the whole of this province."""
        return province_code in self.served_provinces

    def serves_office(self, office: Office) -> bool:
        """Whether this office takes cases: national offices always; others when their
        province is switched on whole, they are switched on one by one, or (commune
        offices) their commune is."""
        return (
            office.level == "national"
            or (office.province_code is not None and self.is_served(office.province_code))
            or office.office_id in self.served_offices
            or (office.commune_code is not None and office.commune_code in self.served_communes)
        )

    def serves_any_of(self, province_code: str) -> bool:
        """Whether anything (the province, an office, a commune) is switched on in it."""
        if self.is_served(province_code):
            return True
        if any(code.startswith(province_code) for code in self.served_communes):
            return True
        return any(
            (office := self.offices.get(oid)) is not None and office.province_code == province_code
            for oid in self.served_offices
        )

    def commune_office(self, commune_code: str) -> Office | None:
        """The commune/sangkat office of a commune, if the directory has one."""
        return self.offices.get(f"commune:{commune_code}")

    @property
    def commune_offices(self) -> Mapping[str, Office]:
        """Commune offices by commune code."""
        return {
            o.commune_code: o
            for o in self.offices.values()
            if o.kind == "commune_office" and o.commune_code
        }
