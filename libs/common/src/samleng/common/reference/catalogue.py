"""Load and query the service catalogue (``catalogue.json`` beside this module)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class UnknownService(LookupError):
    """No service has this code in the catalogue."""


class Ministry(BaseModel):
    """A ministry cases can be forwarded to."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=r"^[a-z]{2,12}$")
    name_en: str
    name_km: str


class CatalogueService(BaseModel):
    """A public service: who provides it, its official fee and its service standard."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    group: str
    name_en: str
    name_km: str
    ministry: str
    level: Literal["commune", "district", "province", "national"]
    office_kind: str
    official_fee_riel: int = Field(ge=0)
    standard_working_days: int = Field(ge=1)


class ServiceCatalogue(BaseModel):
    """One version of the catalogue."""

    model_config = ConfigDict(frozen=True)

    version: str
    note: str = ""
    ministries: tuple[Ministry, ...]
    services: tuple[CatalogueService, ...]

    @model_validator(mode="after")
    def _consistent(self) -> ServiceCatalogue:
        codes = [s.code for s in self.services]
        if len(codes) != len(set(codes)):
            raise ValueError("service codes must be unique")
        ministries = {m.code for m in self.ministries}
        unknown = sorted({s.ministry for s in self.services} - ministries)
        if unknown:
            raise ValueError(f"services name unknown ministries: {', '.join(unknown)}")
        return self

    def service(self, code: str) -> CatalogueService:
        """The service with this code; UnknownService if there is none."""
        for service in self.services:
            if service.code == code:
                return service
        raise UnknownService(code)

    def ministry(self, code: str) -> Ministry:
        """The ministry with this code; LookupError if there is none."""
        for ministry in self.ministries:
            if ministry.code == code:
                return ministry
        raise LookupError(code)


@cache
def service_catalogue() -> ServiceCatalogue:
    """The catalogue shipped with this release."""
    raw = files(__package__).joinpath("catalogue.json").read_text(encoding="utf-8")
    return ServiceCatalogue.model_validate_json(raw)
