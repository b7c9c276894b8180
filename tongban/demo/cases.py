"""Demo staff and cases: every role of both regions, and cases in each state of the lifecycle.

The cases are dated in September–November 2026 so that their legal clocks stay inside the loaded
calendar (2027's holidays are not published yet; the product refuses to guess them). The dates are
set with `core.clock.pinned` while the demo is built — demo code only; the audit entries carry the
same simulated times and the chain verifies.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tongban.accounts.models import Citizen, Role, StaffProfile
from tongban.cases.actions import Application, do_receive, do_transition
from tongban.cases.actions.materials import Upload
from tongban.cases.models import Case
from tongban.catalog.models import Channel, Department, Item, Region, ServiceCentre
from tongban.core import clock
from tongban.core.typing import User
from tongban.ratings.actions import do_rate
from tongban.ratings.models import Level

DEMO_PASSWORD = "tongban-demo"
D = datetime.date

# username → (role, region, centre, department, display name)
STAFF = {
    "tz_window": (Role.WINDOW, "110112", "北京城市副中心政务服务中心", None, "通州专窗 王窗口"),
    "lf_window": (Role.WINDOW, "131000", "廊坊市政务服务中心", None, "廊坊专窗 李窗口"),
    "sanhe_window": (Role.WINDOW, "131082", "三河市政务服务中心", None, "三河专窗 赵窗口"),
    "tz_rsj": (Role.APPROVER, "110112", None, "北京市通州区人力资源和社会保障局", "通州人社 审批员"),
    "lf_rsj": (Role.APPROVER, "131000", None, "廊坊市人力资源和社会保障局", "廊坊人社 审批员"),
    "tz_scj": (Role.APPROVER, "110112", None, "北京市通州区市场监督管理局", "通州市场监管 审批员"),
    "lf_scj": (Role.APPROVER, "131000", None, "廊坊市市场监督管理局", "廊坊市场监管 审批员"),
    "tz_admin": (Role.ADMIN, "110112", None, None, "通州 管理员"),
    "lf_admin": (Role.ADMIN, "131000", None, None, "廊坊 管理员"),
}
# 政银合作: bank outlet staff, who receive and forward only. username → (region, channel, display name)
BANK_STAFF = {
    "tz_bank": ("110112", "通州区银行网点政银合作服务点", "通州 政银合作网点"),
    "yanjiao_bank": ("131000", "三河市燕郊银行网点政银合作服务点", "燕郊 政银合作网点"),
}
CITIZEN = "zhangsan"
# GB 11643's own example number, and a few derived with valid check characters (not real people)
APPLICANTS = [("张三", "11010519491231002X"), ("李四", "131082199001011234"), ("王五", "110112198805200011")]


@contextmanager
def demo_today(day: datetime.date) -> Iterator[None]:
    """Back-date the case actions (and their audit entries) to 10:00 on `day`. Demo only."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    with clock.pinned(moment):
        yield



def do_load_demo_people(regions: tuple[str, ...] | None = None) -> dict[str, User]:
    """Staff of both regions (or of `regions` only: a node's own) and one citizen account, all with
    the demo password (idempotent)."""
    users: dict[str, User] = {}
    for username, (role, region, centre, department, name) in STAFF.items():
        if regions is not None and region not in regions:
            continue
        user = _demo_user(username, name)
        StaffProfile.objects.update_or_create(user=user, defaults={
            "role": role, "region": Region.objects.get(code=region),
            "centre": ServiceCentre.objects.get(name=centre) if centre else None,
            "department": Department.objects.get(region__code=region, name=department) if department else None})
        users[username] = user
    for username, (region, channel, name) in BANK_STAFF.items():
        if regions is not None and region not in regions:
            continue
        user = _demo_user(username, name)
        StaffProfile.objects.update_or_create(user=user, defaults={
            "role": Role.BANK, "region": Region.objects.get(code=region), "centre": None, "department": None,
            "channel": Channel.objects.get(name=channel)})
        users[username] = user
    users[CITIZEN] = _demo_user(CITIZEN, "张三")
    return users


