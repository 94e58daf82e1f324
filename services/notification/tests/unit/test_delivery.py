"""SMS sizes, retry backoff, and opening sealed contacts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from samleng.common.sms import sms_size
from samleng.notification.adapters.sealing import ContactKeyring
from samleng.notification.domain.delivery import RetryPolicy, SendFailed

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("€" * 80, "GSM-7", 1),  # extension characters take two septets
        ("€" * 81, "GSM-7", 2),
        ("ក" * 70, "UCS-2", 1),
        ("ក" * 71, "UCS-2", 2),
        ("ក" * 134, "UCS-2", 2),
        ("ក" * 135, "UCS-2", 3),
        ("😀" * 35, "UCS-2", 1),  # a surrogate pair is two UTF-16 units
    ],
)
def test_sms_segments_follow_the_encoding(text: str, encoding: str, segments: int) -> None:
    size = sms_size(text)
    assert (size.encoding, size.segments) == (encoding, segments)


def test_backoff_grows_exponentially_with_jitter_up_to_a_cap() -> None:
    policy = RetryPolicy(base_seconds=10, max_seconds=60, max_attempts=5)
    assert policy.delay(1, rand=lambda: 0.0) == timedelta(seconds=5)
    assert policy.delay(1, rand=lambda: 1.0) == timedelta(seconds=10)
    assert policy.delay(3, rand=lambda: 1.0) == timedelta(seconds=40)
    assert policy.delay(9, rand=lambda: 1.0) == timedelta(seconds=60)


def test_a_failure_is_retried_until_attempts_run_out_or_it_is_permanent() -> None:
    policy = RetryPolicy(base_seconds=1, max_seconds=1, max_attempts=3)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    temporary, permanent = SendFailed("busy"), SendFailed("no", permanent=True)
    assert policy.next_due(2, temporary, now) is not None
    assert policy.next_due(3, temporary, now) is None
    assert policy.next_due(1, permanent, now) is None


def test_a_sealed_contact_opens_only_with_its_key() -> None:
    key = Fernet.generate_key().decode()
    keyring = ContactKeyring({"k1": key})
    token = Fernet(key.encode()).encrypt(b"+85512345678").decode()
    assert keyring.open(token, "k1") == "+85512345678"
    with pytest.raises(SendFailed) as unknown:
        keyring.open(token, "k2")
    assert unknown.value.permanent and "+855" not in unknown.value.reason
    with pytest.raises(SendFailed):
        keyring.open(token[:-4] + "AAAA", "k1")


def test_bad_key_configuration_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="JSON object"):
        ContactKeyring.from_json("not json")
    with pytest.raises(ValueError, match="not a Fernet key"):
        ContactKeyring.from_json('{"k": "short"}')
