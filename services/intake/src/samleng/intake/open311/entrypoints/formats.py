"""GeoReport v2's two formats: every Open311 answer, and every error, in JSON or XML.

The route's extension chooses (``services.json`` / ``services.xml``); the XML shapes are
the spec's::

    <services><service><service_code>…</service_code>…</service></services>
    <service_definition><service_code/><attributes><attribute>…<values><value>
        <key/><name/></value></values></attribute></attributes></service_definition>
    <service_requests><request><service_request_id/>…</request></service_requests>
    <errors><error><code>400</code><description>…</description></error></errors>

JSON errors are the spec's ``[{"code": 400, "description": "…"}]``; an unknown extension
gets that too. A ``None`` is an empty XML element and JSON ``null``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from enum import Enum
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

XML_TYPE = "text/xml; charset=utf-8"

#: the element of one item inside each list the spec names
_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
}


class Format(Enum):
    """The formats of GeoReport v2."""

    JSON = "json"
    XML = "xml"


class Open311Error(Exception):
    """An error in GeoReport v2 shape, in the format of the route it happened on."""

    def __init__(self, status: int, description: str, headers: dict[str, str] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}


def format_of(extension: str) -> Format:
    """The format an extension asks for; Open311Error (in JSON) if it is neither."""
    try:
        return Format(extension)
    except ValueError:
        raise Open311Error(
            400, f"format {extension[:20]!r} is not supported; end the path in .json or .xml"
        ) from None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any, name: str) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(ET.SubElement(element, key), inner, key)
    elif isinstance(value, list):
        for inner in value:
            item = _ITEMS[name]
            _fill(ET.SubElement(element, item), inner, item)
    elif value is not None:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    """The XML document of a value, its lists' items named as the spec names them."""
    element = ET.Element(root)
    _fill(element, value, root)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def answer(
    fmt: Format,
    root: str,
    value: Any,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """A response in the requested format; ``root`` names the XML document element."""
    if fmt is Format.XML:
        return Response(to_xml(root, value), status, headers, media_type=XML_TYPE)
    return JSONResponse(value, status, headers)


def install(app: FastAPI) -> None:
    """Answer Open311 errors in the spec's shape, as XML on ``.xml`` routes."""

    async def on_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Open311Error)
        fmt = Format.XML if request.url.path.endswith(".xml") else Format.JSON
        errors = [{"code": exc.status, "description": exc.description}]
        return answer(fmt, "errors", errors, status=exc.status, headers=exc.headers)

    app.add_exception_handler(Open311Error, on_error)
