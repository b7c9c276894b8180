"""`tongban demo_node setup|showcase-receive|showcase-decide|wait` — one node's part of the two-node demo.

Run by `tongban demo` (and the fault test) in each node's environment; not meant to be typed.
"""

from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tongban.cases.actions import do_receive, do_transition
from tongban.cases.models import Case
from tongban.demo.actions import do_load_demo
from tongban.demo.cases import _app, _item, do_load_demo_people
from tongban.federation import trust


class Command(BaseCommand):
    help = "两节点演示中单个节点的步骤（由 tongban demo 调用）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("step", choices=["setup", "showcase-receive", "showcase-decide", "wait"])
        parser.add_argument("number", nargs="?", default="")
        parser.add_argument("state", nargs="?", default="")
        parser.add_argument("--timeout", type=float, default=60)

    def handle(self, *args, step: str, number: str, state: str, timeout: float, **options) -> None:
        if step == "setup":
            call_command("migrate", interactive=False, verbosity=0)
            do_load_demo()
            do_load_demo_people(tuple(trust.this_node().regions) or None)
            return
        if step == "showcase-receive":  # 三河 window receives a 通州 item and forwards it
            people = do_load_demo_people(tuple(trust.this_node().regions))
            item = _item("北京市通州区人力资源和社会保障局", online=True)
            case = do_receive(people["sanhe_window"], _app(item, "110112", materials_checked=["申请人居民身份证"]))
            case = do_transition(people["sanhe_window"], case, "forward")
            self.stdout.write(case.number)
            return
        case = self._wait(number, state or "forwarded", timeout)
        if step == "showcase-decide":  # 通州人社 accepts and decides
            people = do_load_demo_people(tuple(trust.this_node().regions))
            case = do_transition(people["tz_rsj"], case, "accept")
            case = do_transition(people["tz_rsj"], case, "start_review")
            do_transition(people["tz_rsj"], case, "decide", outcome="approved", note="准予办理（两节点演示）")

    def _wait(self, number: str, state: str, timeout: float) -> Case:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            case = Case.objects.filter(number=number, state=state).first()
            if case:
                return case
            time.sleep(0.2)
        raise CommandError(f"等待办件 {number} 到达“{state}”超时")
