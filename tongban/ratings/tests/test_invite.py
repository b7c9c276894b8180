"""The one-time rating link: invited once at delivery by SMS, rates the window and the department
separately, a bad rating names its reason, works once, and the rectification's outcome goes back."""

from __future__ import annotations

import datetime
import re

import pytest

from tongban.cases.actions import do_receive, do_transition
from tongban.cases.models import State
from tongban.cases.ports import LocalOnly
from tongban.cases.tests.conftest import PHONE, application, online_application
from tongban.core.errors import Conflict, Invalid
from tongban.notifications.models import Channel, Notification
from tongban.ratings.actions import do_rate, do_rectify, do_verify
from tongban.ratings.invite import RatingInput, check_invitation, do_rate_by_link, invite
from tongban.ratings.models import Rating, RatingInvitation, Rectification, Source, Target
from tongban.ratings.tests.conftest import drive

D = datetime.date


class ElsewhereTellsTheApplicant(LocalOnly):
    """A node that is not the applicant's (the competent node of a case received on the other node)."""

    def tells_applicant(self, case) -> bool:
        return False


def link_path(invitation: RatingInvitation) -> str:
    return f"/rate/{invitation.token}/"


def good_and_bad(**bad):
    return {"window_level": "5", "window_reason": "", "window_comment": "",
            "department_level": "2", "department_reason": "late", "department_comment": "超过承诺时限两天", **bad}


def test_delivery_creates_one_invitation_and_queues_the_sms(walk_in_case, settings):
    invitation = RatingInvitation.objects.get(case=walk_in_case)
    assert invitation.used_at is None and len(invitation.token) >= 40
    sms = Notification.objects.get(event=f"rating-invite:{walk_in_case.number}", channel=Channel.SMS)
    assert sms.phone == PHONE
    assert f"{settings.TONGBAN_PUBLIC_URL}/rate/{invitation.token}/" in sms.text
    assert sms.link == f"{settings.TONGBAN_PUBLIC_URL}/rate/{invitation.token}/"
    invite(walk_in_case, State.DECIDED)  # the same change seen again (a peer's update re-applied): nothing new
    assert RatingInvitation.objects.filter(case=walk_in_case).count() == 1
    assert Notification.objects.filter(event=f"rating-invite:{walk_in_case.number}").count() == 1


def test_an_applicant_with_an_account_gets_the_invitation_in_the_inbox_too(people, online_case):
    inbox = Notification.objects.get(event=f"rating-invite:{online_case.number}", channel=Channel.INBOX)
    assert inbox.user == people["citizen"]


