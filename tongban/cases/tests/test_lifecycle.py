"""A case through every branch of its lifecycle, with the rules a real officer would run into."""

import datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tongban.audit.actions import entries_for, verify
from tongban.cases.actions import (
    InvalidApplication,
    do_decide_extension,
    do_receive,
    do_request_extension,
    do_transition,
)
from tongban.cases.clock import Status, clock
from tongban.cases.models import Case, State
from tongban.cases.tests.conftest import application, online_application
from tongban.core.errors import BadTransition, Conflict, Invalid, NotAllowed, TongbanError, Unavailable

D = datetime.date


def test_proxy_case_from_sanhe_window_to_tongzhou_decision(people, rsj_item, on_day):
    """异地代收代办: received in 三河, decided by 通州区人社局, result back at the 三河 window."""
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item, materials_checked=["申请人居民身份证"]))
    assert (case.state, case.mode) == (State.SUBMITTED, "异地代收代办")
    assert case.receiving_region.code == "131082" and case.competent_region.code == "110112"
    assert case.item_version.version == rsj_item.version
    assert case.number.startswith("TB2026")

    case = do_transition(people["sanhe_window"], case, "forward")
    case = do_transition(people["tz_rsj"], case, "accept")
    assert (case.state, case.accepted_on) == (State.ACCEPTED, D(2026, 9, 28))

    on_day(D(2026, 9, 29))
    case = do_transition(people["tz_rsj"], case, "request_supplement", missing=["解除劳动关系证明", "银行账户信息"])
    assert (case.state, case.paused_since) == (State.SUPPLEMENT, D(2026, 9, 29))
    assert case.supplements.get().missing == ["解除劳动关系证明", "银行账户信息"]
    assert clock(case, D(2026, 10, 9)).status == Status.PAUSED

    on_day(D(2026, 10, 9))
    case = do_transition(people["sanhe_window"], case, "supplement_received")
    assert (case.state, case.paused_since, case.paused_workdays) == (State.ACCEPTED, None, 3)
    assert case.supplements.get().fulfilled_at is not None

    case = do_transition(people["tz_rsj"], case, "start_review")
    case = do_transition(people["tz_rsj"], case, "decide", outcome="approved")
    assert (case.state, case.decided_on, case.outcome) == (State.DECIDED, D(2026, 10, 9), "approved")
    assert clock(case, D(2026, 10, 20)).status == Status.ON_TIME

    case = do_transition(people["sanhe_window"], case, "deliver")  # window pickup in 三河
    case = do_transition(people["tz_rsj"], case, "archive")
    assert case.state == State.ARCHIVED

    trail = [e.action for e in entries_for(f"case:{case.number}")]
    # the signed result is issued in the decision's transaction (its 办结 SMS carries the verify link), the
    # rating invitation in the delivery's: each recorded before the step that caused it
    assert trail == ["case.receive", "case.forward", "case.accept", "case.request_supplement",
                     "case.supplement_received", "case.start_review", "result.issue", "case.decide", "rating.invite",
                     "case.deliver", "case.archive"]
    assert verify().ok
    assert "11010519491231002X" not in str([e.data for e in entries_for(f"case:{case.number}")])


def test_refusal_needs_reason_and_basis_and_ends_the_case(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item))
    with pytest.raises(Invalid) as refused:
        do_transition(people["tz_rsj"], case, "refuse", reason="不属于本部门职权范围")
    assert refused.value.code == "case.refuse_reason_required"
    case = do_transition(people["tz_rsj"], case, "refuse", reason="申请事项依法不需要取得行政许可",
                         basis="《中华人民共和国行政许可法》第三十二条第一款第（一）项")
    assert case.state == State.REFUSED
    with pytest.raises(BadTransition) as bad:
        do_transition(people["tz_rsj"], case, "accept")
    assert bad.value.code == "case.bad_transition"
    assert bad.value.message == f"办件 {case.number} 当前状态为“不予受理”，不能“受理”"  # names the case and state
    assert Case.objects.get(pk=case.pk).state == State.REFUSED


def test_supplement_before_acceptance_does_not_start_the_clock(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item))
    with pytest.raises(Invalid) as refused:
        do_transition(people["tz_rsj"], case, "request_supplement", missing=[" "])
    assert refused.value.code == "case.supplement_missing_required"
    case = do_transition(people["sanhe_window"], case, "request_supplement", missing=["户口簿"])
    assert case.paused_since is None and case.accepted_on is None
    case = do_transition(people["sanhe_window"], case, "supplement_received")
    assert case.state == State.SUBMITTED


