"""Finding the commune of an Open311 address_string or lat/long."""

from __future__ import annotations

from pathlib import Path

import pytest

from samleng.intake.open311.places import (
    AmbiguousPlace,
    CommuneBoundaries,
    PlaceNotFound,
    commune_named,
)

pytestmark = pytest.mark.unit

TWO_SQUARES = Path(__file__).with_name("two_communes.geojson")


@pytest.mark.parametrize(
    ("address", "commune"),
    [
        ("Chub Ta Trav", "170201"),
        ("chub ta trao", "170201"),  # a typo
        ("Chub Ta Trav commune, Angkor Thum district, Siem Reap", "170201"),
        ("ជប់តាត្រាវ", "170201"),
        ("ឃុំជប់តាត្រាវ ស្រុកអង្គរធំ", "170201"),
        ("Svay Chek, Angkor Thum", "170204"),  # Svay Chek is also a district elsewhere
        ("ស្វាយចេក អង្គរធំ", "170204"),
        ("Sangkat Boeng Keng Kang Ti Muoy", "121301"),
    ],
)
def test_a_commune_is_found_by_its_khmer_or_romanised_name(address: str, commune: str) -> None:
    assert commune_named(address) == commune


def test_a_name_many_communes_share_is_ambiguous_and_names_them() -> None:
    with pytest.raises(AmbiguousPlace) as raised:
        commune_named("Samraong")
    codes = [code for code, _ in raised.value.candidates]
    assert len(codes) > 1 and "010505" in codes
    assert any("Samraong" in name for _, name in raised.value.candidates)


@pytest.mark.parametrize("address", ["xyz qwerty", "!!!", "commune"])
def test_an_address_that_names_no_commune_is_not_found(address: str) -> None:
    with pytest.raises(PlaceNotFound):
        commune_named(address)


def test_a_point_is_in_the_commune_whose_square_holds_it() -> None:
    layer = CommuneBoundaries.load(TWO_SQUARES, "ADM3_PCODE")
    assert layer.commune_at(13.45, 103.85) == "170201"
    assert layer.commune_at(13.45, 103.95) == "170204"


def test_a_point_outside_every_square_or_on_their_border_is_refused() -> None:
    layer = CommuneBoundaries.load(TWO_SQUARES, "ADM3_PCODE")
    with pytest.raises(PlaceNotFound):
        layer.commune_at(13.45, 104.5)
    with pytest.raises(PlaceNotFound):  # the square without a commune code is ignored
        layer.commune_at(10.5, 100.5)
    with pytest.raises(AmbiguousPlace):
        layer.commune_at(13.45, 103.9)


def test_a_layer_without_commune_codes_is_refused() -> None:
    with pytest.raises(ValueError, match="6-digit 'CODE'"):
        CommuneBoundaries.load(TWO_SQUARES, "CODE")
    with pytest.raises(ValueError, match="FeatureCollection"):
        CommuneBoundaries({"type": "Feature"}, "ADM3_PCODE")
