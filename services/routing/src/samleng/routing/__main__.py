"""``python -m samleng.routing [serve|migrate]``."""

from samleng.common.cli import run_service_cli
from samleng.routing.app import create_app, migrate
from samleng.routing.settings import RoutingSettings

if __name__ == "__main__":
    run_service_cli(RoutingSettings, create_app, migrate)