def test_suspension_pauses_and_resumes_into_review(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item))
    case = do_transition(people["tz_rsj"], case, "accept")
    with pytest.raises(Invalid) as refused:
        do_transition(people["tz_rsj"], case, "suspend")
    assert refused.value.code == "case.suspend_reason_required"
    case = do_transition(people["tz_rsj"], case, "suspend", reason="申请人死亡，需确定继承人")
    on_day(D(2026, 10, 12))
    case = do_transition(people["tz_rsj"], case, "resume")
    # paused (09-28, 10-12]: 09-29, 09-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12
    assert (case.state, case.paused_workdays) == (State.IN_REVIEW, 6)


def test_officers_act_only_within_their_role_and_region(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item))
    for user in ("lf_rsj", "tz_window", "lf_admin", "tz_admin", "citizen"):
        with pytest.raises(NotAllowed) as refused:
            do_transition(people[user], case, "accept")
        assert refused.value.code == "case.not_allowed"
    with pytest.raises(NotAllowed) as refused:
        do_transition(people["tz_window"], case, "forward")  # not the receiving centre
    assert refused.value.code == "case.not_allowed" and case.number in refused.value.message
    assert Case.objects.get(pk=case.pk).version == 1


def test_stale_screen_is_refused_and_changes_nothing(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item))
    stale = Case.objects.get(pk=case.pk)
    do_transition(people["tz_rsj"], case, "accept")
    with pytest.raises(Conflict) as refused:
        do_transition(people["tz_rsj"], stale, "refuse", reason="x", basis="y")
    assert refused.value.code == "case.conflict"
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.version, fresh.refusal_reason) == (State.ACCEPTED, 2, "")


def test_online_application_by_a_citizen(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_receive(people["citizen"], online_application(rsj_item, competent_region="131000"))
    assert (case.mode, case.receiving_centre, case.applicant_user) == ("全程网办", None, people["citizen"])
    assert case.competent_department.name == "廊坊市人力资源和社会保障局"
    do_transition(people["lf_rsj"], case, "accept")


def test_bad_applications_are_refused_with_every_reason(people, rsj_item):
    with pytest.raises(InvalidApplication) as failure:
        do_receive(people["sanhe_window"], application(rsj_item, applicant_id_number="110105194912310021",
                                                         applicant_phone="123", delivery="post"))
    assert failure.value.code == "case.invalid_application"
    assert list(failure.value.problems) == ["case.id_number_invalid", "case.phone_invalid",
                                            "case.post_address_required"]
    # every reason at once, each saying what is wrong (the identifier check's own words)
    message = failure.value.message
    assert message.startswith("身份证号：身份证号校验码不正确") and "；联系电话：" in message
    with pytest.raises(InvalidApplication) as failure:
        do_receive(people["sanhe_window"], application(rsj_item, applicant_kind="enterprise",
                                                         applicant_credit_code="91350100M000100Y44"))
    assert list(failure.value.problems) == ["case.credit_code_invalid"]
    with pytest.raises(Invalid) as unknown_item:
        do_receive(people["sanhe_window"], application(rsj_item, item_code="NOPE"))
    assert unknown_item.value.code == "case.unknown_item"
    assert Case.objects.count() == 0


def test_extension_is_bounded_and_needs_the_competent_regions_admin(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item))
    case = do_transition(people["tz_rsj"], case, "accept")
    with pytest.raises(Invalid, match="1–10") as refused:
        do_request_extension(people["tz_rsj"], case, days=11, reason="需现场核查")
    assert refused.value.code == "case.extension_days_invalid"
    extension = do_request_extension(people["tz_rsj"], case, days=10, reason="需现场核查")
    with pytest.raises(NotAllowed) as not_allowed:
        do_decide_extension(people["lf_admin"], extension, approve=True)
    assert not_allowed.value.code == "case.not_allowed"
    do_decide_extension(people["tz_admin"], extension, approve=True)
    case.refresh_from_db()
    assert case.extension_days == 10
    with pytest.raises(Conflict) as conflict:
        do_decide_extension(people["tz_admin"], extension, approve=True)
    assert conflict.value.code == "case.extension_already_decided"
    with pytest.raises(Invalid) as refused:
        do_request_extension(people["tz_rsj"], case, days=1, reason="再延")
    assert refused.value.code == "case.extension_used_up"


