"""``python -m samleng.routing [serve|migrate|directory ...]``."""

import sys

from samleng.common.cli import run_service_cli
from samleng.routing.app import create_app, migrate
from samleng.routing.cli import run_directory_cli
from samleng.routing.settings import RoutingSettings

if __name__ == "__main__":
    if sys.argv[1:2] == ["directory"]:
        sys.exit(run_directory_cli(sys.argv[2:]))
    run_service_cli(RoutingSettings, create_app, migrate)
