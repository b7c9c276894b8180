"""Cases (办件): one application for one catalogue item, from receipt to archive.

A case is received in one region (`receiving_*`) and decided by the competent department of
possibly another (`competent_*`): 收受分离. It keeps the item version it was received under. Its
state changes only through `cases.actions`, by compare-and-set on `version`, each change recorded
in the audit trail. The legal clock is computed from the fields below by `cases.clock`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tongban.catalog.models import Channel, Department, Item, ItemVersion, Mode, Region, ServiceCentre


class State(models.TextChoices):
    SUBMITTED = "submitted", "已收件"
    FORWARDED = "forwarded", "已预审转交"
    SUPPLEMENT = "supplement", "待补正"
    ACCEPTED = "accepted", "已受理"
    REFUSED = "refused", "不予受理"
    IN_REVIEW = "in_review", "审查中"
    SUSPENDED = "suspended", "已中止"
    DECIDED = "decided", "已办结"
    DELIVERED = "delivered", "已送达"
    ARCHIVED = "archived", "已归档"


class Outcome(models.TextChoices):
    APPROVED = "approved", "准予办理"
    DENIED = "denied", "不予办理"


class Delivery(models.TextChoices):
    WINDOW = "window", "窗口领取"
    POST = "post", "邮寄送达"
    ELECTRONIC = "electronic", "电子证照"


class ApplicantKind(models.TextChoices):
    PERSON = "person", "个人"
    ENTERPRISE = "enterprise", "企业"


class Case(models.Model):
    number = models.CharField("办件编号", max_length=20, unique=True)
    item = models.ForeignKey(Item, verbose_name="事项", on_delete=models.PROTECT, related_name="cases")
    item_version = models.ForeignKey(ItemVersion, verbose_name="受理时的事项版本", on_delete=models.PROTECT)
    mode = models.CharField("通办模式", max_length=10, choices=Mode.choices)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.SUBMITTED, db_index=True)
    version = models.PositiveIntegerField("修订号", default=1)  # compare-and-set guard

    receiving_region = models.ForeignKey(Region, verbose_name="收件地区", on_delete=models.PROTECT, related_name="+")
    receiving_centre = models.ForeignKey(ServiceCentre, verbose_name="收件中心", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    receiving_channel = models.ForeignKey(Channel, verbose_name="收件渠道", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    competent_region = models.ForeignKey(Region, verbose_name="审批地区", on_delete=models.PROTECT, related_name="+")
    competent_department = models.ForeignKey(Department, verbose_name="审批部门", on_delete=models.PROTECT,
                                             related_name="cases")
    # 审批交叉授权: decided by another region's department under this delegation (federation.delegations)
    delegation = models.CharField("依据的审批委托", max_length=80, blank=True)
    delegating_region = models.ForeignKey(Region, verbose_name="委托地区", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")

    applicant_kind = models.CharField("申请人类型", max_length=10, choices=ApplicantKind.choices)
    applicant_name = models.CharField("申请人", max_length=100)
    applicant_id_number = models.CharField("身份证号", max_length=18)
    applicant_phone = models.CharField("联系电话", max_length=20)
    applicant_credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    applicant_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人账号", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="cases")
    delivery = models.CharField("送达方式", max_length=10, choices=Delivery.choices, default=Delivery.WINDOW)
    delivery_address = models.CharField("邮寄地址", max_length=200, blank=True)
    materials_checked = models.JSONField("已核验材料", default=list, blank=True)

    # The legal clock (working days; see cases/clock.py)
    received_at = models.DateTimeField("收件时间")
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    legal_limit_days = models.PositiveSmallIntegerField("法定时限（工作日）", null=True)
    promised_limit_days = models.PositiveSmallIntegerField("承诺时限（工作日）", null=True)
    extension_days = models.PositiveSmallIntegerField("已批准延长（工作日）", default=0)
    paused_workdays = models.PositiveSmallIntegerField("已暂停（工作日）", default=0)
    paused_since = models.DateField("暂停起始日", null=True, blank=True)
    resume_state = models.CharField("补正/中止后回到的状态", max_length=12, choices=State.choices, blank=True)
    decided_on = models.DateField("办结日期", null=True, blank=True)

    outcome = models.CharField("办理结果", max_length=10, choices=Outcome.choices, blank=True)
    decision_note = models.TextField("决定说明", blank=True)
    refusal_reason = models.TextField("不予受理理由", blank=True)
    refusal_basis = models.CharField("不予受理依据", max_length=200, blank=True)
    suspension_reason = models.CharField("中止理由", max_length=200, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="收件人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件"
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["competent_department", "state"], name="case_queue_idx"),
            models.Index(fields=["receiving_centre", "state"], name="case_centre_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.item.name}"


class SupplementNotice(models.Model):
    """补正告知 (一次性告知): everything missing, listed once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supplements")
    missing = models.JSONField("需补正的材料")  # list of material names
    note = models.TextField("说明", blank=True)
    requested_at = models.DateTimeField("告知时间")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    fulfilled_at = models.DateTimeField("补正时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "补正告知"
        ordering = ["requested_at"]

    def __str__(self) -> str:
        return f"{self.case.number} 补正"


class FileSource(models.TextChoices):
    ONLINE = "online", "网上提交"
    SUPPLEMENT = "supplement", "补正提交"
    SCAN = "scan", "窗口扫描"
    ELICENCE = "elicence", "电子证照"


class CaseFile(models.Model):
    """One file of a case's materials (申请材料), or an 电子证照 standing in for one.

    The bytes live in the blob store (core/blobs.py) under `sha256`; this row says which case and
    material they belong to, where they came from and who gave them. An 电子证照 row has no blob: it
    names the signed result document (`doc_id`) that replaces the material. `filename` is the name the
    uploader's device gave, cleaned, for display only: the type is `mime`, sniffed from the content.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    material = models.CharField("材料", max_length=200)
    sha256 = models.CharField("内容摘要（SHA-256）", max_length=64, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    mime = models.CharField("类型", max_length=40, blank=True)
    filename = models.CharField("原文件名", max_length=120, blank=True)
    source = models.CharField("来源", max_length=12, choices=FileSource.choices)
    doc_id = models.CharField("电子证照文书编号", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = verbose_name_plural = "办件材料文件"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.material}（{self.get_source_display()}）"


class Extension(models.Model):
    """A bounded extension of the legal limit, effective only when approved (延期审批)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待批准"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField("延长工作日")
    reason = models.CharField("理由", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    requested_at = models.DateTimeField("申请时间")

    class Meta:
        verbose_name = verbose_name_plural = "延期申请"

    def __str__(self) -> str:
        return f"{self.case.number} 延长 {self.days} 日"


class JointTask(models.Model):
    """多地联办: the part one department of one region does on a case (协同办理).

    Created on acceptance for every region's competent department of the item; the case can be
    decided only when every other department has done its part.
    """

    class State(models.TextChoices):
        PENDING = "pending", "待办理"
        DONE = "done", "已完成"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="joint_tasks")
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    task = models.CharField("任务", max_length=100)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    note = models.TextField("办理意见", blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "联办任务"
        constraints = [models.UniqueConstraint(fields=["case", "department"], name="joint_task_once")]

    def __str__(self) -> str:
        return f"{self.case.number} {self.department}"


class IdempotencyKey(models.Model):
    """An API client's Idempotency-Key: the same key and body create one case, once."""

    key = models.CharField(max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request_digest = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return self.key