def test_acceptance_in_a_year_without_calendar_is_refused(people, rsj_item, on_day):
    on_day(D(2026, 12, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item))
    with pytest.raises(Unavailable, match="2027") as refused:
        do_transition(people["tz_rsj"], case, "accept")
    assert (refused.value.code, refused.value.status) == ("case.year_not_loaded", 503)
    assert Case.objects.get(pk=case.pk).state == State.SUBMITTED


def test_joint_case_needs_every_departments_part(people, demo, on_day):
    """多地联办: received at the 通州 window, decided by 通州人社 after 廊坊人社 did its part."""
    from tongban.cases.actions import do_complete_joint_task
    from tongban.catalog.models import Item

    item = Item.objects.filter(mode_joint=True, competences__department__name="北京市通州区人力资源和社会保障局",
                               legal_limit_days__lte=20).order_by("code").first()
    assert item is not None
    on_day(D(2026, 9, 28))
    case = do_receive(people["tz_window"], application(item, mode="多地联办"))
    case = do_transition(people["tz_rsj"], case, "accept")
    tasks = {t.department.name: t for t in case.joint_tasks.all()}
    assert set(tasks) == {"北京市通州区人力资源和社会保障局", "廊坊市人力资源和社会保障局"}
    with pytest.raises(Invalid, match="廊坊市人力资源和社会保障局 尚未完成") as refused:  # names who is missing
        do_transition(people["tz_rsj"], case, "decide", outcome="approved")
    assert refused.value.code == "case.joint_tasks_pending"
    with pytest.raises(NotAllowed) as not_allowed:
        do_complete_joint_task(people["tz_rsj"], tasks["廊坊市人力资源和社会保障局"], note="核查无误")
    assert not_allowed.value.code == "case.not_allowed"
    from tongban.cases.actions import can_view
    assert can_view(people["lf_rsj"], case)  # the other department sees the case it works on
    do_complete_joint_task(people["lf_rsj"], tasks["廊坊市人力资源和社会保障局"], note="参保记录核查无误")
    with pytest.raises(Conflict) as conflict:
        do_complete_joint_task(people["lf_rsj"], tasks["廊坊市人力资源和社会保障局"], note="again")
    assert conflict.value.code == "case.joint_task_done"
    case = do_transition(people["tz_rsj"], case, "decide", outcome="approved")
    assert case.state == State.DECIDED


def test_window_cannot_invent_materials_or_receive_online(people, rsj_item):
    with pytest.raises(InvalidApplication, match="户口本复印件") as refused:  # names the material
        do_receive(people["sanhe_window"], application(rsj_item, materials_checked=["户口本复印件"]))
    assert list(refused.value.problems) == ["case.unknown_materials"]
    with pytest.raises(InvalidApplication) as refused:
        do_receive(people["sanhe_window"], application(rsj_item, mode="全程网办"))
    assert "case.window_mode_online" in refused.value.problems
    assert Case.objects.count() == 0


