"""Object-level access rules, without I/O."""

from __future__ import annotations

import pytest

from samleng.common.auth import Principal, Role
from samleng.intake.domain.access import (
    OfficerAction,
    acting_role,
    audit_offices,
    can_act,
    can_download,
    can_read,
    in_office_trail,
    inbox_offices,
)

pytestmark = pytest.mark.unit

HOME, ELSEWHERE = "commune:170201", "commune:170202"


def user(*roles: Role, offices: tuple[str, ...] = (HOME,)) -> Principal:
    return Principal(subject="s", roles=frozenset(roles), offices=frozenset(offices))


def test_case_workers_reach_only_their_offices_cases() -> None:
    for role in (Role.OFFICER, Role.OFFICE_HEAD, Role.OMBUDSMAN, Role.MINISTRY_LIAISON):
        someone = user(role)
        assert can_read(someone, HOME) and can_act(someone, HOME, OfficerAction.RESOLVE)
        assert not can_read(someone, ELSEWHERE) and not can_read(someone, None)
        assert not can_act(someone, ELSEWHERE, OfficerAction.ACKNOWLEDGE)
        assert can_download(someone, HOME) and not can_download(someone, ELSEWHERE)


def test_only_office_heads_reopen() -> None:
    assert not can_act(user(Role.OFFICER), HOME, OfficerAction.REOPEN)
    head = user(Role.OFFICER, Role.OFFICE_HEAD)
    assert can_act(head, HOME, OfficerAction.REOPEN)
    assert acting_role(head, OfficerAction.REOPEN) is Role.OFFICE_HEAD
    assert acting_role(user(Role.OFFICER), OfficerAction.ACKNOWLEDGE) is Role.OFFICER


def test_analysts_read_everything_and_act_on_nothing_admins_read_no_case() -> None:
    analyst = user(Role.NATIONAL_ANALYST, offices=())
    assert can_read(analyst, ELSEWHERE) and not can_download(analyst, ELSEWHERE)
    assert not can_act(analyst, ELSEWHERE, OfficerAction.ACKNOWLEDGE)
    assert inbox_offices(analyst, None) == [] and inbox_offices(analyst, HOME) == [HOME]
    admin = user(Role.ADMIN)
    assert not can_read(admin, HOME) and not can_act(admin, HOME, OfficerAction.NOTE)


def test_inbox_scope() -> None:
    officer = user(Role.OFFICER, offices=(HOME, "district:1702"))
    assert inbox_offices(officer, None) == ["commune:170201", "district:1702"]
    assert inbox_offices(officer, HOME) == [HOME]
    assert inbox_offices(officer, ELSEWHERE) == []


def test_admins_read_the_whole_trail_heads_their_offices_and_officers_none() -> None:
    assert audit_offices(user(Role.ADMIN)) is None
    assert audit_offices(user(Role.OFFICE_HEAD, offices=(ELSEWHERE, HOME))) == (HOME, ELSEWHERE)
    for role in (Role.OFFICER, Role.OMBUDSMAN, Role.NATIONAL_ANALYST):
        assert audit_offices(user(role)) == ()


def test_an_offices_trail_never_holds_a_complaint_about_its_own_conduct() -> None:
    scope = {"offices": [HOME], "office_cases": ["ours"], "conduct_cases": ["about-us"]}
    assert in_office_trail("ours", ELSEWHERE, **scope)  # what others did with our case
    assert in_office_trail(None, HOME, **scope)  # our staff's inbox reads
    assert in_office_trail("theirs", HOME, **scope)  # our staff's attempt elsewhere
    assert not in_office_trail("theirs", ELSEWHERE, **scope)
    assert not in_office_trail("about-us", HOME, **scope)  # even our own staff's attempt
    assert not in_office_trail("about-us", "district-ombudsman:1702", **scope)


def test_a_partner_expert_reads_its_scope_and_acts_on_nothing() -> None:
    partner = user(Role.PARTNER_EXPERT, offices=(ELSEWHERE, "province:21"))
    assert can_read(partner, ELSEWHERE, "17")  # an office of its scope
    assert can_read(partner, "owso:2101", "21")  # anywhere in a province of its scope
    assert not can_read(partner, HOME, "17") and not can_read(partner, None, "")
    for action in OfficerAction:
        assert not can_act(partner, ELSEWHERE, action)
    assert not can_download(partner, ELSEWHERE)
    assert audit_offices(partner) == ()
    # an officer who is also a partner elsewhere keeps the officer's reach
    both = user(Role.OFFICER, Role.PARTNER_EXPERT, offices=(HOME,))
    assert can_act(both, HOME, OfficerAction.RESOLVE)
