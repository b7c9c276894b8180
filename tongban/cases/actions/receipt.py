"""收件: validate an application, work out where it is received and who decides it, create the case.

`check_application` collects every problem of the applicant's data and of the channel at once (the
window officer fixes them in one go): `InvalidApplication` carries them as code → message. A problem
that makes the rest meaningless (unknown item, no competent department, a refused delegation, a staff
account without its centre or outlet) is raised on its own.

全程网办 (a signed-in user without a staff profile): only a citizen with a real-name account
(accounts.Citizen) applies, and only as themselves or as an enterprise they are 经办人 of — the
applicant fields come from the account (`_from_account`), a different 身份证号 or an unknown credit code
is refused and audited. The case is received in the citizen's registered region, whatever region's
item it is (the federation routes it to the competent node). Its materials are files or 电子证照
(actions/materials.py): every required one, checked before anything is stored; the case and its
CaseFile rows commit together. At a window or bank outlet, files given are attached as scans.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tongban.accounts.models import Citizen, Role, StaffProfile, citizen_of, profile_of
from tongban.audit.actions import do_append
from tongban.cases.actions.access import signed_in
from tongban.cases.actions.materials import Checked, FileInput, attach, check_online_materials, check_uploads, store_all
from tongban.cases.models import ApplicantKind, Case, Delivery, FileSource
from tongban.cases.ports import DelegationRefused, case_changed, federation
from tongban.catalog.models import Channel, Competence, Department, Item, ItemVersion, Mode, Region, ServiceCentre
from tongban.core import clock
from tongban.core.errors import Invalid, NotAllowed, TongbanError
from tongban.core.identity import (
    InvalidIdentifier,
    check_credit_code,
    check_phone,
    check_resident_id,
    mask_credit_code,
    mask_id,
)
from tongban.core.numbering import next_number
from tongban.core.typing import Actor

Problems = dict[str, str]  # code → message, in the order they are found


@dataclass
class Application:
    item_code: str
    competent_region: str  # 区划代码 of the region whose item is applied for
    applicant_kind: str
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    applicant_credit_code: str = ""
    mode: str = ""
    delivery: str = Delivery.WINDOW
    delivery_address: str = ""
    materials_checked: list[str] = field(default_factory=list)
    delegation: str = ""  # 审批交叉授权: received for the delegate department named by this delegation
    # materials as files: (material, data, filename) each; online they are the application's materials,
    # at a window or outlet they are attached as scans
    files: Sequence[FileInput] = field(default_factory=list)
    elicences: Sequence[tuple[str, str]] = field(default_factory=list)  # (material, doc_id): 电子证照, online only


class InvalidApplication(Invalid):
    """Every problem of an application; `problems` maps each problem's code to its message."""

    code = "case.invalid_application"

    def __init__(self, problems: Problems) -> None:
        super().__init__("；".join(problems.values()))
        self.problems = dict(problems)


@dataclass
class Checks:
    """What `check_application` found: the new case's fields and its materials, ready to store."""

    fields: dict[str, Any]
    uploads: list[Checked]
    elicences: Sequence[tuple[str, str]]
    source: str


@dataclass
class Receipt:
    """Where a case is received: the centre or outlet, the region, and the mode that follows."""

    centre: ServiceCentre | None
    channel: Channel | None
    region: Region
    mode: str


# ---- the applicant's data ------------------------------------------------------------------------

def _identifier(problems: Problems, code: str, label: str, check: Callable[[str], str], value: str) -> str:
    try:
        return check(value)
    except InvalidIdentifier as exc:
        problems[code] = f"{label}：{exc}"
        return ""


def _check_kind(app: Application, problems: Problems) -> str:
    """The 统一社会信用代码 of an enterprise ("" for a person)."""
    if app.applicant_kind == ApplicantKind.ENTERPRISE:
        return _identifier(problems, "case.credit_code_invalid", "统一社会信用代码", check_credit_code,
                           app.applicant_credit_code)
    if app.applicant_kind != ApplicantKind.PERSON:
        problems["case.applicant_kind_invalid"] = "申请人类型应为 person（个人）或 enterprise（企业）"
    return ""


