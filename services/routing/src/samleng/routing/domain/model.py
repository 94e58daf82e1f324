"""Offices and the directory that knows them. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from samleng.common.events import OfficeRef

Level = Literal["commune", "district", "province", "national"]


@dataclass(frozen=True)
class Office:
    """An office that can be made responsible for a case."""

    office_id: str
    level: Level
    kind: str
    name_en: str
    name_km: str

    def ref(self) -> OfficeRef:
        """How events name this office."""
        return OfficeRef(
            office_id=self.office_id,
            level=self.level,
            kind=self.kind,
            name_en=self.name_en,
            name_km=self.name_km,
        )


@dataclass(frozen=True)
class Directory:
    """One version of the jurisdiction directory: the offices by area."""

    version: str
    commune_offices: Mapping[str, Office]
    national_team: Office

    def commune_office(self, commune_code: str) -> Office | None:
        """The commune/sangkat office of a commune, if the directory has one."""
        return self.commune_offices.get(commune_code)
