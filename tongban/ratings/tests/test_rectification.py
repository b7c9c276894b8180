"""The rectification loop of a bad rating: verify → rectify and feed back → recheck, on working days."""

import datetime

import pytest

from tongban.audit.actions import entries_for, verify
from tongban.core.errors import BadTransition, Conflict, Invalid, NotAllowed, Unavailable
from tongban.ratings.actions import allowed_steps, do_appeal, do_recheck, do_rectify, do_verify
from tongban.ratings.models import Rectification

D = datetime.date
S = Rectification.State


def fresh(rect):
    return Rectification.objects.get(pk=rect.pk)


def test_full_loop_with_a_deadline_in_working_days(people, rect, on_day):
    admin = people["lf_admin"]
    assert allowed_steps(admin, rect) == ["verify", "appeal"]
    on_day(D(2026, 9, 30))
    rect = do_verify(admin, rect, "调阅监控属实：等候 90 分钟，首次未一次性告知材料")
    # 5 working days after Wed 09-30: 10-01..07 National Day, 10-08, 10-09, 10-10 (调休 Saturday), 10-12, 10-13
    assert (rect.state, rect.due_on, rect.version) == (S.RECTIFYING, D(2026, 10, 13), 2)
    assert rect.verified_finding.startswith("调阅监控属实")

    on_day(D(2026, 10, 13))
    assert not rect.overdue  # the deadline day itself is in time
    rect = do_rectify(admin, rect, "专窗增设一名人员；材料清单张贴上墙", "已整改，欢迎再次来办，感谢监督")
    assert (rect.state, rect.rectified_on) == (S.FEEDBACK, D(2026, 10, 13))
    assert rect.feedback == "已整改，欢迎再次来办，感谢监督"
    assert rect.closed_at is None

    rect = do_recheck(admin, rect, "现场复核，整改到位")
    assert (rect.state, rect.version, rect.recheck_note) == (S.RECHECKED, 4, "现场复核，整改到位")
    assert rect.closed_at is not None and not rect.is_overdue(D(2027, 1, 1))
    trail = [e.action for e in entries_for(f"case:{rect.rating.case.number}")]
    assert trail[-5:] == ["rating.rate", "rectification.open", "rectification.verify", "rectification.rectify",
                          "rectification.recheck"]
    verify_entry = entries_for(f"case:{rect.rating.case.number}").get(action="rectification.verify")
    assert verify_entry.data["due_on"] == "2026-10-13" and verify_entry.actor == "lf_admin"
    assert verify().ok


def test_the_deadline_follows_the_setting_and_the_verifier(people, rect, on_day, settings):
    settings.TONGBAN_RECTIFICATION_DAYS = 3
    on_day(D(2026, 9, 30))
    assert do_verify(people["lf_admin"], rect, "属实").due_on == D(2026, 10, 10)  # a make-up working Saturday


def test_an_unfinished_rectification_past_its_deadline_is_overdue(people, rect, on_day):
    on_day(D(2026, 9, 30))
    rect = do_verify(people["lf_admin"], rect, "属实", days=2)
    assert rect.due_on == D(2026, 10, 9)
    on_day(D(2026, 10, 12))
    assert rect.overdue
    assert list(Rectification.objects.overdue(D(2026, 10, 12))) == [rect]
    assert not Rectification.objects.overdue(D(2026, 10, 9)).exists()
    rect = do_rectify(people["lf_admin"], rect, "补充人员", "已整改")
    assert rect.overdue  # fed back, but not rechecked: the loop is still open and late
    late = entries_for(f"case:{rect.rating.case.number}").get(action="rectification.rectify")
    assert late.data["late"] is True
    do_recheck(people["lf_admin"], rect, "到位")
    assert not Rectification.objects.overdue(D(2026, 10, 12)).exists()


def test_an_illegal_step_is_refused_and_changes_nothing(people, rect):
    admin = people["lf_admin"]
    for step in (lambda: do_recheck(admin, rect, "复核"), lambda: do_rectify(admin, rect, "措施", "反馈")):
        with pytest.raises(BadTransition) as failure:
            step()
        assert (failure.value.code, failure.value.status) == ("rectification.bad_transition", 409)
        assert "核实中" in failure.value.message  # the page tells the state it is in
    rect = do_appeal(admin, rect, "差评针对的是审批时长，属通州审批环节")
    with pytest.raises(BadTransition) as appealed:
        do_verify(admin, rect, "属实")
    assert appealed.value.code == "rectification.bad_transition" and "申诉中" in appealed.value.message
    after = fresh(rect)
    assert (after.state, after.version, after.verified_finding, after.due_on) == (S.APPEALED, 2, "", None)


def test_only_the_answerable_regions_administrators_work_the_loop(people, rect):
    for user in ("tz_admin", "sanhe_window", "tz_rsj", "citizen"):
        with pytest.raises(NotAllowed) as failure:
            do_verify(people[user], rect, "属实")
        assert failure.value.code == "rectification.not_allowed"
        assert allowed_steps(people[user], rect) == []
    assert (fresh(rect).state, fresh(rect).version) == (S.VERIFYING, 1)


def test_bad_input_is_refused_with_a_reason(people, rect, on_day):
    on_day(D(2026, 9, 30))
    for kwargs, code in (({"finding": "  "}, "rectification.finding_required"),
                         ({"finding": "属实", "days": 0}, "rectification.days_invalid"),
                         ({"finding": "属实", "days": 31}, "rectification.days_invalid"),
                         ({"finding": "属实", "days": "5"}, "rectification.days_invalid")):
        with pytest.raises(Invalid) as failure:
            do_verify(people["lf_admin"], rect, **kwargs)
        assert (failure.value.code, failure.value.status) == (code, 422)
    on_day(D(2026, 12, 28))  # 5 working days would run into 2027, whose calendar is not loaded
    with pytest.raises(Unavailable) as unavailable:
        do_verify(people["lf_admin"], rect, "属实")
    assert unavailable.value.code == "rectification.year_not_loaded" and "2027" in unavailable.value.message
    assert (fresh(rect).state, fresh(rect).version) == (S.VERIFYING, 1)


def test_a_stale_screen_is_refused(people, rect, on_day):
    """Two administrators opened the same rectification (version 1); the second to act loses."""
    on_day(D(2026, 9, 30))
    stale = fresh(rect)
    do_verify(people["lf_admin"], rect, "属实，限期整改", days=5)
    with pytest.raises(Conflict) as failure:
        do_appeal(people["lf_admin"], stale, "不属于本窗口")
    assert failure.value.code == "rectification.conflict"
    with pytest.raises(Conflict) as failure:  # the right state, the wrong version: a page shown before the change
        do_rectify(people["lf_admin"], fresh(rect), "措施", "反馈", expected_version=1)
    assert failure.value.code == "rectification.conflict"
    after = fresh(rect)
    assert (after.state, after.version, after.appeal_reason, after.measures) == (S.RECTIFYING, 2, "", "")
