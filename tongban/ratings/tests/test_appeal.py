"""An appeal against a wrongly attributed bad rating, decided by the other region."""

import datetime

import pytest

from tongban.core.errors import BadTransition, Invalid, NotAllowed
from tongban.ratings.actions import allowed_steps, do_appeal, do_decide_appeal, do_step, do_verify
from tongban.ratings.figures import satisfaction
from tongban.ratings.models import Rating, Rectification

D = datetime.date
S = Rectification.State


def test_an_upheld_appeal_dismisses_the_rectification_and_excludes_the_rating(people, rect, on_day):
    rect = do_appeal(people["lf_admin"], rect, "评价内容为审批时长，审批在通州区人社局，非三河窗口原因")
    assert rect.state == S.APPEALED
    # the appellant's region cannot decide its own appeal; the other region's administrator does
    assert allowed_steps(people["lf_admin"], rect) == []
    with pytest.raises(NotAllowed) as own:
        do_decide_appeal(people["lf_admin"], rect, True)
    assert own.value.code == "rectification.appeal_by_other_region"
    for user in ("tz_rsj", "tz_window", "citizen"):
        with pytest.raises(NotAllowed) as failure:
            do_decide_appeal(people[user], rect, True)
        assert failure.value.code == "rectification.appeal_by_other_region"
    assert allowed_steps(people["tz_admin"], rect) == ["decide_appeal"]
    with pytest.raises(Invalid) as undecided:  # as a form or an API client may send it: not a bool
        do_step(people["tz_admin"], rect, "decide_appeal", uphold="yes")
    assert undecided.value.code == "rectification.uphold_required"

    rect = do_decide_appeal(people["tz_admin"], rect, True, "核实为审批环节问题，转通州区人社局改进")
    assert (rect.state, rect.appeal_decided_by, rect.closed_at is not None) == (S.DISMISSED, people["tz_admin"], True)
    rating = Rating.objects.get(pk=rect.rating_id)
    assert rating.excluded and rating.level == 2  # kept, never deleted, but not counted
    figures = satisfaction(Rating.objects.all(), on=D(2026, 10, 30))
    assert (figures["total"], figures["counted"], figures["bad"], figures["satisfied_share"]) == (1, 0, 0, None)
    assert figures["rectifications"] == {"open": 0, "overdue": 0, "closed": 0, "dismissed": 1}


def test_a_rejected_appeal_returns_to_verification_and_cannot_be_repeated(people, rect, on_day):
    rect = do_appeal(people["lf_admin"], rect, "不是本窗口的问题")
    rect = do_decide_appeal(people["tz_admin"], rect, False, "评价针对窗口等候时间，归属正确")
    assert (rect.state, rect.closed_at) == (S.VERIFYING, None)
    assert rect.appeal_decision_note == "评价针对窗口等候时间，归属正确"
    assert not Rating.objects.get(pk=rect.rating_id).excluded
    assert allowed_steps(people["lf_admin"], rect) == ["verify"]
    with pytest.raises(BadTransition) as again:
        do_appeal(people["lf_admin"], rect, "再申诉一次")
    assert again.value.code == "rectification.appeal_once"
    on_day(D(2026, 9, 30))
    assert do_verify(people["lf_admin"], rect, "属实").state == S.RECTIFYING


def test_an_appeal_needs_a_reason(people, rect):
    with pytest.raises(Invalid) as failure:
        do_appeal(people["lf_admin"], rect, " ")
    assert failure.value.code == "rectification.reason_required"
    assert Rectification.objects.get(pk=rect.pk).state == S.VERIFYING
