"""What each notice of a case (办件文书) says, and when a case has one.

`build_notice(case, kind, tracking_url=…, today=…)` returns one plain dict; the page template and
the PDF writer both render that dict and nothing else, so the two never disagree. The dict holds
only what may be printed: the 身份证号, phone and credit code are masked here, once.

A kind is available once the case has reached the state that produces it (`unavailable_reason`):

- receipt     收件回执        any case
- acceptance  受理通知书      accepted (accepted_on set)
- refusal     不予受理通知书  refused (refusal reason recorded; stays available after delivery)
- supplement  补正告知书      a SupplementNotice exists (the latest one is printed)
- completion  办结通知        decided (decided_on and outcome set)
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from tongban.accounts.models import Role, profile_of
from tongban.audit.actions import entries_for
from tongban.cases.clock import Status, clock
from tongban.cases.models import ApplicantKind, Case, Delivery, Outcome, SupplementNotice
from tongban.core.errors import NotFound
from tongban.core.identity import mask_credit_code, mask_id, mask_phone

KINDS: dict[str, str] = {
    "receipt": "收件回执",
    "acceptance": "受理通知书",
    "refusal": "不予受理通知书",
    "supplement": "补正告知书（一次性告知）",
    "completion": "办结通知",
}

REMEDIES = (
    "如对本决定不服，可以自知道或者应当知道本决定之日起六十日内依法申请行政复议，"
    "也可以自知道或者应当知道本决定之日起六个月内依法向人民法院提起行政诉讼。"
    "法律、法规另有规定的，从其规定。复议机关和管辖法院可向本机关咨询。"
)
CLOCK_RULE = ("办理时限按工作日计算（不含法定节假日，调休上班日计入），自受理次日起算；"
              "补正材料、依法中止的期间不计入办理时限。")
# The catalogue has no per-item supplement period, so the notice states the rule without a number.
SUPPLEMENT_RULE = (
    "请一次性补齐上述材料，向原收件窗口、两地任一区域通办专窗或网上办理渠道提交。"
    "本机关不会再要求补正本告知书未列明的材料。本事项办事指南规定了补正期限的，请在期限内补正；"
    "逾期未补正又无正当理由的，本机关将依法处理。"
)


class NotAvailable(NotFound):
    """The case has not (yet) reached the state that produces this notice; the message says why."""

    code = "document.not_available"


def tracking_url(request: HttpRequest, number: str) -> str:
    """The QR code's target: the public progress page (办件进度查询, no login) with the number filled in,
    absolute on the host the request came in on. The page asks for the applicant's name or phone digits
    before it shows anything, so the code carries no personal data and a found receipt reveals nothing."""
    return request.build_absolute_uri(reverse("tracking:progress")) + "?" + urlencode({"number": number})


def unavailable_reason(case: Case, kind: str) -> str:
    """Empty when the notice can be issued, else a sentence for the user."""
    title = KINDS[kind]
    if kind == "acceptance" and case.accepted_on is None:
        return f"办件 {case.number} 尚未受理，受理后才能出具{title}。"
    if kind == "refusal" and not case.refusal_reason:
        return f"办件 {case.number} 没有不予受理的决定，不能出具{title}。"
    if kind == "supplement" and not case.supplements.exists():
        return f"办件 {case.number} 没有补正告知，不能出具{title}。"
    if kind == "completion" and not (case.decided_on and case.outcome):
        return f"办件 {case.number} 尚未办结，作出决定后才能出具{title}。"
    return ""


def available_kinds(case: Case) -> list[str]:
    return [kind for kind in KINDS if not unavailable_reason(case, kind)]


def build_notice(case: Case, kind: str, *, tracking_url: str, today: datetime.date,
                 verification: dict | None = None) -> dict:
    """The full content of one notice. Raises NotAvailable (with the reason) before its time.

    `verification` (completion only): the signed result document behind the notice — `url` of its
    verify page, `doc_id`, `kind_label`, `issuer_name`, `fingerprint`, `file_url`. The QR code then
    leads to the verify page instead of the tracking page (docs/verification.md).
    """
    reason = unavailable_reason(case, kind)
    if reason:
        raise NotAvailable(reason, code="document.not_available")
    notice: dict[str, Any] = {
        "kind": kind, "title": KINDS[kind], "number": case.number, "addressee": case.applicant_name,
        "opening": "", "facts": [], "sections": [], "issuer": case.competent_department.name,
        "issued_on": today, "tracking_url": tracking_url,
        "qr_url": tracking_url, "qr_caption": "扫码查询办理进度", "verification": None,
        "footnote": f"本文书由通办系统生成。办件编号 {case.number}，可凭编号到两地任一区域通办专窗查询。",
    }
    _BUILDERS[kind](case, notice, today)
    if verification and kind == "completion":
        _verifiable(notice, verification)
    notice["issued_on_text"] = cn_date(notice["issued_on"])
    return notice


# ---- the kinds -----------------------------------------------------------------------------------

def _receipt(case: Case, notice: dict, today: datetime.date) -> None:
    received = timezone.localtime(case.received_at)
    centre = case.receiving_centre
    notice["issuer"] = centre.name if centre else f"{case.competent_department.name}（全程网办）"
    notice["issued_on"] = received.date()
    notice["opening"] = (f"您申请办理的“{case.item.name}”已于 {cn_date(received.date())} {received:%H:%M} 收件。"
                         "本回执只证明申请材料已收到，不代表已受理；是否受理由审批部门依法决定，并另行告知。")
    notice["facts"] = [*_case_facts(case), ("收件时间", f"{cn_date(received.date())} {received:%H:%M}"),
                       ("收件地点", _channel(case)), ("审批部门", case.competent_department.name)]
    checked = list(dict.fromkeys(m for m in case.materials_checked if m))
    notice["sections"] = [
        _section("窗口已核验的材料", items=checked,
                 paragraphs=[] if checked else ["收件时未登记核验材料；如有疑问，请向收件窗口核对。"]),
        _section("查询办理进度", paragraphs=[
            f"扫描本回执上的二维码，或访问 {notice['tracking_url']}，输入申请人姓名或手机号后四位查询办理进度；"
            f"也可凭办件编号 {case.number} 到两地任一区域通办专窗查询。"
            + (f"咨询电话：{centre.phone}。" if centre and centre.phone else "")]),
    ]


def _acceptance(case: Case, notice: dict, today: datetime.date) -> None:
    notice["issued_on"] = case.accepted_on
    notice["opening"] = (f"你（单位）于 {cn_date(_received_on(case))} 提出的“{case.item.name}”申请，"
                         f"经审查，申请材料齐全、符合法定形式，本机关决定予以受理。")
    view = clock(case, today)
    notice["facts"] = [*_case_facts(case), ("审批部门", case.competent_department.name),
                       ("受理日期", cn_date(case.accepted_on)),
                       ("法定办结时限", _due(case.legal_limit_days, view.legal_due, view)),
                       ("承诺办结时限", _due(case.promised_limit_days, view.promised_due, view))]
    paragraphs = [CLOCK_RULE]
    if view.paused_days and case.decided_on:
        paragraphs.append(f"办理期间暂停计时共 {view.paused_days} 个工作日，上列到期日已相应顺延。")
    elif view.paused_days:
        paragraphs.append(f"截至 {cn_date(today)}，已暂停计时 {view.paused_days} 个工作日，上列到期日已相应顺延。")
    if case.extension_days:
        paragraphs.append(f"经批准延长 {case.extension_days} 个工作日，已计入上列到期日。")
    notice["sections"] = [_section("办理时限", paragraphs=paragraphs)]


def _refusal(case: Case, notice: dict, today: datetime.date) -> None:
    notice["issued_on"] = _refused_on(case)
    notice["opening"] = (f"你（单位）于 {cn_date(_received_on(case))} 提出的“{case.item.name}”申请，"
                         "经审查，本机关决定不予受理。")
    notice["facts"] = [*_case_facts(case), ("审批部门", case.competent_department.name)]
    notice["sections"] = [_section("不予受理的理由", paragraphs=[case.refusal_reason]),
                          _section("法律依据", paragraphs=[case.refusal_basis]),
                          _section("救济途径", paragraphs=[REMEDIES])]


def _supplement(case: Case, notice: dict, today: datetime.date) -> None:
    latest: SupplementNotice = case.supplements.select_related("requested_by").order_by("-requested_at", "-pk")[0]
    requested = timezone.localtime(latest.requested_at)
    # before acceptance the receiving window may ask (its case has a receiving centre)
    if _requested_by_window(latest, case) and case.receiving_centre is not None:
        notice["issuer"] = case.receiving_centre.name
    notice["issued_on"] = requested.date()
    notice["opening"] = (f"你（单位）于 {cn_date(_received_on(case))} 提出的“{case.item.name}”申请，"
                         "申请材料不齐全或者不符合法定形式。现将需要补正的全部材料一次性告知，详见下文。")
    notice["facts"] = [*_case_facts(case), ("告知日期", cn_date(requested.date()))]
    if latest.fulfilled_at:
        notice["facts"].append(("补正情况", f"已于 {cn_date(timezone.localtime(latest.fulfilled_at).date())} 补正"))
    missing = list(dict.fromkeys(m.strip() for m in latest.missing if m and m.strip()))  # each listed once
    if case.accepted_on:
        pause = (f"本申请已于 {cn_date(case.accepted_on)} 受理。自告知之日起暂停计时，补正期间不计入办理时限；"
                 "收到全部补正材料后，自次一工作日起恢复计时。")
    else:
        pause = "本申请尚未受理，办理时限尚未起算；收到全部补正材料后依法决定是否受理，补正期间不计入办理时限。"
    note = [f"说明：{latest.note}"] if latest.note else []
    notice["sections"] = [_section("需补正的材料", items=missing, paragraphs=note),
                          _section("补正要求", paragraphs=[SUPPLEMENT_RULE]),
                          _section("计时说明", paragraphs=[pause])]


def _completion(case: Case, notice: dict, today: datetime.date) -> None:
    notice["issued_on"] = case.decided_on
    approved = case.outcome == Outcome.APPROVED
    notice["opening"] = (f"你（单位）申请办理的“{case.item.name}”，本机关已于 {cn_date(case.decided_on)} 办结，"
                         f"决定{'准予办理' if approved else '不予办理'}。")
    view = clock(case, today)
    facts = [*_case_facts(case), ("审批部门", case.competent_department.name),
             ("办理结果", case.get_outcome_display()), ("办结日期", cn_date(case.decided_on))]
    if case.decision_note:
        facts.append(("决定说明", case.decision_note))
    if view.used is not None and view.status in (Status.ON_TIME, Status.LATE):
        facts.append(("办理用时", f"{view.used} 个工作日（{view.status}）"))
    facts.append(("送达方式", case.get_delivery_display()))
    if case.delivered_at:
        facts.append(("送达时间", cn_date(timezone.localtime(case.delivered_at).date())))
    notice["facts"] = facts
    notice["sections"] = [_section("结果领取", paragraphs=[_delivery_text(case)])]
    if not approved:
        notice["sections"].append(_section("救济途径", paragraphs=[REMEDIES]))


def _verifiable(notice: dict, verification: dict) -> None:
    """The completion notice of a signed result: its QR code leads to the verify page (审批互信)."""
    notice["verification"] = verification
    notice["qr_url"] = verification["url"]
    notice["qr_caption"] = "扫码核验文书真伪"
    notice["facts"].append(("电子签名", f"{verification['issuer_name']}签发的{verification['kind_label']}，"
                                      f"编号 {verification['doc_id']}，内容指纹 {verification['fingerprint']}"))
    notice["sections"].append(_section("真伪核验", paragraphs=[
        f"本通知所载办理结果已由{verification['issuer_name']}以电子签名签发为{verification['kind_label']}。"
        f"扫描二维码或访问 {verification['url']} 可核验其真伪及是否已被吊销；"
        "也可下载结果文书文件（JSON），在两地任一通办节点的核验页面上传核验。"]))
    notice["footnote"] += f"查询办理进度：{notice['tracking_url']}。"


_BUILDERS = {"receipt": _receipt, "acceptance": _acceptance, "refusal": _refusal,
             "supplement": _supplement, "completion": _completion}


# ---- helpers -------------------------------------------------------------------------------------

def cn_date(day: datetime.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def _section(heading: str, *, paragraphs: list[str] | None = None, items: list[str] | None = None) -> dict:
    return {"heading": heading, "paragraphs": [p for p in paragraphs or [] if p], "items": items or []}


def _case_facts(case: Case) -> list[tuple[str, str]]:
    facts = [("办件编号", case.number), ("事项名称", f"{case.item.name}（{case.item.code}）"),
             ("通办模式", case.get_mode_display())]
    if case.applicant_kind == ApplicantKind.ENTERPRISE:
        facts += [("申请单位", case.applicant_name),
                  ("统一社会信用代码", mask_credit_code(case.applicant_credit_code)),
                  ("经办人身份证号", mask_id(case.applicant_id_number))]
    else:
        facts += [("申请人", case.applicant_name), ("身份证号", mask_id(case.applicant_id_number))]
    facts.append(("联系电话", mask_phone(case.applicant_phone)))
    return facts


def _channel(case: Case) -> str:
    if case.receiving_channel:
        return case.receiving_channel.name
    return case.receiving_centre.name if case.receiving_centre else "网上办理（全程网办）"


def _received_on(case: Case) -> datetime.date:
    return timezone.localtime(case.received_at).date()


def _refused_on(case: Case) -> datetime.date:
    """The day of the refusal, from the audit trail (the case keeps no refusal date of its own)."""
    entry = entries_for(f"case:{case.number}").filter(action="case.refuse").last()
    return timezone.localtime(entry.at if entry else case.updated_at).date()


def _requested_by_window(notice: SupplementNotice, case: Case) -> bool:
    profile = profile_of(notice.requested_by)
    return bool(profile and profile.role == Role.WINDOW and case.receiving_centre_id)


def _due(limit: int | None, due: datetime.date | None, view) -> str:
    if limit is None:
        return "未设定"
    if limit == 0:
        return "即办"
    if view.status == Status.UNKNOWN:
        return f"{limit} 个工作日（到期日待办理日历载入后确定）"
    return f"{limit} 个工作日，至 {cn_date(due)}" if due else f"{limit} 个工作日"


def _delivery_text(case: Case) -> str:
    if case.delivery == Delivery.POST:
        return f"办理结果将以邮寄方式送达：{case.delivery_address or '（未登记邮寄地址，请联系收件窗口）'}。"
    if case.delivery == Delivery.ELECTRONIC:
        return ("办理结果以电子证照形式发放，可在网上办理渠道或移动端查询、下载；"
                "依法需要纸质文书的，可到两地任一区域通办专窗申请打印。")
    centre = case.receiving_centre
    if centre is None:
        return f"请携带本人有效身份证件到{case.competent_department.name}指定窗口领取办理结果。"
    where = "，".join(part for part in (centre.address, centre.hours) if part)
    return f"请携带本人有效身份证件到{centre.name}区域通办专窗领取办理结果" + (f"（{where}）。" if where else "。")
