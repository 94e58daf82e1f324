"""``python -m samleng.intake retention --dry-run|--yes``: apply the retention policy now.

``--dry-run`` counts the closed cases whose sealed reporter details or attachments are
due for erasure and changes nothing; ``--yes`` erases them (each erasure counted in the
audit trail). Safe beside running replicas: an erasure is done once, whoever gets there
first. Reads the usual ``SAMLENG_*`` settings (``SAMLENG_RETENTION_*_DAYS``).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from samleng.common.cli import retention_parser, service_database
from samleng.intake.adapters.audit import AuditTrail
from samleng.intake.adapters.retention import MongoRetention
from samleng.intake.app import audit_key, retention_policy
from samleng.intake.retention.handlers import apply_retention
from samleng.intake.settings import IntakeSettings


async def _run(settings: IntakeSettings, dry_run: bool) -> int:
    async with service_database(settings) as db:
        audit = AuditTrail(db, audit_key(settings))
        store = MongoRetention(db, audit)
        await audit.create_indexes()
        await store.create_indexes()
        policy = retention_policy(settings)
        report = await apply_retention(store, policy, datetime.now(UTC), dry_run=dry_run)
    verb = "due for erasure" if dry_run else "erased"
    days = {"contacts": policy.contacts_days, "attachments": policy.attachments_days}
    for erasure, cases in report.items():
        print(
            f"{erasure.value}: {cases} case(s) {verb} "
            f"(closed more than {days[erasure.value]} days ago)"
        )
    return 0


def main(argv: list[str]) -> int:
    """Apply (or, dry, count) the retention policy once."""
    args = retention_parser(
        "python -m samleng.intake retention",
        "Erase sealed reporter details and attachments of cases closed long ago.",
    ).parse_args(argv)
    return asyncio.run(_run(IntakeSettings(), dry_run=args.dry_run))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