def _check_delivery(app: Application, problems: Problems) -> None:
    if app.delivery not in Delivery.values:
        problems["case.delivery_invalid"] = "送达方式应为 window、post 或 electronic"
    elif app.delivery == Delivery.POST and not app.delivery_address.strip():
        problems["case.post_address_required"] = "邮寄送达须填写邮寄地址"


def _check_applicant(app: Application, problems: Problems) -> dict[str, Any]:
    fields = {
        "applicant_id_number": _identifier(problems, "case.id_number_invalid", "身份证号", check_resident_id,
                                           app.applicant_id_number),
        "applicant_phone": _identifier(problems, "case.phone_invalid", "联系电话", check_phone, app.applicant_phone),
        "applicant_credit_code": _check_kind(app, problems),
    }
    if not app.applicant_name.strip() or len(app.applicant_name) > 100:
        problems["case.applicant_name_invalid"] = "申请人姓名为空或过长"
    _check_delivery(app, problems)
    return fields


# ---- the item and who decides it -----------------------------------------------------------------

def _competence(app: Application) -> Competence:
    item = Item.objects.filter(code=app.item_code).first()
    if item is None:
        raise Invalid(f"未知事项：{app.item_code}", code="case.unknown_item")
    competence = Competence.objects.select_related("item", "department", "region").filter(
        item=item, region__code=app.competent_region).first()
    if competence is None:
        raise Invalid(f"事项“{item.name}”在区域 {app.competent_region} 没有主管部门，不能在此办理",
                      code="case.no_competent_department")
    return competence


def _deciders(app: Application, competence: Competence) -> dict[str, Any]:
    """Who decides: the competent department, or (审批交叉授权) the delegate department of the delegation."""
    if not app.delegation:
        return {"competent_region": competence.region, "competent_department": competence.department,
                "delegating_region": None}
    try:
        department: Department = federation().check_delegation(
            app.delegation, item=competence.item, department=None, on=clock.today(),
            delegating_region=competence.region.code)
    except DelegationRefused as exc:
        raise Invalid(f"不能依委托收件：{exc.message}", code="case.delegation_invalid") from None
    return {"competent_region": department.region, "competent_department": department,
            "delegating_region": competence.region}


# ---- the channel: window, bank outlet, online ----------------------------------------------------

def _at_window(profile: StaffProfile, app: Application, item: Item, problems: Problems) -> Receipt:
    centre = profile.centre
    if centre is None:
        raise Invalid("您的窗口人员账号没有配置所在服务中心，请联系管理员", code="case.window_without_centre")
    if app.mode == Mode.ONLINE:
        problems["case.window_mode_online"] = "窗口收件的模式应为异地代收代办或多地联办；全程网办由申请人在线提交"
    # a window receipt is 异地代收代办 unless 多地联办 is asked for (or is all the item offers)
    mode = app.mode or (Mode.PROXY if item.mode_proxy or not item.mode_joint else Mode.JOINT)
    return Receipt(centre, centre.channels.filter(kind="window").first(), centre.region, mode)


def _at_bank(profile: StaffProfile, app: Application, item: Item, problems: Problems) -> Receipt:
    """政银合作: delegated receipt rights only."""
    channel = profile.channel
    if channel is None or channel.kind != "bank":
        raise Invalid("您的银行网点账号没有配置所在网点，请联系管理员", code="case.bank_without_outlet")
    if not item.via_bank:
        problems["case.item_not_at_banks"] = f"事项“{item.name}”不在银行网点代收范围内，请到区域通办专窗办理"
    if app.mode and app.mode != Mode.PROXY:
        problems["case.bank_mode_not_proxy"] = "银行网点只能代收代办（异地代收代办）"
    if app.delivery == Delivery.WINDOW:  # an outlet hands nothing out: it never holds a result
        problems["case.bank_delivery_window"] = "银行网点代收的申请，结果须邮寄或以电子证照送达"
    return Receipt(None, channel, channel.region, Mode.PROXY)