def test_no_invitation_before_delivery_nor_for_a_case_rated_at_the_counter(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = drive(people, do_receive(people["sanhe_window"], application(rsj_item)),
                 [("sanhe_window", "forward", {}), ("tz_rsj", "accept", {}),
                  ("tz_rsj", "decide", {"outcome": "approved"})])
    assert not RatingInvitation.objects.exists()  # 已办结 is not yet 已送达
    do_rate(people["sanhe_window"], case, level=5)
    do_transition(people["sanhe_window"], case, "deliver")
    assert not RatingInvitation.objects.exists()


def test_only_the_node_that_tells_the_applicant_invites(people, rsj_item, on_day, settings):
    settings.TONGBAN_CASE_FEDERATION = "tongban.ratings.tests.test_invite.ElsewhereTellsTheApplicant"
    on_day(D(2026, 9, 28))
    drive(people, do_receive(people["citizen"], online_application(rsj_item, delivery="electronic")),
          [("tz_rsj", "accept", {}), ("tz_rsj", "decide", {"outcome": "approved"}), ("tz_rsj", "deliver", {})])
    assert not RatingInvitation.objects.exists()
    assert not Notification.objects.filter(event__startswith="rating-invite:").exists()


def test_the_link_rates_window_and_department_separately(client, walk_in_case):
    invitation = RatingInvitation.objects.get(case=walk_in_case)
    page = client.get(link_path(invitation)).content.decode()
    assert "窗口服务" in page and "审批部门服务" in page and "办理时间超时" in page
    assert walk_in_case.applicant_id_number not in page and PHONE not in page
    response = client.post(link_path(invitation), good_and_bad())
    assert response.status_code == 200 and "感谢您的评价" in response.content.decode()
    window, department = (Rating.objects.get(case=walk_in_case, target=t) for t in (Target.WINDOW, Target.DEPARTMENT))
    assert (window.level, window.source, window.reason, window.channel) == (
        5, Source.LINK, "", walk_in_case.receiving_channel)
    assert (department.level, department.reason, department.comment, department.channel) == (
        2, "late", "超过承诺时限两天", None)
    # the bad department rating opens a rectification of the department's region (通州), not the window's
    rect = Rectification.objects.get()
    assert (rect.rating, rect.region_id) == (department, walk_in_case.competent_region_id)
    assert walk_in_case.competent_region.code == "110112"
    invitation.refresh_from_db()
    assert invitation.used_at is not None


def test_a_bad_rating_without_a_reason_is_refused_and_nothing_is_kept(client, walk_in_case):
    invitation = RatingInvitation.objects.get(case=walk_in_case)
    response = client.post(link_path(invitation), good_and_bad(department_reason=""))
    assert response.status_code == 422
    with pytest.raises(Invalid) as refused:
        do_rate_by_link(invitation, window=RatingInput(level=1), department=RatingInput(level=5))
    assert refused.value.code == "rating.reason_required"
    with pytest.raises(Invalid) as unknown:
        do_rate_by_link(invitation, window=RatingInput(level=1, reason="不喜欢"), department=RatingInput(level=5))
    assert unknown.value.code == "rating.reason_invalid"
    assert not Rating.objects.exists() and not Rectification.objects.exists()
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_the_link_works_once(client, walk_in_case):
    invitation = RatingInvitation.objects.get(case=walk_in_case)
    stale = check_invitation(invitation.token)  # a second tab opened before the first was sent
    assert client.post(link_path(invitation), good_and_bad()).status_code == 200
    again = client.post(link_path(invitation), good_and_bad(window_level="1", window_reason="attitude"))
    assert again.status_code == 409 and "已使用" in again.content.decode()
    with pytest.raises(Conflict) as used:
        do_rate_by_link(stale, window=RatingInput(level=1, reason="attitude"), department=RatingInput(level=1,
                                                                                                     reason="fees"))
    assert used.value.code == "rating.link_used"
    assert sorted(Rating.objects.values_list("target", "level")) == [("department", 2), ("window", 5)]
    assert "已使用" in client.get(link_path(invitation)).content.decode()  # no form any more


def test_an_unknown_token_is_a_404(client, walk_in_case):
    assert client.get("/rate/not-a-token/").status_code == 404
    assert client.post("/rate/" + "x" * 43 + "/", good_and_bad()).status_code == 404


def test_the_outcome_of_the_rectification_is_sent_back_to_the_rater(people, walk_in_case, on_day):
    invitation = RatingInvitation.objects.get(case=walk_in_case)
    do_rate_by_link(invitation, window=RatingInput(level=4),
                    department=RatingInput(level=1, reason="materials", comment="要求重复提交身份证复印件"))
    rect = Rectification.objects.get()
    on_day(D(2026, 10, 12))
    rect = do_verify(people["tz_admin"], rect, "经核实，审批环节重复要求材料")
    rect = do_rectify(people["tz_admin"], rect, "已取消重复材料要求", "您反映的重复提交材料问题已整改，今后不再要求")
    sms = Notification.objects.get(event=f"rectification-feedback:{rect.pk}", channel=Channel.SMS)
    assert sms.phone == PHONE and "您反映的重复提交材料问题已整改" in sms.text and walk_in_case.number in sms.text


def test_the_account_page_shows_both_ratings(client, people, online_case):
    invitation = RatingInvitation.objects.get(case=online_case)
    do_rate_by_link(invitation, window=RatingInput(level=5), department=RatingInput(level=3))
    client.force_login(people["citizen"])
    page = re.sub(r"<[^>]+>", "", client.get(f"/cases/{online_case.number}/rate/").content.decode())
    assert "窗口服务" in page and "审批部门服务" in page and "非常满意" in page and "基本满意" in page
