"""Preload a long history: clone the documents the warm-up really stored, a million times.

    templates = await collect_templates(client, databases, warmup_ids)
    preload(mongo_url, databases, templates, cases=1_000_000, say=print)

The shapes come from the services themselves: after the warm-up, every document of a
service's database that belongs to one of the warm-up complaints (it holds the complaint's
id) is a template, so the history keeps matching the adapters while they change. Each
clone gets fresh ids (every UUID and 64-hex hash in it, consistently across services, so
case ``i`` has the same id in intake, routing, notification and reporting), its dates moved
one to 25 months into the past, and the state of a case closed long ago (``as_history``).
Collections with a TTL index (outbox, budgets, idempotency keys) only ever hold recent
documents and are not filled. One process per service writes with ``insert_many``.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import queue
import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import MongoClient, WriteConcern
from pymongo.errors import BulkWriteError

TOKEN = re.compile(
    r"(?P<u>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"|(?P<h>\b[0-9a-f]{64}\b)"
    r"|(?P<i>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)(?P<z>Z|[+-]\d\d:\d\d)?"
)
BATCH = 1000
DAY = 86_400
SPREAD_DAYS = 730

Plan = tuple[str, Any]
# (service, collection, plan) per warm-up complaint
Templates = list[list[tuple[str, str, Plan]]]


def as_history(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as it would be long after its case closed: nothing due, nothing pending."""
    doc = dict(doc)
    if isinstance(doc.get("status"), str):
        doc["status"] = "closed"
        if isinstance(doc.get("closed_how"), str) or "closed_how" in doc:
            doc["closed_how"] = "auto_closed"
        transitions = doc.get("transitions")
        if isinstance(transitions, list) and transitions and isinstance(transitions[-1], list):
            doc["transitions"] = [*transitions, [transitions[-1][0] + timedelta(days=10), "closed"]]
    for key in list(doc):
        if key.startswith("next_due") or key in ("due_order", "claimed_until", "claim"):
            doc[key] = None
    if isinstance(doc.get("timers"), list):
        doc["timers"] = []
    if isinstance(doc.get("outbox"), list):
        doc["outbox"] = []
    doc.pop("outbox_since", None)
    if doc.get("state") in ("pending", "sending", "held"):
        doc["state"] = "sent"
        doc.pop("lease_until", None)
        doc.pop("lease_owner", None)
    return doc


def compile_plan(value: Any) -> Plan:
    """Turn a document into a plan whose clones differ only where ids and dates are."""
    if isinstance(value, dict):
        items = {key: compile_plan(item) for key, item in value.items()}
        if all(kind == "v" for kind, _ in items.values()):
            return ("v", value)
        return ("d", items)
    if isinstance(value, list):
        parts = [compile_plan(item) for item in value]
        if all(kind == "v" for kind, _ in parts):
            return ("v", value)
        return ("l", parts)
    if isinstance(value, datetime):
        return ("t", value)
    if isinstance(value, ObjectId):
        return ("o", None)
    if isinstance(value, str) and TOKEN.search(value):
        pieces: list[Any] = []
        last = 0
        for found in TOKEN.finditer(value):
            pieces.append(value[last : found.start()])
            if found["u"]:
                pieces.append(("u", found["u"]))
            elif found["h"]:
                pieces.append(("h", found["h"]))
            else:
                pieces.append(("i", datetime.fromisoformat(found["i"]), found["z"] or ""))
            last = found.end()
        pieces.append(value[last:])
        return ("s", pieces)
    return ("v", value)


class Clone:
    """Case ``index`` of the history: its ids and how far back in time it lies."""

    def __init__(self, index: int) -> None:
        self.salt = f"/{index}".encode()
        spread = (index * 2_654_435_761) % (SPREAD_DAYS * DAY)
        self.back = timedelta(seconds=30 * DAY + spread)
        self.ids: dict[str, str] = {}

    def id_for(self, original: str, kind: str) -> str:
        """The clone's id for ``original`` (a UUID or a 64-hex hash)."""
        if (found := self.ids.get(original)) is None:
            if kind == "u":
                digest = hashlib.blake2b(original.encode() + self.salt, digest_size=16).digest()
                found = str(uuid.UUID(bytes=digest, version=4))
            else:
                found = hashlib.blake2b(original.encode() + self.salt, digest_size=32).hexdigest()
            self.ids[original] = found
        return found

    def build(self, plan: Plan) -> Any:
        """Instantiate ``plan`` for this clone."""
        kind, value = plan
        if kind == "v":
            return value
        if kind == "d":
            return {key: self.build(item) for key, item in value.items()}
        if kind == "l":
            return [self.build(item) for item in value]
        if kind == "t":
            return value - self.back
        if kind == "o":
            return ObjectId()
        return "".join(self._piece(piece) for piece in value)

    def _piece(self, piece: Any) -> str:
        if isinstance(piece, str):
            return piece
        if piece[0] == "i":
            moved = (piece[1] - self.back).isoformat()
            return moved + piece[2]
        return self.id_for(piece[1], piece[0])


