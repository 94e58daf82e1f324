"""Uploads cannot stall intake: every limit is checked before a file is decoded, and
decoding runs in a bounded pool of worker processes, never on the event loop.

Issue 13, item 3: one 6300×6300 PNG of 150 KiB blocked every request for 9 s; larger
images answered 500; a sixth file was decoded before it was refused.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from samleng.intake.app import bootstrap
from services.intake.tests.files import pdf, png, upload
from services.intake.tests.integration.citizen.helpers import collection
from services.intake.tests.integration.shared import VALID, intake_settings
from tests.support import eventually, running

pytestmark = pytest.mark.integration


async def _case(http: Any) -> str:
    answer = await http.post("/v1/complaints", json=VALID)
    assert answer.status_code == 202, answer.text
    return str(answer.json()["tracking_code"])


@pytest.mark.parametrize(
    ("width", "height", "honest"),
    [
        (6300, 6300, True),  # the image of the report: 39.7 megapixels in 40 KiB
        (60_000, 60_000, False),  # past Pillow's own ceiling: answered 500 before the fix
        (20_000, 5_000, False),
    ],
    ids=["report-6300", "pillow-bomb", "header-lies"],
)
async def test_a_decompression_bomb_is_refused_before_it_is_decoded(
    env: Any, width: int, height: int, honest: bool
) -> None:
    settings = intake_settings(env, relay_enabled=False)
    service: Any = bootstrap(settings)
    bomb = png(width, height, honest=honest)
    assert len(bomb) < 200 * 1024  # small on the wire, huge when decoded
    async with running(service.app) as http:
        code = await _case(http)
        answer = await upload(http, code, "bomb.png", bomb, "image/png")
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"].endswith("image-too-large")
    assert "at most 25 megapixels" in problem["detail_en"] and problem["detail_km"]
    assert service.ports.attachments.cleaner.admitted == 0  # no worker ever decoded it
    assert await collection(settings, "attachments.files") == []


async def test_the_sixth_file_is_refused_before_anything_is_decoded(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False)  # 5 files per case
    service: Any = bootstrap(settings)
    cleaner = service.ports.attachments.cleaner
    async with running(service.app) as http:
        code = await _case(http)
        for n in range(5):
            sent = await upload(http, code, f"{n}.png", png(16, 16), "image/png")
            assert sent.status_code == 200, sent.text
        assert cleaner.admitted == 5
        # a sixth file that would be refused for its pixels, or fail to decode, is refused
        # for the count: nothing about it was read past the limit
        for sixth in (png(60_000, 60_000, honest=False), b"\x89PNG\r\n\x1a\n broken", pdf()):
            answer = await upload(http, code, "6.png", sixth, "image/png")
            assert answer.status_code == 409, answer.text
            assert answer.json()["type"].endswith("too-many-attachments")
    assert cleaner.admitted == 5
    assert len(await collection(settings, "attachments.files")) == 5


async def test_a_lookup_answers_while_big_uploads_are_being_cleaned(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False, attachment_workers=1, attachment_queue=4)
    service: Any = bootstrap(settings)
    cleaner = service.ports.attachments.cleaner
    big = png(4500, 4500, colour=True)  # 20 megapixels: accepted, seconds to clean
    async with running(service.app) as http:
        codes = [await _case(http) for _ in range(4)]
        uploads = [
            asyncio.create_task(upload(http, code, "big.png", big, "image/png")) for code in codes
        ]

        async def all_handed_to_the_workers() -> bool:
            return bool(cleaner.admitted == 4)

        await eventually(all_handed_to_the_workers, timeout=60)
        # one worker cleans the four in turn; a plain look-up does not wait for them
        looked_up = await http.get(f"/v1/complaints/{codes[0]}")
        still_cleaning = [task for task in uploads if not task.done()]
        assert looked_up.status_code == 200, looked_up.text
        assert still_cleaning, "the look-up was answered only after every upload"
        answers = await asyncio.gather(*uploads)
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]


async def test_uploads_past_the_queue_are_answered_503_with_retry_after(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False, attachment_workers=1, attachment_queue=1)
    service: Any = bootstrap(settings)
    cleaner = service.ports.attachments.cleaner
    big = png(4500, 4500, colour=True)
    async with running(service.app) as http:
        codes = [await _case(http) for _ in range(3)]
        busy = [
            asyncio.create_task(upload(http, code, "big.png", big, "image/png"))
            for code in codes[:2]
        ]

        async def worker_and_queue_full() -> bool:
            return bool(cleaner.in_flight == 2)

        await eventually(worker_and_queue_full, timeout=60)
        refused = await upload(http, codes[2], "small.png", png(8, 8), "image/png")
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) > 0
        assert refused.json()["type"].endswith("uploads-busy") and refused.json()["detail_km"]
        assert [a.status_code for a in await asyncio.gather(*busy)] == [200, 200]
        again = await upload(http, codes[2], "small.png", png(8, 8), "image/png")
        assert again.status_code == 200, again.text  # the queue drained: welcome again
