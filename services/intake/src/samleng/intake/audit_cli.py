"""``python -m samleng.intake audit verify|query``: check and read the audit trail.

``verify`` re-computes every hash of the chain and exits 1, printing each break, when an
entry was edited, removed or cut off in MongoDB behind the application's back. ``query``
prints entries (one JSON object a line) for a case or an actor. Both read the database
named by the usual ``SAMLENG_MONGO_*`` settings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from samleng.common.mongo import make_mongo_client
from samleng.intake.adapters.audit import AuditTrail
from samleng.intake.app import audit_key
from samleng.intake.settings import IntakeSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m samleng.intake audit")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("verify", help="check the whole hash chain; exit 1 on any break")
    query = commands.add_parser("query", help="print entries, one JSON object a line")
    query.add_argument("--case", dest="complaint_id", help="only entries about this case")
    query.add_argument("--subject", help="only entries of this user (token subject)")
    query.add_argument("--after", type=int, default=0, help="only entries after this seq")
    query.add_argument("--limit", type=int, default=100)
    return parser


async def _run(settings: IntakeSettings, args: argparse.Namespace) -> int:
    client = make_mongo_client(settings)
    try:
        trail = AuditTrail(client[settings.mongo_database], audit_key(settings))
        if args.command == "verify":
            breaks = await trail.verify()
            for found in breaks:
                print(f"BROKEN at entry {found.seq}: {found.problem}")
            if breaks:
                print(f"audit trail NOT intact: {len(breaks)} break(s)")
                return 1
            print("audit trail intact")
            return 0
        async for entry in trail.entries(
            complaint_id=args.complaint_id,
            subject=args.subject,
            after_seq=args.after,
            limit=args.limit,
        ):
            record: dict[str, Any] = {
                "seq": entry.seq,
                **vars(entry.record),
                "at": entry.record.at.isoformat(),
                "hash": entry.hash,
            }
            print(json.dumps(record, ensure_ascii=False))
        return 0
    finally:
        await client.close()


def main(argv: list[str]) -> int:
    """Run an audit command; the exit code says whether the trail is intact."""
    args = _parser().parse_args(argv)
    return asyncio.run(_run(IntakeSettings(), args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
