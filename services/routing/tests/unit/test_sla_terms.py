"""SLA terms by kind and category (the calendar itself: libs/common tests)."""

import pytest

from samleng.common.events import Category, FeedbackKind
from samleng.routing.adapters.directory import bundled_directory

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("kind", "category", "ack", "resolve", "rule"),
    [
        (FeedbackKind.COMPLAINT, Category.DELAY, 2, 15, "default"),
        (FeedbackKind.COMPLAINT, Category.CORRUPTION, 1, 30, "default+category:corruption"),
        (FeedbackKind.REQUEST_FOR_INFORMATION, Category.OTHER, 2, 10,
         "default+kind:request_for_information"),
        (FeedbackKind.SUGGESTION, Category.OTHER, 5, 0, "default+kind:suggestion"),
        (FeedbackKind.REQUEST_FOR_HELP, Category.EXTRA_FEE, 1, 10,
         "default+kind:request_for_help+category:extra_fee"),
    ],
)  # fmt: skip
def test_sla_by_kind_then_category(
    kind: FeedbackKind, category: Category, ack: int, resolve: int | None, rule: str
) -> None:
    terms, name = bundled_directory().sla.terms_for(kind, category)
    assert (terms.acknowledge_working_days, terms.resolve_working_days, name) == (
        ack,
        resolve,
        rule,
    )
