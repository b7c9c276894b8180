"""Who may rate a case, when, and how often; what a rating records; a bad rating opens a rectification."""

import datetime

import pytest

from tongban.audit.actions import entries_for, verify
from tongban.cases.actions import do_receive, do_transition
from tongban.cases.tests.conftest import online_application
from tongban.core.errors import BadTransition, Conflict, Invalid, NotAllowed
from tongban.ratings.actions import do_rate
from tongban.ratings.models import Rating, Rectification, Source

D = datetime.date


def test_the_applicant_rates_once_and_a_second_attempt_changes_nothing(people, online_case):
    rating = do_rate(people["citizen"], online_case, level=5, comment="网上提交，两天就拿到电子证照")
    assert (rating.level, rating.source, rating.rated_by, rating.excluded) == (5, Source.APPLICANT, people["citizen"],
                                                                                False)
    # online: no window; the officer rated is the approver who handled it
    assert (rating.channel, rating.officer) == (None, people["tz_rsj"])
    assert not Rectification.objects.exists()
    with pytest.raises(Conflict) as again:
        do_rate(people["citizen"], online_case, level=1, comment="改成差评")
    assert again.value.code == "rating.already_rated"
    assert list(Rating.objects.values_list("level", "comment")) == [(5, "网上提交，两天就拿到电子证照")]
    assert not Rectification.objects.exists()
    assert [e.action for e in entries_for(f"case:{online_case.number}")][-1] == "rating.rate"


def test_the_receiving_window_records_a_walk_in_applicants_rating(people, walk_in_case):
    rating = do_rate(people["sanhe_window"], walk_in_case, level=4)
    assert (rating.source, rating.rated_by, rating.officer) == (Source.COUNTER, people["sanhe_window"],
                                                                people["sanhe_window"])
    assert rating.channel == walk_in_case.receiving_channel and rating.channel is not None
    assert rating.get_source_display() == "窗口代录（申请人现场评价）"


def test_nobody_else_may_rate(people, walk_in_case, online_case):
    for user in ("citizen", "tz_window", "tz_rsj", "lf_admin", "tz_admin"):
        with pytest.raises(NotAllowed) as failure:
            do_rate(people[user], walk_in_case, level=5)
        assert failure.value.code == "rating.not_allowed"
    for user in ("other_citizen", "sanhe_window", "tz_window", "tz_rsj"):
        with pytest.raises(NotAllowed) as failure:  # the applicant has an account: only they rate
            do_rate(people[user], online_case, level=1)
        assert failure.value.code == "rating.not_allowed"
    assert not Rating.objects.exists()


def test_only_a_case_with_an_outcome_can_be_rated(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_receive(people["citizen"], online_application(rsj_item, delivery="electronic"))
    case = do_transition(people["tz_rsj"], case, "accept")
    with pytest.raises(BadTransition) as failure:
        do_rate(people["citizen"], case, level=1)
    assert failure.value.code == "rating.not_rateable"
    refused = do_transition(people["tz_rsj"], do_receive(people["citizen"], online_application(rsj_item)), "refuse",
                            reason="不符合受理条件", basis="《中华人民共和国行政许可法》第三十二条")
    assert do_rate(people["citizen"], refused, level=3).level == 3  # a refusal is a service received too
    assert Rating.objects.count() == 1


def test_a_level_off_the_scale_is_refused(people, online_case):
    for level in (0, 6, "", "很好", 2.5, True, None):
        with pytest.raises(Invalid) as failure:
            do_rate(people["citizen"], online_case, level=level)
        assert (failure.value.code, failure.value.status) == ("rating.level_invalid", 422)
    assert not Rating.objects.exists()


def test_a_comment_is_limited(people, online_case):
    with pytest.raises(Invalid) as failure:
        do_rate(people["citizen"], online_case, level=4, comment="慢" * 501)
    assert failure.value.code == "rating.comment_too_long"
    assert not Rating.objects.exists()


@pytest.mark.parametrize("level", [1, 2])
def test_a_bad_rating_opens_a_rectification_for_the_region_that_served(people, walk_in_case, level):
    rating = do_rate(people["sanhe_window"], walk_in_case, level=level, comment="窗口态度差")
    rect = rating.rectification
    assert (rect.state, rect.version, rect.due_on, rect.closed_at) == (Rectification.State.VERIFYING, 1, None, None)
    assert rect.region is not None and rect.region.code == "131000"  # 三河 is in 廊坊: 廊坊 answers for its window
    trail = [e.action for e in entries_for(f"case:{walk_in_case.number}")]
    assert trail[-2:] == ["rating.rate", "rectification.open"]
    assert verify().ok


def test_levels_three_to_five_open_no_rectification(people, walk_in_case):
    do_rate(people["sanhe_window"], walk_in_case, level=3)
    assert not Rectification.objects.exists()
