"""``python -m samleng.web [serve|migrate]`` (``migrate`` has nothing to do: no database).

The shared command line (:func:`samleng.common.cli.service_main`); web reaches the other
services only over HTTP, so it checks no broker or database at start.
"""

from __future__ import annotations

import sys

from samleng.common.cli import ServiceParts, service_main


def _parts() -> ServiceParts:
    from samleng.web.app import create_app, migrate
    from samleng.web.settings import WebSettings

    return ServiceParts(WebSettings, create_app, migrate, uses_broker_and_database=False)


if __name__ == "__main__":
    sys.exit(service_main("web", _parts))
