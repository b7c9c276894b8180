"""办件进度查询 and 诉求进度查询 without a login: what the public lookup shows, and who may ask how often.

A case is found by its 办件编号 plus the applicant's name or the last four digits of the applicant's
phone; a complaint by its 诉求编号 plus the last four digits of the caller's phone. Decisions:

- **One answer for every mismatch.** An unknown number, a wrong name and wrong digits all raise the
  same `NotFound` (``tracking.no_match`` / ``tracking.complaint_no_match``) with the same message, so the
  page is no oracle for which part was wrong. Each mismatch is audited (subject ``progress:<number>``),
  with the name and the client address masked.
- **Rate limits on failures** (tongban/core/ratelimit.py): per client address (10 per 10 minutes, shared
  by both pages) and per number (5 per hour). Once reached, the lookup is refused with 429
  (``ratelimit.exceeded``) *before* anything is compared, right answer or not.
- **What is shown** is what the applicant needs and nothing personal: item, state, the legal clock,
  the steps with their dates (no staff names, no notes), and the node holding the case. Never the
  身份证号, phone, materials, files or notes. For a complaint: state, steps with dates, the responsible
  unit, and the reply once given (masked by `mask_text` in case it quotes a number).
- The client address is `REMOTE_ADDR`: behind a reverse proxy the proxy must pass the real address
  there (e.g. gunicorn `--forwarded-allow-ips` with a proxy that sets it), else every client shares one.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tongban.audit.actions import do_append, entries_for
from tongban.audit.masking import mask_text
from tongban.cases.actions import ACTION_LABELS
from tongban.cases.clock import ClockView, clock
from tongban.cases.models import Case, State
from tongban.core import clock as core_clock
from tongban.core import ratelimit
from tongban.core.errors import NotFound
from tongban.core.ratelimit import Limit
from tongban.federation import routing, trust
from tongban.hotline.models import Complaint
from tongban.hotline.models import State as ComplaintState

__all__ = [
    "ADDRESS_LIMIT", "CASE_NUMBER_LIMIT", "COMPLAINT_NUMBER_LIMIT", "NO_MATCH", "NO_COMPLAINT_MATCH", "CaseProgress",
    "ComplaintProgress", "Step", "check_case_progress", "check_complaint_progress",
]

ADDRESS_LIMIT = Limit("progress-address", limit=10, seconds=600)
CASE_NUMBER_LIMIT = Limit("progress-case", limit=5, seconds=3600)
COMPLAINT_NUMBER_LIMIT = Limit("progress-complaint", limit=5, seconds=3600)

NO_MATCH = "未找到匹配的办件，请核对办件编号和姓名"
NO_COMPLAINT_MATCH = "未找到匹配的诉求，请核对诉求编号和手机号后四位"
NUMBER_MAX = 30

# The steps an applicant sees: the case's own transitions, receipt and an approved extension. Internal
# steps (an extension asked for or refused, ratings, rectifications, document issues) stay off the page.
CASE_STEPS: dict[str, str] = {f"case.{k}": v for k, v in ACTION_LABELS.items()} | {
    "case.receive": "收件", "case.extension_approved": "批准延长办理时限", "case.joint_task_done": "完成联办任务"}
COMPLAINT_STEPS: dict[str, str] = {
    "register": "登记诉求", "dispatch": "派单至承办单位", "return": "退回重新派单", "contact": "承办单位联系来电人",
    "whistle": "吹哨召集相关部门", "reply": "答复", "callback": "回访办结"}


@dataclass(frozen=True)
class Step:
    label: str
    on: datetime.date


@dataclass(frozen=True)
class CaseProgress:
    number: str
    item_name: str
    state: str
    state_label: str
    clock: ClockView
    holder: str  # the node holding the case now: "本节点" on a single node
    steps: list[Step] = field(default_factory=list)


@dataclass(frozen=True)
class ComplaintProgress:
    number: str
    state: str
    state_label: str
    unit: str
    received_on: datetime.date
    reply: str  # empty until replied
    steps: list[Step] = field(default_factory=list)


def normalise_number(number: str) -> str:
    return (number or "").strip().upper()[:NUMBER_MAX]


def _name(value: str) -> str:
    """A name as compared: NFKC, no spaces or middle dots (张 三, 阿依古丽·买买提), case-folded."""
    value = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"[\s·・•.]", "", value).casefold()


def _last4(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return digits[-4:] if len(digits) >= 4 else ""


def _is_last4(who: str) -> bool:
    return len(who) == 4 and who.isascii() and who.isdigit()


def _case_matches(case: Case, who: str) -> bool:
    who = (who or "").strip()
    if not who:
        return False
    if _is_last4(who):
        return _last4(case.applicant_phone) == who
    return bool(_name(case.applicant_name)) and _name(case.applicant_name) == _name(who)


def _masked_address(address: str) -> str:
    """The client's network, not the host: 203.0.113.x, or the /48 of an IPv6 address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 4:
        return ".".join(str(ip).split(".")[:3]) + ".x"
    return str(ipaddress.ip_network(f"{ip}/48", strict=False))