def test_extensions_cannot_exceed_the_cap_or_reopen_a_decided_case(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_transition(people["tz_rsj"], do_receive(people["sanhe_window"], application(rsj_item)), "accept")
    first = do_request_extension(people["tz_rsj"], case, days=6, reason="现场核查")
    with pytest.raises(Invalid, match="1–4") as refused:  # the pending 6 days count
        do_request_extension(people["tz_rsj"], case, days=6, reason="再核查")
    assert refused.value.code == "case.extension_days_invalid"
    second = do_request_extension(people["tz_rsj"], case, days=4, reason="再核查")
    case = do_transition(people["tz_rsj"], case, "decide", outcome="approved")
    with pytest.raises(BadTransition) as bad:
        do_decide_extension(people["tz_admin"], first, approve=True)
    assert bad.value.code == "case.clock_not_running"
    do_decide_extension(people["tz_admin"], second, approve=False)  # rejecting stays possible
    case.refresh_from_db()
    assert case.extension_days == 0


def test_resuming_into_an_unloaded_year_is_a_clear_error(people, rsj_item, on_day):
    on_day(D(2026, 11, 3))
    case = do_transition(people["tz_rsj"], do_receive(people["sanhe_window"], application(rsj_item)), "accept")
    case = do_transition(people["tz_rsj"], case, "suspend", reason="等待司法鉴定")
    on_day(D(2027, 1, 4))
    with pytest.raises(Unavailable, match="2027") as refused:
        do_transition(people["tz_rsj"], case, "resume")
    assert refused.value.code == "case.year_not_loaded" and refused.value.message.startswith("不能恢复计时")
    assert Case.objects.get(pk=case.pk).state == State.SUSPENDED


def test_case_number_uses_the_local_year(people, rsj_item, time_machine):
    from django.utils import timezone

    early = timezone.make_aware(datetime.datetime(2027, 1, 1, 5, 0))  # 2026-12-31 21:00 UTC
    time_machine.move_to(early, tick=False)
    assert do_receive(people["sanhe_window"], application(rsj_item)).number.startswith("TB2027")


def test_a_bank_outlet_receives_and_forwards_but_never_decides(people, rsj_item, on_day):
    from tongban.accounts.models import Role, StaffProfile
    from tongban.cases.actions import can_view
    from tongban.catalog.models import Channel, Item, Region

    on_day(D(2026, 9, 28))
    bank = get_user_model().objects.create_user("tz_bank", password="pw-for-tests-only")
    outlet = Channel.objects.get(name="通州区银行网点政银合作服务点")
    StaffProfile.objects.create(user=bank, role=Role.BANK, region=Region.objects.get(code="110112"), channel=outlet)
    item = Item.objects.filter(via_bank=True, mode_proxy=True, competences__region__code="110112",
                               legal_limit_days__gte=1).order_by("code").first()
    assert item is not None
    with pytest.raises(InvalidApplication) as refused:
        do_receive(bank, application(item))
    assert list(refused.value.problems) == ["case.bank_delivery_window"]
    case = do_receive(bank, application(item, delivery="electronic"))
    assert (case.receiving_channel, case.receiving_centre, case.mode) == (outlet, None, "异地代收代办")
    steps: list[tuple[str, dict[str, Any]]] = [("accept", {}), ("refuse", {"reason": "x", "basis": "y"})]
    for action, params in steps:
        with pytest.raises(NotAllowed) as not_allowed:
            do_transition(bank, case, action, **params)
        assert not_allowed.value.code == "case.not_allowed"
    case = do_transition(bank, case, "forward")
    case = do_transition(people["tz_rsj"], case, "accept")
    with pytest.raises(NotAllowed) as not_allowed:
        do_transition(bank, case, "decide", outcome="approved")
    assert not_allowed.value.code == "case.not_allowed"
    assert can_view(bank, case) and not can_view(bank, do_receive(people["sanhe_window"], application(rsj_item)))
    not_at_banks = Item.objects.filter(via_bank=False, mode_proxy=True, competences__region__code="110112").first()
    assert not_at_banks is not None
    with pytest.raises(InvalidApplication) as refused:
        do_receive(bank, application(not_at_banks, delivery="electronic"))
    assert list(refused.value.problems) == ["case.item_not_at_banks"]


def test_the_step_table_refuses_unknown_actions_stale_versions_and_wrong_states(people, rsj_item, on_day):
    """StateMachine through the case actions: each refusal has its code and changes nothing."""
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item))
    with pytest.raises(Invalid) as refused:
        do_transition(people["tz_rsj"], case, "approve_everything")
    assert refused.value.code == "case.unknown_action"
    with pytest.raises(Conflict) as conflict:  # a screen that showed version 7 of a case at version 1
        do_transition(people["tz_rsj"], case, "accept", expected_version=7)
    assert (conflict.value.code, conflict.value.status) == ("case.conflict", 409)
    with pytest.raises(BadTransition) as bad:  # start_review needs an accepted case
        do_transition(people["tz_rsj"], case, "start_review")
    assert (bad.value.code, bad.value.status) == ("case.bad_transition", 409)
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.version) == (State.SUBMITTED, 1)
    assert [e.action for e in entries_for(f"case:{case.number}")] == ["case.receive"]
    accepted = do_transition(people["tz_rsj"], case, "accept", expected_version=1)
    assert (accepted.state, accepted.version) == (State.ACCEPTED, 2)
    entry = entries_for(f"case:{case.number}").last()
    assert entry is not None
    assert (entry.action, entry.data["from"], entry.data["to"], entry.data["version"]) == (
        "case.accept", State.SUBMITTED, State.ACCEPTED, 2)


def test_errors_are_tongban_errors_with_case_codes(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item))
    with pytest.raises(TongbanError) as refused:
        do_transition(people["tz_rsj"], case, "decide", outcome="maybe")
    assert refused.value.code.startswith("case.")
