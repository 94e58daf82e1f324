"""The photo a sender chose in a chat, attached to the case they just filed.

The conversation keeps only the channel's reference to the photo (a Telegram
``file_id``), sealed with the draft; nothing is downloaded before the sender confirms.
At filing, the photo is fetched from the channel (size-limited before and during the
download) and goes through intake's attachment use case
(:func:`samleng.intake.citizen.handlers.attach_file`): the same limits and cleaning
(metadata stripped) and the same storage as a file attached on the web. A photo that
cannot be attached leaves the case filed, and the sender is told why.
"""

from __future__ import annotations

import logging

from samleng.common.events.values import Language
from samleng.intake.adapters.attachments import CleanerBusy, UnacceptableFile
from samleng.intake.citizen.handlers import LookupsExhausted, attach_file
from samleng.intake.conversations.ports import PhotoRefused, PhotoSource
from samleng.intake.conversations.replies import text
from samleng.intake.domain.citizen import ActionRefused
from samleng.intake.domain.tracking import TrackingCode
from samleng.intake.ports import IntakePorts, StaleCase

log = logging.getLogger(__name__)


async def attach_photo(
    photo: str,
    code: TrackingCode,
    source: PhotoSource,
    ports: IntakePorts,
    sender: str,
    language: Language,
) -> str:
    """Fetch the photo and attach it to the case the code opens; what to tell the sender."""
    settings = ports.settings
    try:
        data = await source.fetch(photo, settings.max_attachment_bytes)
        await attach_file(
            code,
            data,
            ports.cases,
            ports.keys.hasher,
            ports.budgets.lookup_misses.for_client(f"conversation:{sender}"),
            ports.attachments,
            settings.max_attachments,
        )
    except (PhotoRefused, UnacceptableFile, ActionRefused) as refused:
        log.info("a photo sent in a chat was not attached: %s", refused.en)
        reason = refused.km if language == "km" else refused.en
        return text("photo_not_attached", language, reason=reason)
    except (CleanerBusy, StaleCase, LookupsExhausted):
        return text("photo_not_attached", language, reason=text("try_later", language))
    ports.relay.wake()
    return text("photo_attached", language)
