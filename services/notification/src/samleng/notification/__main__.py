"""``python -m samleng.notification [serve|migrate]``."""

from samleng.common.cli import run_service_cli
from samleng.notification.app import create_app, migrate
from samleng.notification.settings import NotificationSettings

if __name__ == "__main__":
    run_service_cli(NotificationSettings, create_app, migrate)
