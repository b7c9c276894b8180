"""`tongban demo_node STEP …` — one node's part of the two-node demo.

setup; showcase-receive (廊坊: 三河 window receives a 通州 item and forwards it); showcase-decide NUMBER
(通州 decides it); showcase-delegate (通州 delegates that item to 廊坊人社); showcase-delegated ID
(廊坊: received and decided under the delegation); wait NUMBER STATE.

Run by `tongban demo` (and the fault test) in each node's environment; not meant to be typed.
"""

from __future__ import annotations

import datetime
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tongban.cases.actions import do_receive, do_transition
from tongban.cases.models import Case
from tongban.catalog.models import Department
from tongban.core import clock
from tongban.demo.actions import do_load_demo
from tongban.demo.cases import _app, _item, do_load_demo_people
from tongban.demo.citizens import do_load_demo_citizens
from tongban.demo.hotline import do_load_demo_hotline
from tongban.federation import trust
from tongban.federation.delegations import do_issue_delegation
from tongban.federation.models import Delegation


class Command(BaseCommand):
    help = "两节点演示中单个节点的步骤（由 tongban demo 调用）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("step", choices=["setup", "showcase-receive", "showcase-decide", "showcase-delegate",
                                             "showcase-delegated", "wait"])
        parser.add_argument("number", nargs="?", default="")
        parser.add_argument("state", nargs="?", default="")
        parser.add_argument("--timeout", type=float, default=60)

    def handle(self, *args, step: str, number: str, state: str, timeout: float, **options) -> None:
        if step == "setup":
            call_command("migrate", interactive=False, verbosity=0)
            do_load_demo()
            do_load_demo_people(tuple(trust.this_node().regions) or None)
            do_load_demo_hotline(tuple(trust.this_node().regions) or None)
            do_load_demo_citizens(tuple(trust.this_node().regions) or None)
            return
        people = do_load_demo_people(tuple(trust.this_node().regions))
        item = _item("北京市通州区人力资源和社会保障局", online=True)
        if step == "showcase-delegate":  # 通州 lets 廊坊人社 decide this item for a year
            today = clock.today()
            delegation = do_issue_delegation(
                people["tz_admin"], department=Department.objects.get(name="廊坊市人力资源和社会保障局"),
                item_codes=[item.code], valid_from=today, valid_until=today + datetime.timedelta(days=365))
            self.stdout.write(delegation.delegation_id)
            return
        if step == "showcase-delegated":  # 廊坊: the 三河 window receives under the delegation, 廊坊人社 decides
            self._wait_for(lambda: Delegation.objects.filter(delegation_id=number).exists(), timeout,
                           f"等待审批委托 {number} 送达超时")
            case = do_receive(people["sanhe_window"], _app(item, "110112", 1, delegation=number,
                                                           materials_checked=["申请人居民身份证"]))
            case = do_transition(people["lf_rsj"], case, "accept")
            do_transition(people["lf_rsj"], case, "decide", outcome="approved", note="依通州委托准予办理（两节点演示）")
            self.stdout.write(case.number)
            return
        if step == "showcase-receive":  # 三河 window receives a 通州 item and forwards it
            case = do_receive(people["sanhe_window"], _app(item, "110112", materials_checked=["申请人居民身份证"]))
            case = do_transition(people["sanhe_window"], case, "forward")
            self.stdout.write(case.number)
            return
        case = self._wait(number, state or "forwarded", timeout)
        if step == "showcase-decide":  # 通州人社 accepts and decides
            case = do_transition(people["tz_rsj"], case, "accept")
            case = do_transition(people["tz_rsj"], case, "start_review")
            do_transition(people["tz_rsj"], case, "decide", outcome="approved", note="准予办理（两节点演示）")

    def _wait(self, number: str, state: str, timeout: float) -> Case:
        self._wait_for(lambda: Case.objects.filter(number=number, state=state).exists(), timeout,
                       f"等待办件 {number} 到达“{state}”超时")
        return Case.objects.get(number=number)

    def _wait_for(self, ready, timeout: float, message: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            time.sleep(0.2)
        raise CommandError(message)
