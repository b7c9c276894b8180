"""The pages: rate a case through the form, work the queue and the steps, in Chinese."""

import datetime

from django.urls import reverse

from tongban.ratings.models import Rating, Rectification

D = datetime.date


def test_the_applicant_rates_through_the_page(client, people, online_case):
    url = reverse("ratings:rate", args=[online_case.number])
    assert url == f"/cases/{online_case.number}/rate/"
    client.force_login(people["citizen"])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="zh-Hans">' in html
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert f"> {label}</label>" in html
    assert html.count('type="radio" name="level"') == 5 and '<legend>总体评价' in html
    assert '<label for="id_comment">意见和建议（选填）</label>' in html

    missing = client.post(url, {"comment": "没选等级"})
    assert missing.status_code == 422 and "请选择评价等级" in missing.content.decode()
    assert not Rating.objects.exists()

    done = client.post(url, {"level": "2", "comment": "证照下载页面说明不清"}, follow=True)
    assert done.redirect_chain == [(url, 302)]
    html = done.content.decode()
    assert "感谢您的评价：不满意。我们将核实并整改" in html and "已评价" in html and "核实中" in html
    assert 'name="level"' not in html  # no second form
    assert Rating.objects.get().rectification.state == Rectification.State.VERIFYING

    again = client.post(url, {"level": "5"})
    assert again.status_code == 409 and "每件只能评价一次" in again.content.decode()
    assert Rating.objects.get().level == 2


def test_the_window_records_at_the_counter_and_others_get_no_form(client, people, walk_in_case):
    url = reverse("ratings:rate", args=[walk_in_case.number])
    client.force_login(people["tz_window"])
    assert client.get(url).status_code == 404  # another centre: the case is not theirs to see
    client.force_login(people["tz_rsj"])
    page = client.get(url)
    assert "收件窗口为现场办事的申请人代录" in page.content.decode() and 'name="level"' not in page.content.decode()
    client.force_login(people["sanhe_window"])
    assert "代录评价" in client.get(url).content.decode()
    client.post(url, {"level": "5"})
    assert Rating.objects.get().rated_by == people["sanhe_window"]
    assert "由窗口人员 sanhe_window 录入" in client.get(url).content.decode()


def test_queue_and_detail_show_state_deadline_and_overdue(client, people, rect, on_day):
    client.force_login(people["lf_admin"])
    detail = reverse("ratings:detail", args=[rect.pk])
    html = client.get(reverse("ratings:queue")).content.decode()
    assert "差评整改" in html and rect.rating.case.number in html and "不满意" in html and "核实中" in html
    assert "三河" in html  # the rated window

    on_day(D(2026, 9, 30))
    html = client.get(detail).content.decode()
    assert "核实并确定整改期限" in html and 'name="verify-finding"' in html and 'name="appeal-reason"' in html
    assert '<label for="id_verify-days">整改期限（工作日）</label>' in html
    step = reverse("ratings:step", args=[rect.pk, "verify"])
    invalid = client.post(step, {"verify-expected_version": "1", "verify-finding": "", "verify-days": "5"})
    assert invalid.status_code == 422 and "请检查填写的内容" in invalid.content.decode()
    done = client.post(step, {"verify-expected_version": "1", "verify-finding": "属实", "verify-days": "5"},
                       follow=True)
    assert done.redirect_chain == [(detail, 302)] and "已核实并确定整改期限" in done.content.decode()
    assert "2026-10-13" in done.content.decode()

    stale = client.post(reverse("ratings:step", args=[rect.pk, "appeal"]),
                        {"appeal-expected_version": "1", "appeal-reason": "不是本窗口"}, follow=True)
    assert "不能“申诉”" in stale.content.decode()
    assert Rectification.objects.get(pk=rect.pk).version == 2

    on_day(D(2026, 10, 14))
    client.force_login(people["lf_admin"])  # the whole process moved 14 days on: the session of 09-30 expired
    html = client.get(reverse("ratings:queue") + "?overdue=1").content.decode()
    assert "已超期" in html and rect.rating.case.number in html
    assert "已超期" in client.get(detail).content.decode()


def test_the_other_regions_administrator_sees_no_step_form(client, people, rect):
    client.force_login(people["tz_admin"])
    assert client.get(reverse("ratings:detail", args=[rect.pk])).status_code == 404
    client.force_login(people["sanhe_window"])
    html = client.get(reverse("ratings:detail", args=[rect.pk])).content.decode()
    assert "当前没有您可以执行的整改步骤" in html and "step-form" not in html
    refused = client.post(reverse("ratings:step", args=[rect.pk, "verify"]),
                          {"verify-expected_version": "1", "verify-finding": "属实", "verify-days": "5"}, follow=True)
    assert "只有廊坊的管理员" in refused.content.decode()
    assert Rectification.objects.get(pk=rect.pk).version == 1


def test_appeal_through_the_pages(client, people, rect):
    client.force_login(people["lf_admin"])
    client.post(reverse("ratings:step", args=[rect.pk, "appeal"]),
                {"appeal-expected_version": "1", "appeal-reason": "审批环节问题"})
    client.force_login(people["tz_admin"])
    detail = reverse("ratings:detail", args=[rect.pk])
    html = client.get(detail).content.decode()
    assert "<legend>申诉是否成立</legend>" in html
    client.post(reverse("ratings:step", args=[rect.pk, "decide_appeal"]),
                {"decide_appeal-expected_version": "2", "decide_appeal-uphold": "yes"})
    assert Rating.objects.get().excluded
    assert "申诉成立，不计入统计" in client.get(detail).content.decode()
