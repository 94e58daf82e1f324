import pytest

from samleng.common.reference import UnknownService, service_catalogue

pytestmark = pytest.mark.unit


def test_catalogue_loads_with_khmer_and_english_names() -> None:
    catalogue = service_catalogue()
    assert catalogue.version
    for service in catalogue.services:
        assert service.name_en and service.name_km
        assert catalogue.ministry(service.ministry).name_km


def test_unknown_service_is_refused() -> None:
    with pytest.raises(UnknownService):
        service_catalogue().service("civil.dragon_licence")
