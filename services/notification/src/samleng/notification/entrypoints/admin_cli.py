"""``python -m samleng.notification recipients ...``: manage who receives an office's alerts.

    recipients list  --office commune:170201
    recipients set   --office commune:170201 --id sokha --language km \\
                     --email sokha@example.org --sms +85512345678 --telegram 123456 [--digest]
    recipients remove --office commune:170201 --id sokha

Addresses are printed only by ``list``, to the admin's own terminal, never to the logs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict

from samleng.common.mongo import make_mongo_client
from samleng.notification.adapters.recipients import MongoRecipientDirectory
from samleng.notification.domain.delivery import Channel, Endpoint, Recipient
from samleng.notification.settings import NotificationSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m samleng.notification recipients")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="who receives an office's alerts")
    listing.add_argument("--office", required=True)
    setting = commands.add_parser("set", help="create or replace an officer's preferences")
    setting.add_argument("--office", required=True)
    setting.add_argument("--id", required=True, help="a stable id of the officer")
    setting.add_argument("--language", choices=["km", "en"], default="km")
    for channel in ("email", "sms", "telegram"):
        setting.add_argument(f"--{channel}", action="append", default=[], metavar="ADDRESS")
    setting.add_argument("--digest", action="store_true", help="one message a day")
    removing = commands.add_parser("remove", help="stop alerting an officer")
    removing.add_argument("--office", required=True)
    removing.add_argument("--id", required=True)
    return parser


async def run(args: argparse.Namespace, settings: NotificationSettings) -> int:
    """Carry out one recipients command; returns the exit status."""
    client = make_mongo_client(settings)
    directory = MongoRecipientDirectory(client[settings.mongo_database])
    try:
        if args.command == "list":
            for r in await directory.of_office(args.office):
                line = {
                    "recipient_id": r.recipient_id,
                    "language": r.language,
                    "digest": r.digest,
                    "endpoints": [asdict(e) for e in r.endpoints],
                }
                print(json.dumps(line, ensure_ascii=False))
            return 0
        if args.command == "set":
            channels: tuple[Channel, ...] = ("email", "sms", "telegram")
            chosen = tuple(
                Endpoint(channel, address)
                for channel in channels
                for address in getattr(args, channel)
            )
            recipient = Recipient(args.office, args.id, args.language, chosen, args.digest)
            await directory.create_indexes()
            new = await directory.put(recipient)
            print(f"{'added' if new else 'updated'} {args.id} at {args.office}")
            return 0
        if await directory.remove(args.office, args.id):
            print(f"removed {args.id} from {args.office}")
            return 0
        print(f"{args.office} has no recipient {args.id}", file=sys.stderr)
        return 1
    finally:
        await client.close()


def main(argv: list[str]) -> int:
    """Parse ``argv`` (after ``recipients``) and run the command."""
    args = _parser().parse_args(argv)
    return asyncio.run(run(args, NotificationSettings()))
