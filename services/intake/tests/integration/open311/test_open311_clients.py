"""Open311 clients against intake: the third-party ``georeport`` client (PyPI) in JSON and
XML, and a strict element-by-element check of every XML document against the spec's shapes.

``georeport`` only reads (services, definitions, requests); requests are created here by
hand, as the spec's form. It calls through ``requests``; a Starlette ``TestClient`` (the
same ``get(url, params=...)``) stands in for it, so the client runs against the real app.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import georeport.georeport
import pytest
from fastapi.testclient import TestClient
from georeport import GeoReport

from samleng.intake.app import create_app
from samleng.intake.open311.disclosure import api_key_digest
from services.intake.tests.integration.shared import intake_settings

pytestmark = pytest.mark.integration

ROOT = "http://intake/open311/v2"
SERVICE = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
]
REQUEST = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def http(env: Any) -> Iterator[TestClient]:
    settings = intake_settings(
        env,
        relay_enabled=False,
        small_cell_threshold=1,
        open311_api_keys=(api_key_digest("partner"),),
    )
    with TestClient(create_app(settings), base_url="http://intake") as client:
        yield client


def _xml(answer: Any, root: str) -> ET.Element:
    assert answer.headers["content-type"].startswith("text/xml"), answer.text
    element = ET.fromstring(answer.content)  # noqa: S314 -- the app under test wrote it
    assert element.tag == root
    return element


def _tags(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def test_a_third_party_client_reads_json_and_xml(http: TestClient, monkeypatch: Any) -> None:
    created = http.post(
        "/open311/v2/requests.xml",
        data={
            "service_code": "civil.birth_certificate",
            "address_string": "Chub Ta Trav, Angkor Thum",
            "description": "គេទារប្រាក់ ២០០០០ រៀល",
            "attribute[category]": "extra_fee",
        },
    )
    receipt = _xml(created, "service_requests")
    [request] = receipt
    assert request.tag == "request"
    assert _tags(request) == ["service_request_id", "token", "service_notice", "account_id"]
    request_id = request.findtext("service_request_id")
    monkeypatch.setattr(georeport.georeport, "requests", http)

    for fmt in ("json", "xml"):
        client = GeoReport(ROOT, output_format=fmt)
        services = client.get_service_list()
        birth = next(s for s in services if s["service_code"] == "civil.birth_certificate")
        assert str(birth["metadata"]).lower() == "true" and birth["type"] == "realtime"
        definition = client.get_service_definition("civil.birth_certificate")
        assert definition["service_code"] == "civil.birth_certificate"
        one = client.get_service_request(request_id)
        assert one["service_request_id"] == request_id and one["status"] == "open"
        by_id = client.get_service_requests(service_request_id=request_id)
        listed = by_id if fmt == "xml" else by_id[0]  # xmltodict gives one item, not a list
        assert listed["service_request_id"] == request_id


def test_every_xml_document_has_the_specs_shape(http: TestClient) -> None:
    services = _xml(http.get("/open311/v2/services.xml"), "services")
    assert {child.tag for child in services} == {"service"}
    for service in services:
        assert _tags(service) == SERVICE

    definition = _xml(
        http.get("/open311/v2/services/civil.birth_certificate.xml"), "service_definition"
    )
    assert _tags(definition) == ["service_code", "attributes"]
    attributes = definition.find("attributes")
    assert attributes is not None and {a.tag for a in attributes} == {"attribute"}
    for attribute in attributes:
        assert _tags(attribute)[: len(ATTRIBUTE)] == ATTRIBUTE
        values = attribute.find("values")
        if values is not None:
            assert {v.tag for v in values} == {"value"}
            assert all(_tags(v) == ["key", "name"] for v in values)

    created = _xml(
        http.post(
            "/open311/v2/requests.xml",
            data={
                "service_code": "civil.birth_certificate",
                "address_id": "170201",
                "description": "យឺតយ៉ាវ",
                "attribute[category]": "delay",
            },
        ),
        "service_requests",
    )
    token = created.findtext("request/token")
    request_id = created.findtext("request/service_request_id")
    by_token = _xml(http.get(f"/open311/v2/tokens/{token}.xml"), "service_requests")
    assert [_tags(r) for r in by_token] == [["service_request_id", "token"]]
    assert by_token.findtext("request/service_request_id") == request_id

    for path in (
        f"/open311/v2/requests/{request_id}.xml",
        "/open311/v2/requests.xml?api_key=partner",
        f"/open311/v2/requests.xml?service_request_id={request_id}",
    ):
        requests = _xml(http.get(path), "service_requests")
        assert [r.tag for r in requests] == ["request"]
        assert _tags(requests[0]) == REQUEST

    for answer, status in (
        (http.get("/open311/v2/services/civil.nothing.xml"), 404),
        (http.get("/open311/v2/requests.xml"), 403),
        (http.get("/open311/v2/requests.xml?end_date=never"), 400),
        (http.post("/open311/v2/requests.xml", data={"service_code": "x"}), 400),
        (http.get("/open311/v2/tokens/0000-0000-0000-0000-1.xml"), 400),
    ):
        assert answer.status_code == status
        errors = _xml(answer, "errors")
        assert [e.tag for e in errors] == ["error"]
        assert _tags(errors[0]) == ["code", "description"]
        assert errors.findtext("error/code") == str(status)
        assert errors.findtext("error/description")
