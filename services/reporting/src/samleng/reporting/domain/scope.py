"""Whose full-detail statistics an officer may see. Pure: no I/O.

Officials and analysts see the same figures, unsuppressed, each within their scope:

- a ``national_analyst`` sees any area, the whole country included;
- an official (officer, office head, ombudsman, ministry liaison) sees the area of each
  office in their token and everything inside it: a province's offices (OWSU, provincial
  ombudsman, provincial departments) the province and its districts and communes, a
  district's offices (OWSO, district police, district ombudsman) the district and its
  communes, a commune's offices (commune/sangkat office, police post) the commune; the
  national team the whole country;
- ministries have no territory, and ``admin`` runs the system without reading case data:
  neither gets full detail (they get ``NoAreaToShow``; the public open data is theirs).

    scope = scope_of(principal)
    area = scope.choose(requested_area(province, district, commune))  # raises if not allowed
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise

from samleng.common.auth import Principal, Role
from samleng.reporting.domain.figures import Area

#: Roles that work for an office, and so see its area.
OFFICIALS = (Role.OFFICER, Role.OFFICE_HEAD, Role.OMBUDSMAN, Role.MINISTRY_LIAISON)

WHOLE_COUNTRY = Area()

#: Office id prefixes (docs/routing.md) by the level of the area the office serves.
#: ``commune:``, ``district:`` and ``province:`` are the generic ids of tokens and tests.
_COMMUNE_OFFICES = frozenset({"commune", "commune-police"})
_DISTRICT_OFFICES = frozenset({"district", "owso", "district-police", "district-ombudsman"})
_PROVINCE_OFFICES = frozenset({"province", "owsu", "provincial-ombudsman"})
_NATIONAL_OFFICES = frozenset({"national"})
_CODE = {2: re.compile(r"^\d{2}$"), 4: re.compile(r"^\d{4}$"), 6: re.compile(r"^\d{6}$")}


class InvalidArea(ValueError):
    """The codes asked for do not name one area (a district outside the province...)."""

    def __init__(self, inner: tuple[str, str], outer: tuple[str, str]) -> None:
        super().__init__(f"{inner[0]} {inner[1]} is not in {outer[0]} {outer[1]}")
        self.inner, self.outer = inner, outer


class NoAreaToShow(Exception):
    """The user's roles and offices give them no area (a ministry, an admin)."""


class AreaRequired(Exception):
    """No area was asked for and the user may see more than one."""

    def __init__(self, allowed: tuple[Area, ...]) -> None:
        super().__init__("choose one of the areas you may see")
        self.allowed = allowed


class OutsideScope(Exception):
    """The area asked for lies outside every area the user may see."""

    def __init__(self, asked: Area, allowed: tuple[Area, ...]) -> None:
        super().__init__(f"area {asked.code or 'national'} is outside the user's scope")
        self.asked, self.allowed = asked, allowed


def requested_area(
    province: str | None = None, district: str | None = None, commune: str | None = None
) -> Area | None:
    """The area the codes name (None when none is given); InvalidArea if they disagree."""
    levels = (("province", province), ("district", district), ("commune", commune))
    given = [(level, code) for level, code in levels if code is not None]
    if not given:
        return None
    for outer, inner in pairwise(given):
        if not inner[1].startswith(outer[1]):
            raise InvalidArea(inner, outer)
    smallest = given[-1][1]
    return _area(smallest)


def within(inner: Area, outer: Area) -> bool:
    """True if ``inner`` is ``outer`` or lies inside it."""
    if outer.code is None:
        return True
    return inner.code is not None and inner.code.startswith(outer.code)


def territory_of(office_id: str) -> Area | None:
    """The area an office serves, from its id; None for an office without territory
    (a ministry) or an id this service does not know."""
    kind, _, rest = office_id.partition(":")
    if kind in _NATIONAL_OFFICES and rest:
        return WHOLE_COUNTRY
    if kind == "department":  # department:<province>:<ministry>
        rest, _, ministry = rest.partition(":")
        if not ministry:
            return None
        kind = "province"
    for kinds, digits in ((_COMMUNE_OFFICES, 6), (_DISTRICT_OFFICES, 4), (_PROVINCE_OFFICES, 2)):
        if kind in kinds:
            return _area(rest) if _CODE[digits].match(rest) else None
    return None


@dataclass(frozen=True)
class Scope:
    """The areas whose full detail a user may see, each with everything inside it;
    none lies inside another. Empty: no full detail at all."""

    areas: tuple[Area, ...]

    def allows(self, area: Area) -> bool:
        """True if the user may see this area's full detail."""
        return any(within(area, mine) for mine in self.areas)

    def choose(self, asked: Area | None) -> Area:
        """The area to show: the one asked for, or the user's own if they have exactly one.
        Raises NoAreaToShow, AreaRequired or OutsideScope otherwise."""
        if not self.areas:
            raise NoAreaToShow
        if asked is None:
            if len(self.areas) > 1:
                raise AreaRequired(self.areas)
            return self.areas[0]
        if not self.allows(asked):
            raise OutsideScope(asked, self.areas)
        return asked


def scope_of(principal: Principal) -> Scope:
    """The areas a signed-in user may see in full detail."""
    if principal.has(Role.NATIONAL_ANALYST):
        return Scope((WHOLE_COUNTRY,))
    if not principal.has(*OFFICIALS):
        return Scope(())
    territories = (territory_of(office) for office in principal.offices)
    return Scope(_outermost(area for area in territories if area is not None))


def area_label(area: Area, names: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """How to name an area to a person, ``en`` and ``km`` (with its gazetteer name if any)."""
    if area.code is None:
        return {"en": "the whole country", "km": "ទូទាំងប្រទេស"}
    level = {
        2: ("province", "ខេត្ត/រាជធានី"),
        4: ("district", "ស្រុក/ខណ្ឌ"),
        6: ("commune", "ឃុំ/សង្កាត់"),
    }[len(area.code)]
    known = names.get(area.code, {})
    return {
        lang: f"{word} {area.code}" + (f" ({known[lang]})" if lang in known else "")
        for lang, word in zip(("en", "km"), level, strict=True)
    }


def query_of(area: Area) -> dict[str, str]:
    """The query parameter that asks for this area (none for the whole country)."""
    if area.code is None:
        return {}
    level = {2: "province", 4: "district", 6: "commune"}[len(area.code)]
    return {level: area.code}


def _area(code: str) -> Area:
    if len(code) == 6:
        return Area(province=code[:2], district=code[:4], commune=code)
    if len(code) == 4:
        return Area(province=code[:2], district=code)
    return Area(province=code)


def _outermost(areas: Iterable[Area]) -> tuple[Area, ...]:
    unique = set(areas)
    kept = {a for a in unique if not any(o != a and within(a, o) for o in unique)}
    return tuple(sorted(kept, key=lambda a: a.code or ""))
