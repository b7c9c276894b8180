"""The figures as a CSV a spreadsheet opens with the Chinese intact."""

from __future__ import annotations

import csv
import io


def test_csv_has_a_bom_the_scope_and_every_figure(client, year, people):
    client.force_login(people["tz_admin"])
    response = client.get("/dashboard/export.csv", {"from": "2026-01-01", "to": "2026-12-31"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tongban-dashboard-2026-01-01-2026-12-31.csv"' in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["分组", "项目", "数值"]
    assert ["统计范围", "收件日期", "2026-01-01 至 2026-12-31"] in rows
    assert ["统计范围", "地区", "两地全部"] in rows and ["统计范围", "计时截至", "2026-11-20"] in rows
    for row in (["概况", "办件量", "8"], ["概况", "跨区域办件占比", "62.5%"], ["概况", "按时办结率", "50.0%"],
                ["概况", "平均办理用时（工作日）", "12.5"], ["概况", "满意率（基本满意及以上）", "33.3%"],
                ["概况", "差评", "2"], ["按收件渠道", "网上办", "1"], ["按通办模式", "多地联办", "1"],
                ["在办件计时状态", "超期", "1"], ["好差评各等级", "非常满意", "1"], ["差评整改", "其中超期", "1"],
                ["办件量前 10 的事项", "企业职工基本养老保险关系转移接续申请", "6"]):
        assert row in rows
    assert all(len(row) == 3 for row in rows)