def _demo_user(username: str, name: str) -> User:
    """The demo account, created once with the demo password."""
    user, created = get_user_model().objects.get_or_create(username=username, defaults={"first_name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _item(department: str, *, online: bool = False, limit: int = 10) -> Item:
    qs = Item.objects.filter(competences__department__name=department, mode_proxy=True,
                             legal_limit_days__gte=limit, legal_limit_days__lte=20)
    if online:
        qs = qs.filter(mode_online=True)
    item = qs.order_by("code").first()
    if item is None:
        raise LookupError(f"演示目录中没有 {department} 的合适事项（先载入演示目录：do_load_demo）")
    return item


def _app(item: Item, region: str, who: int = 0, **extra) -> Application:
    name, id_number = APPLICANTS[who % len(APPLICANTS)]
    return Application(item_code=item.code, competent_region=region, applicant_kind="person",
                       applicant_name=name, applicant_id_number=id_number, applicant_phone="13812345678", **extra)


def _demo_files(item: Item) -> list[Upload]:
    """A one-line PDF for every required material: what an online applicant uploads (demo only)."""
    return [Upload(m.name, f"%PDF-1.4\n% demo: {m.name}\n%%EOF\n".encode(), f"material-{i}.pdf")
            for i, m in enumerate(item.materials.filter(required=True).order_by("pk"), 1)]


def do_load_demo_cases() -> int:
    """A dozen cases across modes, regions and states. Skipped when cases already exist."""
    if Case.objects.exists():
        return 0
    u = do_load_demo_people()
    from tongban.demo.citizens import LI_HONG, do_load_demo_citizens  # (citizens imports this module)

    do_load_demo_citizens()
    li_hong = Citizen.objects.select_related("user").get(phone=LI_HONG)
    tz_rsj_item = _item("北京市通州区人力资源和社会保障局", online=True)
    lf_rsj_item = _item("廊坊市人力资源和社会保障局", online=True)
    lf_scj_item = _item("廊坊市市场监督管理局", limit=1)
    count = 0
    with transaction.atomic():
        # 1. 异地代收代办: received in 三河 for 通州, decided on time, delivered at the 三河 window
        with demo_today(D(2026, 9, 21)):
            case = do_receive(u["sanhe_window"], _app(tz_rsj_item, "110112", materials_checked=["申请人居民身份证"]))
            case = do_transition(u["sanhe_window"], case, "forward")
            case = do_transition(u["tz_rsj"], case, "accept")
        with demo_today(D(2026, 9, 24)):
            case = do_transition(u["tz_rsj"], case, "request_supplement", missing=["参保缴费凭证"])
        with demo_today(D(2026, 9, 29)):
            case = do_transition(u["sanhe_window"], case, "supplement_received")
            case = do_transition(u["tz_rsj"], case, "start_review")
        with demo_today(D(2026, 10, 12)):
            case = do_transition(u["tz_rsj"], case, "decide", outcome="approved", note="准予办理")
        with demo_today(D(2026, 10, 14)):
            case = do_transition(u["sanhe_window"], case, "deliver")
            do_rate(u["sanhe_window"], case, level=Level.SATISFIED, comment="异地也能办，少跑了一趟北京")
        count += 1
        # 2–4. open cases received in 廊坊 and 三河 for 通州: running, warning, overdue (as of late November)
        for day, who in ((D(2026, 11, 20), 1), (D(2026, 11, 6), 2), (D(2026, 10, 20), 0)):
            with demo_today(day):
                case = do_receive(u["lf_window"], _app(tz_rsj_item, "110112", who))
                case = do_transition(u["lf_window"], case, "forward")
                do_transition(u["tz_rsj"], do_transition(u["tz_rsj"], case, "accept"), "start_review")
            count += 1
        # 5. waiting for supplement (clock paused)
        with demo_today(D(2026, 11, 16)):
            case = do_transition(u["tz_rsj"], do_receive(u["sanhe_window"], _app(tz_rsj_item, "110112", 1)), "accept")
        with demo_today(D(2026, 11, 18)):
            do_transition(u["tz_rsj"], case, "request_supplement",
                          missing=["解除或终止劳动关系证明", "本人银行账户信息"])
        count += 1
        # 6. received at the 通州 window for 廊坊 (a Langfang resident working in Tongzhou), accepted in 廊坊
        with demo_today(D(2026, 11, 19)):
            case = do_receive(u["tz_window"], _app(lf_rsj_item, "131000", 1))
            do_transition(u["lf_rsj"], do_transition(u["tz_window"], case, "forward"), "accept")
        count += 1
        # 7. 全程网办 by 李红's real-name account (the applicant is taken from the account), decided
        with demo_today(D(2026, 11, 3)):
            case = do_transition(u["lf_rsj"], do_receive(li_hong.user, replace(
                _app(lf_rsj_item, "131000"), applicant_name=li_hong.name, applicant_id_number=li_hong.id_number,
                applicant_phone=li_hong.phone, files=_demo_files(lf_rsj_item))), "accept")
        with demo_today(D(2026, 11, 10)):
            case = do_transition(u["lf_rsj"], case, "decide", outcome="approved")
        with demo_today(D(2026, 11, 11)):  # a bad rating: opens a rectification for 廊坊's administrators
            do_rate(li_hong.user, case, level=Level.DISSATISFIED, comment="网上提交后三天没人联系，进度不清楚")
        count += 1
        # 8. refused, with reason and legal basis
        if lf_scj_item:
            with demo_today(D(2026, 11, 12)):
                case = do_receive(u["tz_window"], _app(lf_scj_item, "131000", 2))
                do_transition(u["lf_scj"], case, "refuse", reason="申请事项不属于本机关职权范围",
                              basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项")
            count += 1
        # 9. 多地联办: received at the 通州 window; 通州人社 decides after 廊坊人社 has checked its part
        joint_item = Item.objects.filter(mode_joint=True, legal_limit_days__gte=1, legal_limit_days__lte=20,
                                         competences__department__name="北京市通州区人力资源和社会保障局"
                                         ).order_by("code").first()
        if joint_item:
            with demo_today(D(2026, 11, 23)):
                case = do_receive(u["tz_window"], _app(joint_item, "110112", 1, mode="多地联办"))
                do_transition(u["tz_rsj"], case, "accept")
            count += 1
        # 10. just received today at the 三河 window, waiting for forwarding
        do_receive(u["sanhe_window"], _app(tz_rsj_item, "110112", 2))
        count += 1
    return count