def _online(app: Application, competence: Competence, citizen: Citizen, problems: Problems) -> Receipt:
    """Received in the citizen's own region, on their own node, for an item of either region."""
    item = competence.item
    if app.delegation:
        problems["case.online_delegation"] = "依委托办理的申请须到区域通办专窗提交"
    if not item.mode_online:
        problems["case.item_not_online"] = f"事项“{item.name}”不支持全程网办，请到任一区域通办专窗办理"
    return Receipt(None, None, citizen.region, Mode.ONLINE)


def _receipt(user: Actor, app: Application, competence: Competence, problems: Problems) -> Receipt:
    profile = profile_of(user)
    if profile is not None and profile.role == Role.WINDOW:
        return _at_window(profile, app, competence.item, problems)
    if profile is not None and profile.role == Role.BANK:
        return _at_bank(profile, app, competence.item, problems)
    citizen = citizen_of(user)
    if profile is None and citizen is not None:
        return _online(app, competence, citizen, problems)
    raise NotAllowed("只有窗口人员和已登录的申请人可以提交办件", code="case.not_allowed")


# ---- online: the applicant is the account -------------------------------------------------------

def _identity_refused(user: Actor, app: Application, exc: TongbanError) -> TongbanError:
    """Audit a refused identity (masked) and return the refusal for the caller to raise."""
    with transaction.atomic():
        do_append(at=clock.now(), actor=user.get_username(), action="case.identity_refused",
                  subject=f"apply:{app.item_code}"[:100],
                  data={"code": exc.code, "id_number": mask_id(app.applicant_id_number),
                        "credit_code": mask_credit_code(app.applicant_credit_code)})
    return exc


def _from_account(user: Actor, app: Application) -> Application:
    """The application with the applicant taken from the signed-in citizen's account (全程网办).

    A user with neither a citizen account nor a staff profile is refused (``case.identity_required``);
    a 身份证号 other than the account's (``case.identity_mismatch``) or an enterprise the citizen is
    not 经办人 of (``case.enterprise_not_agent``) too. Every refusal is audited, masked."""
    citizen = citizen_of(user)
    if citizen is None:
        raise _identity_refused(user, app, NotAllowed(
            "网上申请须使用实名注册的个人账号登录", code="case.identity_required"))
    if app.applicant_id_number and app.applicant_kind != ApplicantKind.ENTERPRISE \
            and app.applicant_id_number.strip().upper() != citizen.id_number:
        raise _identity_refused(user, app, NotAllowed(
            "网上申请只能以本人实名身份提交", code="case.identity_mismatch"))
    if app.applicant_kind == ApplicantKind.ENTERPRISE:
        enterprise = citizen.enterprises.filter(credit_code=app.applicant_credit_code.strip().upper()).first()
        if enterprise is None:
            raise _identity_refused(user, app, NotAllowed(
                "您不是该企业的经办人，不能以该企业名义申请", code="case.enterprise_not_agent"))
        return replace(app, applicant_name=enterprise.name, applicant_id_number=enterprise.legal_representative_id,
                       applicant_phone=citizen.phone, applicant_credit_code=enterprise.credit_code)
    return replace(app, applicant_kind=ApplicantKind.PERSON, applicant_name=citizen.name,
                   applicant_id_number=citizen.id_number, applicant_phone=citizen.phone, applicant_credit_code="")


def _check_mode_and_materials(app: Application, item: Item, mode: str, problems: Problems) -> ItemVersion:
    if mode not in item.modes:
        problems["case.mode_not_offered"] = (f"事项“{item.name}”不提供“{mode}”模式；"
                                             f"可选：{'、'.join(item.modes) or '无'}")
    version = ItemVersion.objects.get(item=item, version=item.version)
    listed = {m["name"] for m in version.snapshot["materials"]}
    unknown = [m for m in app.materials_checked if m not in listed]
    if unknown:
        problems["case.unknown_materials"] = f"核验的材料不在本事项的审批标准中：{'、'.join(unknown[:5])}"
    return version