def _masked_who(who: str) -> str:
    who = (who or "").strip()
    if _is_last4(who):
        return "手机号后四位"
    return (who[:1] + "*" * (len(who) - 1))[:20] if who else ""


def _refuse(kind: str, number: str, who: str, client: str, limits: list[tuple[Limit, str]], message: str,
            code: str) -> NotFound:
    """Count the failed try, audit it (masked) and return the one answer for every mismatch."""
    ratelimit.hit(limits)
    with transaction.atomic():
        do_append(actor="公众", action=f"tracking.{kind}_no_match", subject=f"progress:{number or '-'}",
                  data={"who": _masked_who(who), "client": _masked_address(client)})
    return NotFound(message, code=code)


def check_case_progress(number: str, who: str, *, client: str) -> CaseProgress:
    """The progress of the case `number` if `who` is its applicant's name or the last four digits of the
    applicant's phone; else NotFound ``tracking.no_match`` (one answer). Limited: ``ratelimit.exceeded``."""
    number = normalise_number(number)
    limits = [(ADDRESS_LIMIT, client), (CASE_NUMBER_LIMIT, number)]
    ratelimit.check(limits)
    case = Case.objects.select_related("item", "receiving_region__parent", "competent_region__parent").filter(
        number=number).first() if number else None
    if case is None or not _case_matches(case, who):
        raise _refuse("case", number, who, client, limits, NO_MATCH, "tracking.no_match")
    return CaseProgress(number=case.number, item_name=case.item.name, state=case.state,
                        state_label=case.get_state_display(), clock=clock(case, core_clock.today()),
                        holder=_holder(case), steps=_case_steps(case))


def _holder(case: Case) -> str:
    if not trust.federated():
        return "本节点"
    return trust.node_name(routing.holder_of(case))


def _case_steps(case: Case) -> list[Step]:
    steps: list[Step] = []
    last_state = ""
    for entry in entries_for(f"case:{case.number}").only("at", "action", "data"):
        on = timezone.localdate(entry.at)
        if entry.action == "case.replicated":  # a step taken on the other node, applied here
            state = (entry.data or {}).get("state")
            if state in State.values and state != last_state:
                steps.append(Step(f"办理状态更新为“{State(state).label}”", on))
                last_state = state
        elif entry.action in CASE_STEPS:
            steps.append(Step(CASE_STEPS[entry.action], on))
            state = (entry.data or {}).get("state") or (entry.data or {}).get("to")
            last_state = state if isinstance(state, str) else last_state
    return steps


def check_complaint_progress(number: str, digits: str, *, client: str) -> ComplaintProgress:
    """The progress of the complaint `number` if `digits` are the last four of the caller's phone; else
    NotFound ``tracking.complaint_no_match`` (one answer). Limited: ``ratelimit.exceeded``."""
    number = normalise_number(number)
    digits = (digits or "").strip()
    limits = [(ADDRESS_LIMIT, client), (COMPLAINT_NUMBER_LIMIT, number)]
    ratelimit.check(limits)
    complaint = Complaint.objects.select_related("unit").filter(number=number).first() if number else None
    if complaint is None or not _is_last4(digits) or _last4(complaint.caller_phone) != digits:
        raise _refuse("complaint", number, digits, client, limits, NO_COMPLAINT_MATCH,
                      "tracking.complaint_no_match")
    replied = complaint.state in (ComplaintState.REPLIED, ComplaintState.CLOSED)
    return ComplaintProgress(
        number=complaint.number, state=complaint.state, state_label=complaint.get_state_display(),
        unit=complaint.unit.name if complaint.unit else "", received_on=timezone.localdate(complaint.received_at),
        reply=mask_text(complaint.reply) if replied else "",
        steps=[Step(COMPLAINT_STEPS[e.action], timezone.localdate(e.at))
               for e in complaint.events.all() if e.action in COMPLAINT_STEPS])
