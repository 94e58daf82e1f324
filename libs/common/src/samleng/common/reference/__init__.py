"""Reference data every service reads the same way: ministries and the service catalogue.

The data file ``catalogue.json`` is versioned in the repo (its ``version`` goes into
every case that uses it). Routing owns the jurisdiction directory built on top of it;
intake validates service codes against it; reporting takes official fees from it::

    catalogue = service_catalogue()
    catalogue.service("civil.birth_certificate").official_fee_riel
"""

from samleng.common.reference.catalogue import (
    CatalogueService,
    Ministry,
    ServiceCatalogue,
    UnknownService,
    service_catalogue,
)

__all__ = [
    "CatalogueService",
    "Ministry",
    "ServiceCatalogue",
    "UnknownService",
    "service_catalogue",
]
