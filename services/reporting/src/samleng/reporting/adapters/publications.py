"""Published tables in MongoDB: one *build* per calendar year, swapped in whole.

- ``published_tables``: one document per table of a build (``<build>:<table id>``).
- ``publications``: per year, the build being served, when it was made, the newest event
  it saw, the backlog cells the next year repeats and the change version it covers.
- ``publication_changes``: per year, a counter raised by the first event since the
  publisher last looked that can change the year's figures (later ones find the year
  marked ``changed`` and write nothing); a year whose counter is ahead of its publication
  is due again.
- ``publication_lease``: which replica builds publications now.

A new build's tables are all written before the year's pointer moves to it, and the old
build is deleted after, so a reader never mixes tables of two builds (which could be
played against each other: their suppression was worked out separately).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from samleng.common.group_commit import GroupCommit
from samleng.reporting.domain.publication import Publication
from samleng.reporting.domain.suppression import SuppressedTable, Suppression, table_of
from samleng.reporting.ports import Edition

_BATCH = 2000

#: Raise a year's change counter unless the year is marked changed already, and mark it.
_MARK_CHANGED = [
    {
        "$set": {
            "version": {
                "$cond": [
                    {"$eq": ["$changed", True]},
                    "$version",
                    {"$add": [{"$ifNull": ["$version", 0]}, 1]},
                ]
            },
            "changed": True,
        }
    }
]


class MongoPublications:
    """Store and read published tables."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._tables = db["published_tables"]
        self._years = db["publications"]
        self._changes = db["publication_changes"]
        self._lease = db["publication_lease"]
        self._marks: GroupCommit[frozenset[int], None] = GroupCommit(self._mark)

    async def create_indexes(self) -> None:
        """Delete a build's tables quickly (idempotent)."""
        await self._tables.create_index([("build", 1)])

    async def changed(self, years: Iterable[int]) -> None:
        """Note that figures of these years may have changed.

        A year's counter goes up only when the year was not marked changed already since
        the publisher last read it (:meth:`versions`): under load every event finds its
        year marked, and the update changes nothing, so no write contends on one hot
        document per year. Years noted at the same time are marked in one write.
        """
        noted = frozenset(years)
        if noted:
            await self._marks.submit(noted)

    async def _mark(self, rounds: list[frozenset[int]]) -> list[None]:
        years = sorted(frozenset().union(*rounds))
        marks = [UpdateOne({"_id": year}, _MARK_CHANGED, upsert=True) for year in years]
        await self._changes.bulk_write(marks, ordered=False)
        return [None] * len(rounds)

    async def versions(self) -> dict[int, int]:
        """The change counter of every year. Reading them unmarks the years, so an event
        folded after this (which the publisher may not see) raises its year's counter
        again: the publisher reads the records only after this."""
        found = {doc["_id"]: doc["version"] async for doc in self._changes.find({})}
        await self._changes.update_many({"changed": True}, {"$set": {"changed": False}})
        return found

    async def edition(self, year: int) -> Edition | None:
        """The build served for a year, if any."""
        doc = await self._years.find_one({"_id": year}, {"carried": 0})
        if doc is None:
            return None
        return Edition(
            year,
            doc["build"],
            doc["built_at"],
            doc.get("last_updated"),
            doc.get("version", 0),
            doc.get("made_at", doc["built_at"]),
        )

    async def years(self) -> list[int]:
        """The years published."""
        return sorted([doc["_id"] async for doc in self._years.find({}, {"_id": 1})])

    async def carried(self, year: int) -> dict[str, int | None] | None:
        """The backlog cells of a year that the next year repeats, as published."""
        doc = await self._years.find_one({"_id": year}, {"carried": 1})
        return None if doc is None else dict(doc["carried"])

    async def store(
        self,
        publication: Publication,
        last_updated: datetime | None,
        version: int,
        made_at: datetime,
    ) -> Edition:
        """Write a year's tables, then serve them instead of the previous build."""
        build = f"{publication.year}-{uuid.uuid4().hex[:12]}"
        batch: list[dict[str, Any]] = []
        for name, table in publication.tables.items():
            batch.append(_document(build, name, table))
            if len(batch) >= _BATCH:
                await self._tables.insert_many(batch, ordered=False)
                batch = []
        if batch:
            await self._tables.insert_many(batch, ordered=False)
        previous = await self._years.find_one_and_replace(
            {"_id": publication.year},
            {
                "_id": publication.year,
                "build": build,
                "built_at": publication.built_at,
                "made_at": made_at,
                "last_updated": last_updated,
                "version": version,
                "carried": publication.carried,
                "cells": publication.cells,
                "suppressed": publication.suppressed,
            },
            upsert=True,
        )
        if previous is not None:
            await self._tables.delete_many({"build": previous["build"]})
        return Edition(
            publication.year, build, publication.built_at, last_updated, version, made_at
        )

    async def table(self, edition: Edition, name: str) -> SuppressedTable | None:
        """One table of a build (None when the build has no such table: nothing to count)."""
        doc = await self._tables.find_one({"_id": f"{edition.build}:{name}"})
        return None if doc is None else _table(doc)

    async def claim(self, owner: str, now: datetime, lease: timedelta) -> bool:
        """Become (or stay) the replica that builds publications until ``now + lease``."""
        try:
            doc = await self._lease.find_one_and_update(
                {"_id": "builder", "$or": [{"owner": owner}, {"until": {"$lte": now}}]},
                {"$set": {"owner": owner, "until": now + lease}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:  # another replica holds an unexpired lease
            return False
        return doc is not None and doc["owner"] == owner

    async def release(self, owner: str) -> None:
        """Give the lease up (a stopping replica), so another may build at once."""
        await self._lease.update_one(
            {"_id": "builder", "owner": owner}, {"$set": {"until": datetime.min}}
        )

    async def clear(self) -> None:
        """Forget every publication (before a rebuild); change counters stay."""
        await self._tables.delete_many({})
        await self._years.delete_many({})


def _document(build: str, name: str, table: SuppressedTable) -> dict[str, Any]:
    return {
        "_id": f"{build}:{name}",
        "build": build,
        "columns": list(table.columns),
        "rows": [{"key": key, "values": table.row(key)} for key in table.rows],
        "primary": [list(cell) for cell in sorted(table.primary)],
        "complementary": [list(cell) for cell in sorted(table.complementary)],
    }


def _table(doc: dict[str, Any]) -> SuppressedTable:
    rows = [row["key"] for row in doc["rows"]]
    # hidden counts are stored as None and hidden again by ``done``; a statistic stored as
    # None (beside a hidden or small count) stays None
    values = {(row["key"], c): v for row in doc["rows"] for c, v in row["values"].items()}
    done = Suppression(
        frozenset((r, c) for r, c in doc["primary"]),
        frozenset((r, c) for r, c in doc["complementary"]),
    )
    return table_of(rows, doc["columns"], values, done)
