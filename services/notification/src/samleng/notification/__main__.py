"""``python -m samleng.notification [serve|migrate|recipients ...]``."""

import sys


def main() -> None:
    """Run the admin CLI for ``recipients``, the service otherwise."""
    if sys.argv[1:2] == ["recipients"]:
        # imported here so that the CLI does not load the web and broker stacks
        from samleng.notification.entrypoints import admin_cli

        sys.exit(admin_cli.main(sys.argv[2:]))
    from samleng.common.cli import run_service_cli
    from samleng.notification.app import create_app, migrate
    from samleng.notification.settings import NotificationSettings

    run_service_cli(NotificationSettings, create_app, migrate)


if __name__ == "__main__":
    main()