def _strings(value: Any) -> Any:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


async def collect_templates(
    client: Any, databases: dict[str, str], complaint_ids: list[str]
) -> Templates:
    """Every document of the warm-up complaints, per complaint, compiled into plans."""
    index = {complaint: n for n, complaint in enumerate(complaint_ids)}
    templates: Templates = [[] for _ in complaint_ids]
    for service, name in databases.items():
        db = client[name]
        for collection in sorted(await db.list_collection_names()):
            indexes = await db[collection].index_information()
            if any("expireAfterSeconds" in spec for spec in indexes.values()):
                continue
            async for doc in db[collection].find():
                owner = next(
                    (
                        index[found[0]]
                        for text in _strings(doc)
                        for found in TOKEN.findall(text)
                        if found[0] in index
                    ),
                    None,
                )
                if owner is not None:
                    templates[owner].append((service, collection, compile_plan(as_history(doc))))
    return templates


def _fill(
    mongo_url: str,
    service: str,
    database: str,
    templates: Templates,
    cases: int,
    progress: Any,
) -> None:
    """Write ``cases`` cloned cases into one service's database (runs in its own process)."""
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_url)
    db = client.get_database(database, write_concern=WriteConcern(w=1))
    mine = [[(c, plan) for s, c, plan in group if s == service] for group in templates]
    buffers: dict[str, list[dict[str, Any]]] = {}
    written = duplicates = 0

    def flush(collection: str) -> None:
        nonlocal written, duplicates
        docs = buffers.pop(collection, [])
        if not docs:
            return
        try:
            db[collection].insert_many(docs, ordered=False)
            written += len(docs)
        except BulkWriteError as error:
            duplicates += sum(1 for e in error.details["writeErrors"] if e["code"] == 11000)
            written += error.details["nInserted"]

    for i in range(cases):
        clone = Clone(i)
        for collection, plan in mine[i % len(mine)]:
            buffer = buffers.setdefault(collection, [])
            buffer.append(clone.build(plan))
            if len(buffer) >= BATCH:
                flush(collection)
        if (i + 1) % 2000 == 0:
            progress.put((service, i + 1, written, duplicates))
    for collection in list(buffers):
        flush(collection)
    progress.put((service, cases, written, duplicates))
    client.close()


def preload(
    mongo_url: str,
    databases: dict[str, str],
    templates: Templates,
    cases: int,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Fill every service's database with ``cases`` closed cases; return what was written."""
    templates = [group for group in templates if group]
    if not templates:
        raise RuntimeError("no warm-up documents to clone: did the warm-up complete?")
    context = multiprocessing.get_context("spawn")
    progress = context.Queue()
    workers = {
        service: context.Process(
            target=_fill,
            args=(mongo_url, service, database, templates, cases, progress),
            daemon=True,
        )
        for service, database in databases.items()
    }
    began = time.monotonic()
    for worker in workers.values():
        worker.start()
    state = {service: (0, 0, 0) for service in workers}
    last_said = 0.0
    try:
        while any(worker.is_alive() for worker in workers.values()) or not progress.empty():
            try:
                service, done, written, duplicates = progress.get(timeout=0.5)
                state[service] = (done, written, duplicates)
            except queue.Empty:
                pass
            if time.monotonic() - last_said > 5:
                last_said = time.monotonic()
                slowest = min(done for done, _, _ in state.values())
                elapsed = time.monotonic() - began
                eta = f"{elapsed * (cases - slowest) / slowest:.0f} s" if slowest else "?"
                say(f"{slowest:,}/{cases:,} cases in every database, ETA {eta}")
    finally:
        for worker in workers.values():
            if worker.is_alive():
                worker.terminate()
            worker.join()
    failed = [name for name, worker in workers.items() if worker.exitcode != 0]
    if failed:
        raise RuntimeError(f"the history loader failed for {', '.join(failed)}")
    seconds = time.monotonic() - began
    return {
        "cases": cases,
        "seconds": seconds,
        "documents": {name: written for name, (_, written, _) in state.items()},
        "duplicate_keys_skipped": {name: dup for name, (_, _, dup) in state.items()},
        "collections": sorted({f"{s}.{c}" for group in templates for s, c, _ in group}),
    }
