import pytest

from samleng.common.events import (
    Category,
    ComplaintSubmitted,
    FeedbackKind,
    Location,
    SealedContact,
    SubmittedData,
    parse_event,
)
from samleng.reporting.adapters.archive import archived_form

pytestmark = pytest.mark.unit


def test_sealed_contacts_are_not_archived() -> None:
    location = Location(province_code="17", district_code="1702", commune_code="170201")
    contact = SealedContact(channel="sms", ciphertext="gAAAAB-sealed", key_id="k1")
    data = SubmittedData(
        kind=FeedbackKind.COMPLAINT,
        category=Category.DELAY,
        location=location,
        contacts=(contact,),
        reporter_gender="female",
    )
    event = ComplaintSubmitted.first("c-1", producer="intake", data=data)
    kept = archived_form(event)
    assert "gAAAAB-sealed" not in str(kept)
    again = parse_event(kept)
    assert isinstance(again, ComplaintSubmitted)
    assert again.data.reporter_gender == "female" and again.data.contacts == ()
