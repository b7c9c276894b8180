"""多地联办 across nodes: 廊坊人社 does its part on the 廊坊 node; 通州, which holds the case, records it."""

from __future__ import annotations

import datetime

import pytest

from tongban.cases.actions import do_complete_joint_task, do_receive, do_transition
from tongban.cases.models import Case, JointTask
from tongban.cases.tests.conftest import application
from tongban.catalog.models import Item
from tongban.core.errors import Conflict
from tongban.federation.inbox import do_receive_message
from tongban.federation.outbox import wire_message
from tongban.federation.tests.conftest import take_outbox

LF_RSJ = "廊坊市人力资源和社会保障局"


def test_the_other_regions_department_does_its_part_on_its_own_node(client, nodes, people, on_day):  # noqa: F811
    item = Item.objects.filter(mode_joint=True, legal_limit_days__gte=1, legal_limit_days__lte=20,
                               competences__department__name="北京市通州区人力资源和社会保障局").order_by("code").first()
    assert item is not None
    on_day(datetime.date(2026, 11, 2))
    case = do_receive(people["tz_window"], application(item, mode="多地联办"))  # at 通州, for 通州
    case = do_transition(people["tz_rsj"], case, "accept")
    received, accepted = take_outbox()  # 廊坊 keeps a copy: its department takes part
    assert (received.recipient, accepted.recipient) == ("langfang", "langfang")
    assert {t["department"] for t in accepted.body["joint_tasks"]} >= {LF_RSJ}
    task = JointTask.objects.get(case=case, department__name=LF_RSJ)

    with nodes["as_node"]("langfang"):  # 廊坊人社 on its own node: the copy is read-only, the part is sent
        assert do_complete_joint_task(people["lf_rsj"], task, note="已核查参保记录").state == "pending"
        with pytest.raises(Conflict, match="已提交至审批地节点") as again:
            do_complete_joint_task(people["lf_rsj"], task, note="再次提交")
        assert again.value.code == "case.joint_task_sent"
        client.force_login(people["lf_rsj"])
        assert "已提交至审批地节点，等待确认" in client.get(f"/cases/{case.number}/").content.decode()
        (sent,) = take_outbox()
        wire = wire_message(sent)
    assert (sent.recipient, sent.kind) == ("tongzhou", "case.joint_task")
    assert JointTask.objects.get(pk=task.pk).state == "pending"

    receipt = do_receive_message(wire)  # at 通州, the holder
    assert receipt["status"] == "applied"
    task.refresh_from_db()
    assert task.done_by is not None
    assert (task.state, task.note, task.done_by.username) == ("done", "已核查参保记录", "langfang/lf_rsj")
    (update,) = take_outbox()
    assert update.recipient == "langfang" and update.body["version"] == case.version + 1
    case = do_transition(people["tz_rsj"], Case.objects.get(pk=case.pk), "decide", outcome="approved")
    assert case.state == "decided"

    assert do_receive_message(wire) == receipt  # the same message again: its receipt, nothing twice
