"""The couriers' use cases with fakes: send, open sealed contacts, retry, fail, isolate."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from samleng.notification.delivering import Courier, Couriers
from samleng.notification.domain.delivery import (
    Delivery,
    DeliveryState,
    RetryPolicy,
    SendFailed,
    Target,
)
from services.notification.tests.unit.fakes import (
    T0,
    Clock,
    FakeChannel,
    FakeDeliveryQueue,
    FakeKeyring,
)

pytestmark = pytest.mark.unit

POLICY = RetryPolicy(base_seconds=10, max_seconds=60, max_attempts=3)
LEASE = timedelta(seconds=120)


def delivery(
    n: int = 1, channel: str = "sms", target: Target | None = None, recipient: str = "dara"
) -> Delivery:
    """A pending SMS delivery to an officer, due now."""
    return Delivery(
        id=f"event-{n}|officer:a:{recipient}|{channel}",
        event_id=f"event-{n}",
        event_type="complaint.assigned",
        kind="assigned",
        complaint_id=f"case-{n}",
        office_id="commune:a",
        audience="office",
        recipient=f"officer:a:{recipient}",
        channel=channel,  # type: ignore[arg-type]
        language="en",
        subject="Samleng: a new case",
        text="A new case was assigned.",
        target=target or Target(address="+85510000001"),
        state=DeliveryState.PENDING,
        occurred_at=T0 + timedelta(seconds=n),
        created_at=T0,
        due_at=T0,
    )


def courier(
    queue: FakeDeliveryQueue, channel: FakeChannel, clock: Clock, batch: int = 1
) -> Courier:
    """A courier of the fake channel over the fake queue."""
    return Courier(
        queue, channel, FakeKeyring(), POLICY, lease=LEASE, poll_seconds=0.01, clock=clock,
        batch=batch,
    )  # fmt: skip


async def test_a_due_delivery_is_sent_once_and_recorded_sent() -> None:
    queue, sms, clock = FakeDeliveryQueue(), FakeChannel(), Clock()
    await queue.plan([delivery()])
    assert await courier(queue, sms, clock).deliver_due() == 1
    assert await courier(queue, sms, clock).deliver_due() == 0
    (message,) = sms.sent
    assert message.address == "+85510000001" and message.delivery_id == delivery().id
    stored = queue.deliveries[delivery().id]
    assert stored.state == DeliveryState.SENT and stored.attempts == 1 and stored.sent_at == T0


async def test_a_citizens_sealed_contact_is_opened_only_for_the_send() -> None:
    queue, sms, clock = FakeDeliveryQueue(), FakeChannel(), Clock()
    sealed = Target(ciphertext="sealed:+85599000001", key_id="k1")
    await queue.plan([delivery(target=sealed)])
    await courier(queue, sms, clock).deliver_due()
    assert sms.sent[0].address == "+85599000001"
    assert queue.deliveries[delivery().id].target == sealed


async def test_a_contact_that_cannot_be_opened_fails_at_once_without_the_address() -> None:
    queue, sms, clock = FakeDeliveryQueue(), FakeChannel(), Clock()
    await queue.plan([delivery(target=Target(ciphertext="garbage", key_id="k9"))])
    await courier(queue, sms, clock).deliver_due()
    stored = queue.deliveries[delivery().id]
    assert stored.state == DeliveryState.FAILED and sms.sent == []
    assert stored.last_error == "the sealed contact could not be opened"


async def test_a_temporary_failure_is_retried_later_with_the_same_reference() -> None:
    queue, clock = FakeDeliveryQueue(), Clock()
    sms = FakeChannel(failures=[SendFailed("the SMS gateway answered HTTP 503")])
    await queue.plan([delivery()])
    await courier(queue, sms, clock).deliver_due()
    stored = queue.deliveries[delivery().id]
    assert stored.state == DeliveryState.PENDING
    assert stored.last_error == "the SMS gateway answered HTTP 503"
    assert T0 + timedelta(seconds=5) <= stored.due_at <= T0 + timedelta(seconds=10)
    assert await courier(queue, sms, clock).deliver_due() == 0  # not due yet
    clock.advance(10)
    assert await courier(queue, sms, clock).deliver_due() == 1
    assert queue.deliveries[delivery().id].state == DeliveryState.SENT
    assert queue.deliveries[delivery().id].attempts == 2


async def test_a_delivery_fails_for_good_when_attempts_run_out_or_at_a_permanent_error() -> None:
    queue, clock = FakeDeliveryQueue(), Clock()
    sms = FakeChannel(
        failures=[SendFailed("busy"), SendFailed("busy"), SendFailed("busy"),
                  SendFailed("the number does not exist", permanent=True)]
    )  # fmt: skip
    await queue.plan([delivery(1)])
    crew = courier(queue, sms, clock)
    for _ in range(3):
        await crew.deliver_due()
        clock.advance(60)
    first = queue.deliveries[delivery(1).id]
    assert first.state == DeliveryState.FAILED and first.attempts == 3
    assert first.last_error == "busy" and first.failed_at is not None
    await queue.plan([delivery(2)])
    await crew.deliver_due()
    second = queue.deliveries[delivery(2).id]
    assert second.state == DeliveryState.FAILED and second.attempts == 1
    assert second.last_error == "the number does not exist"


async def test_an_adapter_bug_is_a_temporary_failure_that_names_only_its_type() -> None:
    queue, clock = FakeDeliveryQueue(), Clock()
    sms = FakeChannel(failures=[KeyError("+85510000001")])
    await queue.plan([delivery()])
    await courier(queue, sms, clock).deliver_due()
    stored = queue.deliveries[delivery().id]
    assert stored.state == DeliveryState.PENDING and stored.last_error == "unexpected KeyError"


async def test_a_courier_sends_only_its_own_channel() -> None:
    queue, sms, clock = FakeDeliveryQueue(), FakeChannel(), Clock()
    await queue.plan([delivery(1, "email")])
    assert await courier(queue, sms, clock).deliver_due() == 0
    assert queue.deliveries[delivery(1, "email").id].state == DeliveryState.PENDING


async def test_waking_the_couriers_makes_a_running_courier_look_now() -> None:
    queue, sms, clock = FakeDeliveryQueue(), FakeChannel(), Clock()
    one = Courier(queue, sms, FakeKeyring(), POLICY, lease=LEASE, poll_seconds=60, clock=clock)
    crew = Couriers()
    crew.members = [one]
    running = asyncio.create_task(one.run())
    try:
        await asyncio.sleep(0)
        await queue.plan([delivery()])
        crew.wake()
        for _ in range(100):
            if sms.sent:
                break
            await asyncio.sleep(0.001)
        assert len(sms.sent) == 1
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_a_batch_is_sent_concurrently_and_recorded_in_one_write() -> None:
    queue, clock = FakeDeliveryQueue(), Clock()
    gate = asyncio.Event()
    sms = FakeChannel(gate=gate)
    await queue.plan([delivery(n, recipient=f"officer-{n}") for n in range(1, 8)])
    crew = courier(queue, sms, clock, batch=5)
    writes = queue.writes
    sending = asyncio.create_task(crew.deliver_due())
    for _ in range(100):
        if sms.in_flight == 5:
            break
        await asyncio.sleep(0)
    assert sms.in_flight == 5  # all five under way together, no more
    gate.set()
    assert await sending == 5
    assert queue.writes - writes == 2  # one lease, one settlement
    assert len(queue.in_state(DeliveryState.SENT)) == 5
    assert await crew.deliver_due() == 2
    assert sms.most_in_flight == 5 and len(sms.sent) == 7


async def test_one_slow_failure_in_a_batch_does_not_hold_back_the_others_outcomes() -> None:
    queue, clock = FakeDeliveryQueue(), Clock()
    sms = FakeChannel(failures=[SendFailed("busy")])
    await queue.plan([delivery(n, recipient=f"officer-{n}") for n in range(1, 4)])
    await courier(queue, sms, clock, batch=3).deliver_due()
    states = sorted(d.state for d in queue.deliveries.values())
    assert states == [DeliveryState.PENDING, DeliveryState.SENT, DeliveryState.SENT]


async def test_one_recipients_messages_go_one_after_the_other_in_the_order_of_events() -> None:
    queue, clock = FakeDeliveryQueue(), Clock()
    sms = FakeChannel()
    await queue.plan([delivery(n) for n in (3, 1, 2)] + [delivery(4, recipient="sokha")])
    await courier(queue, sms, clock, batch=10).deliver_due()
    assert sms.most_in_flight == 2  # dara's three in a row, beside sokha's one
    dara = [m.event_id for m in sms.sent if "dara" in m.delivery_id]
    assert dara == ["event-1", "event-2", "event-3"]


async def test_waking_some_channels_wakes_only_their_couriers() -> None:
    queue, clock = FakeDeliveryQueue(), Clock()
    sms, email = (
        courier(queue, FakeChannel("sms"), clock),
        courier(queue, FakeChannel("email"), clock),
    )
    crew = Couriers()
    crew.members = [sms, email]
    crew.wake({"email"})
    assert email._wake.is_set() and not sms._wake.is_set()
    crew.wake()
    assert sms._wake.is_set()


async def test_a_courier_stopped_mid_send_records_what_went_and_gives_back_the_rest() -> None:
    queue, clock = FakeDeliveryQueue(), Clock()
    slow = FakeChannel(gate=asyncio.Event())
    await queue.plan([delivery(1)])
    crew = courier(queue, slow, clock, batch=5)
    sending = asyncio.create_task(crew.deliver_due())
    for _ in range(100):
        if slow.in_flight:
            break
        await asyncio.sleep(0)
    sending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sending
    stored = queue.deliveries[delivery(1).id]
    assert stored.state == DeliveryState.PENDING and stored.due_at == T0
    assert queue.leases == {}
    # the next courier (after a restart) sends it under the same id: the same reference
    sms = FakeChannel()
    assert await courier(queue, sms, clock).deliver_due() == 1
    assert sms.sent[0].delivery_id == delivery(1).id
    assert queue.deliveries[delivery(1).id].state == DeliveryState.SENT


async def test_a_delivery_whose_courier_vanished_is_sent_again_once_its_lease_expires() -> None:
    queue, clock = FakeDeliveryQueue(), Clock()
    await queue.plan([delivery(1), delivery(2)])
    # a courier killed mid-send: it leased both, then nothing more happened
    await queue.lease_due("sms", "killed", clock(), LEASE, 2)
    assert await queue.requeue_interrupted(clock(), POLICY.max_attempts) == 0  # still leased
    clock.advance(LEASE.total_seconds() + 1)
    queue.deliveries[delivery(2).id] = replace(
        queue.deliveries[delivery(2).id], attempts=POLICY.max_attempts
    )
    assert await queue.requeue_interrupted(clock(), POLICY.max_attempts) == 1
    sms = FakeChannel()
    await courier(queue, sms, clock).deliver_due()
    assert [m.delivery_id for m in sms.sent] == [delivery(1).id]
    assert queue.deliveries[delivery(1).id].attempts == 2
    assert queue.deliveries[delivery(2).id].state == DeliveryState.FAILED
