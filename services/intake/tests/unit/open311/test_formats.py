"""GeoReport v2's XML shapes, checked element by element (a strict shape check)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from samleng.intake.open311.entrypoints.formats import to_xml

pytestmark = pytest.mark.unit


def test_lists_take_the_item_names_of_the_spec() -> None:
    document = to_xml(
        "service_definition",
        {
            "service_code": "civil.birth_certificate",
            "attributes": [{"code": "kind", "required": False, "values": [{"key": "a"}]}],
        },
    )
    root = ET.fromstring(document)  # noqa: S314 -- our own output
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert [child.tag for child in root] == ["service_code", "attributes"]
    [attribute] = root.find("attributes") or []
    assert attribute.tag == "attribute"
    assert attribute.findtext("required") == "false"
    assert attribute.findtext("values/value/key") == "a"


def test_none_is_an_empty_element_and_khmer_stays_text() -> None:
    root = ET.fromstring(  # noqa: S314 -- our own output
        to_xml("errors", [{"code": 400, "description": "ឃុំ <x> & y", "lat": None}])
    )
    [error] = list(root)
    assert error.tag == "error" and error.findtext("code") == "400"
    assert error.findtext("description") == "ឃុំ <x> & y"
    assert error.find("lat") is not None and error.findtext("lat") == ""
