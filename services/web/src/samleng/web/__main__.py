"""``python -m samleng.web [serve|migrate]`` (``migrate`` has nothing to do: no database)."""

from samleng.common.cli import run_service_cli
from samleng.web.app import create_app, migrate
from samleng.web.settings import WebSettings


def main() -> None:
    """Run the web front end."""
    run_service_cli(WebSettings, create_app, migrate)


if __name__ == "__main__":
    main()