def _check(user: Actor, app: Application) -> Checks:
    if profile_of(user) is None and user.is_authenticated:  # online: the applicant is the account
        app = _from_account(user, app)
    problems: Problems = {}
    applicant = _check_applicant(app, problems)
    competence = _competence(app)
    deciders = _deciders(app, competence)
    receipt = _receipt(user, app, competence, problems)
    item = competence.item
    version = _check_mode_and_materials(app, item, receipt.mode, problems)
    if problems:
        raise InvalidApplication(problems)
    subject = f"apply:{app.item_code}"[:100]
    checked_materials = sorted(set(app.materials_checked))
    if receipt.mode == Mode.ONLINE:
        uploads, checked_materials = check_online_materials(
            user, version.snapshot, app.files, app.elicences, id_number=applicant["applicant_id_number"],
            subject=subject, elicences_allowed=app.applicant_kind == ApplicantKind.PERSON)
        elicences, source = app.elicences, FileSource.ONLINE
    else:
        if app.elicences:
            raise Invalid("电子证照只在网上申请时选用；窗口请核验原件", code="case.elicence_invalid")
        listed = {m["name"] for m in version.snapshot["materials"]}
        uploads = check_uploads(user, app.files, listed, subject=subject,
                                id_number=applicant["applicant_id_number"])
        elicences, source = [], FileSource.SCAN
    fields = dict(
        item=item, item_version=version, mode=receipt.mode, receiving_region=receipt.region,
        receiving_centre=receipt.centre, receiving_channel=receipt.channel, delegation=app.delegation,
        applicant_kind=app.applicant_kind, applicant_name=app.applicant_name.strip(), delivery=app.delivery,
        delivery_address=app.delivery_address.strip()[:200], materials_checked=checked_materials,
        legal_limit_days=item.legal_limit_days, promised_limit_days=item.promised_limit_days,
        **applicant, **deciders,
    )
    return Checks(fields, uploads, elicences, source)


def check_application(user: Actor, app: Application) -> dict[str, Any]:
    """Validate an application and work out where it is received and who decides it: the new case's fields."""
    return _check(user, app).fields


def do_receive(user: Actor, app: Application) -> Case:
    """Create a case (收件) with its material files. Locks the year's case counter (core.Counter, series
    "case") until commit. The files' blobs are written after every check and before the transaction."""
    checks = _check(user, app)
    creator = signed_in(user)  # check_application refused an anonymous actor already
    stored = store_all(checks.uploads)
    at = clock.now()
    with transaction.atomic():
        case = Case.objects.create(
            number=_next_number(timezone.localdate(at).year), received_at=at, created_by=creator,
            applicant_user=creator if profile_of(user) is None else None, **checks.fields)
        attach(case, stored, source=checks.source, user=user, elicences=checks.elicences)
        federation().replicate(case)  # a case for another node's item: that node gets its copy (read-only)
        case_changed(case, "")
        do_append(at=clock.now(), actor=user.get_username(), action="case.receive", subject=f"case:{case.number}",
                  data={"item": case.item.code, "item_version": case.item_version.version, "mode": case.mode,
                        "receiving_region": case.receiving_region.code,
                        "competent_department": case.competent_department.name,
                        "id_number": case.applicant_id_number, "phone": case.applicant_phone,
                        "files": len(stored), "elicences": [doc_id for _, doc_id in checks.elicences]})
    return case


def _next_number(year: int) -> str:
    # the prefix tells the nodes apart (TZ 通州, LF 廊坊): numbers stay unique when cases travel
    return f"{settings.TONGBAN_CASE_PREFIX}{year}{next_number('case', year):07d}"
