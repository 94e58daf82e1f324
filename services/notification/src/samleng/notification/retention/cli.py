"""``python -m samleng.notification retention --dry-run|--yes``: apply the retention policy now.

``--dry-run`` counts the cases final for more than ``SAMLENG_RETENTION_CONTACTS_DAYS``
whose citizen's sealed contacts notification still holds, and changes nothing; ``--yes``
erases them (with the sealed targets of their deliveries and their pending confirmation
codes). Safe beside running replicas: each erasure is a conditional update, done once.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from samleng.common.cli import retention_parser, service_database
from samleng.notification.adapters.retention import MongoCaseRetention
from samleng.notification.retention.handlers import apply_retention
from samleng.notification.settings import NotificationSettings


async def _run(settings: NotificationSettings, dry_run: bool) -> int:
    async with service_database(settings) as db:
        store = MongoCaseRetention(db)
        await store.create_indexes()
        cases = await apply_retention(
            store, settings.retention_policy(), datetime.now(UTC), dry_run=dry_run
        )
    verb = "due for erasure" if dry_run else "erased"
    print(
        f"contacts: {cases} case(s) {verb} "
        f"(final more than {settings.retention_contacts_days} days ago)"
    )
    return 0


def main(argv: list[str]) -> int:
    """Apply (or, dry, count) the retention policy once."""
    args = retention_parser(
        "python -m samleng.notification retention",
        "Erase the sealed contacts of cases final long ago.",
    ).parse_args(argv)
    return asyncio.run(_run(NotificationSettings(), dry_run=args.dry_run))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
