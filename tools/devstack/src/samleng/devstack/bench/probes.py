"""How the harness sees that a service has done its part for a complaint, from its database.

Routing's decision is seen on the event tap (``tap.EventLog``); what each service then
stored is read here, with one query per service. These are the only places besides
``history.as_history`` that know a service's storage: when a service changes how it
stores a case, change its probe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Probe:
    """Complaints in ``ids`` whose documents in ``collection`` match ``done``."""

    collection: str
    done: dict[str, Any]
    id_field: str = "_id"

    async def count(self, db: Any, ids: list[str]) -> int:
        """How many distinct complaints of ``ids`` the service has done its part for."""
        if not ids:
            return 0
        query = {self.id_field: {"$in": ids}, **self.done}
        if self.id_field == "_id":
            return int(await db[self.collection].count_documents(query))
        return len(await db[self.collection].distinct(self.id_field, query))

    async def surplus(self, db: Any, ids: list[str]) -> dict[str, list[Any]]:
        """Complaints of ``ids`` done more than once, with the ids of their documents."""
        if not ids or self.id_field == "_id":
            return {}
        pipeline = [
            {"$match": {self.id_field: {"$in": ids}, **self.done}},
            {"$group": {"_id": f"${self.id_field}", "docs": {"$push": "$_id"}}},
            {"$match": {"docs.1": {"$exists": True}}},
        ]
        found = await (await db[self.collection].aggregate(pipeline)).to_list()
        return {str(group["_id"]): group["docs"] for group in found}


PROBES = {
    # intake applied routing's decision: the case has its office
    "intake": Probe("cases", {"office": {"$ne": None}}),
    # routing stored its decision
    "routing": Probe("assignments", {"office_id": {"$ne": None}}),
    # notification planned the office's alert for the assignment
    "notification": Probe(
        "deliveries",
        {"event_type": "complaint.assigned", "audience": "office", "channel": "in_app"},
        id_field="complaint_id",
    ),
    # reporting counted the case as routed
    "reporting": Probe("cases", {"office_id": {"$ne": None}}),
}
