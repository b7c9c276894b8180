"""The dashboard page as an administrator sees it: headline figures, charts' data, the same numbers in tables."""

from __future__ import annotations

import json
import re

from django.contrib.staticfiles import finders

from tongban.dashboard.tests.helpers import tables


def page(client, user, **params) -> str:
    client.force_login(user)
    response = client.get("/dashboard/", params)
    assert response.status_code == 200
    return response.content.decode()


def headline(html: str) -> dict[str, str]:
    found = re.findall(r'<div class="figure"><strong>([^<]+)</strong>\s*<span>([^<]+)</span>', html)
    return {label: value for value, label in found}


def test_admin_sees_both_regions_figures_in_charts_and_tables(client, year, people):
    html = page(client, people["tz_admin"])
    assert '<html lang="zh-Hans">' in html and "<h1>联席会议看板</h1>" in html
    assert "收件日期 2026年1月1日 至 2026年12月31日" in html and "两地全部" in html
    assert headline(html) == {"办件量": "8", "跨区域办件占比": "62.5%", "按时办结率": "50.0%",
                              "平均办理用时": "12.5", "满意率": "33.3%"}

    shown = tables(html)
    assert shown["table-receiving"] == {"通州": "3", "廊坊": "1", "三河": "4"}
    assert shown["table-competent"] == {"通州": "4", "廊坊": "4"}
    assert shown["table-cross"] == {"跨区域办件": "5", "本地办件": "3"}
    assert shown["table-modes"] == {"全程网办": "1", "异地代收代办": "6", "多地联办": "1"}
    assert shown["table-channels"] == {"区域通办专窗": "5", "自助终端": "1", "移动端": "0", "银行网点": "1",
                                       "网上办": "1"}
    assert shown["table-items"] == {"企业职工基本养老保险关系转移接续申请": "6",
                                    "城乡居民基本养老保险关系转移接续申请": "2"}
    assert shown["table-open"] == {"正常": "1", "预警": "1", "超期": "1", "暂停计时": "1", "未受理": "1"}
    assert shown["table-decided"] == {"按时办结": "1", "超期办结": "1"}
    assert shown["table-levels"] == {"非常满意": "1", "满意": "0", "基本满意": "0", "不满意": "1", "非常不满意": "1"}
    assert shown["table-rectifications"] == {"未办结": "1", "其中超期": "1", "已复核办结": "1",
                                             "申诉成立，不予整改": "1"}

    # The charts draw the very same numbers, from json_script data and one static script.
    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)
    assert match is not None
    data = json.loads(match.group(1))
    assert data["open"]["kind"] == "donut" and data["items"]["kind"] == "hbar"
    assert dict(zip(data["levels"]["labels"], data["levels"]["values"], strict=True)) == {
        "非常满意": 1, "满意": 0, "基本满意": 0, "不满意": 1, "非常不满意": 1}
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts)  # no inline code
    assert '/static/vendor/echarts-6.1.0.min.js"' in html and '/static/dashboard/charts.js"' in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert finders.find("vendor/echarts-6.1.0.min.js") and finders.find("dashboard/charts.js")


def test_filters_by_period_and_region(client, year, people):
    html = page(client, people["lf_admin"], **{"from": "2026-10-01", "to": "2026-10-31", "region": "131000"})
    assert "收件日期 2026年10月1日 至 2026年10月31日" in html and "廊坊市（含收件或审批在本地的办件）" in html
    assert headline(html)["办件量"] == "1"
    assert tables(html)["table-open"] == {"正常": "0", "预警": "0", "超期": "1", "暂停计时": "0"}
    assert headline(html)["按时办结率"] == "—"


def test_bad_filter_input_is_explained_and_the_default_shown(client, year, people):
    html = page(client, people["tz_admin"], **{"from": "2026-12-01", "to": "2026-01-31"})
    assert "起始日期不能晚于截止日期。" in html
    assert headline(html)["办件量"] == "8"  # this year, both regions
    html = page(client, people["tz_admin"], **{"from": "2026-13-01", "region": "999999"})
    assert "输入一个有效的日期。" in html and "选择一个有效的选项" in html
    assert headline(html)["办件量"] == "8"
