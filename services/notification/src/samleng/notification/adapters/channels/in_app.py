"""The in-app channel: an in-app delivery is its office's feed alert (``adapters/feed.py``).

Planning stores it sent at once; the courier sends one only when an admin sends it again
(or one was planned before issue 19), and then sending it is recording it sent, which the
courier's settlement does: nothing goes anywhere else.
"""

from __future__ import annotations

from samleng.notification.domain.delivery import Channel, Outgoing


class InAppChannel:
    """The office feeds: a sent in-app delivery is shown in its office's feed."""

    channel: Channel = "in_app"

    async def send(self, message: Outgoing) -> None:
        """Nothing to send: once settled as sent, the delivery is in the feed."""
