"""接诉即办 — complaints to the citizen hotline, the units that answer them, 吹哨报到 and the dispatch model.

A complaint (诉求) is registered by an operator, a citizen on the web, or an Open311 client; it is
dispatched (派单) to one responsible unit (承办单位: a street/town 街乡镇 or a department 部门); the unit
contacts the caller (首次联系), handles it, may blow the whistle (吹哨) to summon departments (报到), replies
(答复); the operator calls back (回访) and records whether it was solved and whether the caller is satisfied.
Those records give each unit's monthly 三率 (响应率, 解决率, 满意率) — see rates.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tongban.catalog.models import Department, Region


class Unit(models.Model):
    """承办单位: a street or town (街乡镇) or a department (部门) of one region."""

    class Kind(models.TextChoices):
        STREET = "street", "街乡镇"
        DEPARTMENT = "department", "部门"

    region = models.ForeignKey(Region, verbose_name="区域", on_delete=models.PROTECT, related_name="hotline_units")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("名称", max_length=100)
    department = models.ForeignKey(Department, verbose_name="对应部门", null=True, blank=True,
                                   on_delete=models.PROTECT, help_text="部门类承办单位可关联事项清单中的部门")
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "承办单位"
        ordering = ["region__code", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="hotline_unit_region_name")]

    def __str__(self) -> str:
        return self.name


class ClockKind(models.TextChoices):
    WORKDAYS = "workdays", "工作日"
    HOURS = "hours", "自然小时"


class Category(models.Model):
    """诉求分类 — what a complaint is about; the dispatch model predicts these names.

    The category decides the time limits (`TimeLimit`) and, per region, the unit a complaint goes to
    by default (`Responsibility`).
    """

    name = models.CharField("分类名称", max_length=50, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "诉求分类"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    DISPATCH = "dispatch", "派单"
    CONTACT = "contact", "首次联系"
    HANDLE = "handle", "办理"
    REPLY = "reply", "答复"


class TimeLimit(models.Model):
    """The limit of one stage for one category, counted from the moment the complaint was registered."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="limits")
    stage = models.CharField("环节", max_length=10, choices=Stage.choices)
    amount = models.PositiveSmallIntegerField("时限")
    clock = models.CharField("计时方式", max_length=10, choices=ClockKind.choices, default=ClockKind.WORKDAYS)

    class Meta:
        verbose_name = verbose_name_plural = "办理时限"
        constraints = [models.UniqueConstraint(fields=["category", "stage"], name="hotline_limit_category_stage")]

    def __str__(self) -> str:
        return f"{self.category} · {self.get_stage_display()} {self.amount}{self.get_clock_display()}"


class Responsibility(models.Model):
    """分类—承办单位对应: in a region, complaints of a category go to this unit unless the operator chooses."""

    region = models.ForeignKey(Region, verbose_name="区域", on_delete=models.CASCADE)
    category = models.ForeignKey(Category, verbose_name="诉求分类", on_delete=models.CASCADE)
    unit = models.ForeignKey(Unit, verbose_name="承办单位", on_delete=models.PROTECT)

    class Meta:
        verbose_name = verbose_name_plural = "分类与承办单位对应"
        constraints = [models.UniqueConstraint(fields=["region", "category"], name="hotline_resp_region_category")]

    def __str__(self) -> str:
        return f"{self.region.short_name} · {self.category} → {self.unit}"


class HotlineRole(models.Model):
    """Who a user is on the hotline: an operator (话务员), a unit's handler, or a supervisor (考核)."""

    class Role(models.TextChoices):
        OPERATOR = "operator", "话务员"
        HANDLER = "handler", "承办人员"
        SUPERVISOR = "supervisor", "考核管理员"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hotline")
    role = models.CharField("角色", max_length=10, choices=Role.choices)
    region = models.ForeignKey(Region, verbose_name="区域", on_delete=models.PROTECT)
    unit = models.ForeignKey(Unit, verbose_name="承办单位", null=True, blank=True, on_delete=models.PROTECT,
                             help_text="承办人员必填")

    class Meta:
        verbose_name = verbose_name_plural = "接诉即办人员"

    def __str__(self) -> str:
        return f"{self.user.get_username()}（{self.get_role_display()}）"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.role == self.Role.HANDLER and not self.unit_id:
            raise ValidationError({"unit": "承办人员须指定承办单位。"})
        if self.unit is not None and self.unit.region_id != self.region_id:
            raise ValidationError({"unit": "承办单位须属于所选区域。"})


class State(models.TextChoices):
    REGISTERED = "registered", "待派单"
    DISPATCHED = "dispatched", "已派单"
    CONTACTED = "contacted", "办理中"
    WHISTLED = "whistled", "吹哨报到中"
    REPLIED = "replied", "已答复待回访"
    CLOSED = "closed", "已回访办结"


OPEN_STATES = (State.REGISTERED, State.DISPATCHED, State.CONTACTED, State.WHISTLED)


class Channel(models.TextChoices):
    PHONE = "phone", "12345热线"
    WEB = "web", "网上留言"
    OPEN311 = "open311", "Open311接口"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class Complaint(models.Model):
    """诉求: one call or message, from registration to callback."""

    number = models.CharField("诉求编号", max_length=20, unique=True)
    region = models.ForeignKey(Region, verbose_name="区域", on_delete=models.PROTECT, related_name="complaints")
    channel = models.CharField("来源", max_length=10, choices=Channel.choices)
    caller_name = models.CharField("来电人", max_length=50, blank=True)
    caller_phone = models.CharField("联系电话", max_length=20, blank=True)  # shown masked (mask_phone)
    street = models.ForeignKey(Unit, verbose_name="所在街乡镇", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", limit_choices_to={"kind": Unit.Kind.STREET})
    address = models.CharField("地点", max_length=200, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    text = models.TextField("诉求内容")
    category = models.ForeignKey(Category, verbose_name="诉求分类", null=True, blank=True, on_delete=models.PROTECT)
    unit = models.ForeignKey(Unit, verbose_name="承办单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="complaints")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.REGISTERED, db_index=True)
    version = models.PositiveIntegerField(default=1)  # compare-and-set on every transition
    duplicate_of = models.ForeignKey("self", verbose_name="疑似重复", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="duplicates")

    # what the dispatch model suggested when the operator dispatched (top three), and whether they overrode it
    suggestions = models.JSONField("系统建议", default=list, blank=True)
    model_version = models.PositiveIntegerField("模型版本", null=True, blank=True)
    overridden = models.BooleanField("人工改派", default=False)

    received_at = models.DateTimeField("登记时间", db_index=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    contacted_at = models.DateTimeField("首次联系时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("回访时间", null=True, blank=True)
    dispatch_due = models.DateTimeField("派单时限", null=True, blank=True)
    contact_due = models.DateTimeField("联系时限", null=True, blank=True)
    handle_due = models.DateTimeField("办理时限", null=True, blank=True)
    reply_due = models.DateTimeField("答复时限", null=True, blank=True)

    reply = models.TextField("答复意见", blank=True)
    solved = models.BooleanField("是否解决", null=True, blank=True)
    satisfaction = models.CharField("是否满意", max_length=12, choices=Satisfaction.choices, blank=True)
    callback_note = models.CharField("回访记录", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # the resident (实名账号) who filed it on the web form while logged in; None for calls, Open311, anonymous
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="反映人账号", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="complaints_reported")
    # one-time token of the form or Open311 Idempotency-Key it came from: a resubmission finds this row
    intake_key = models.CharField(max_length=80, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "诉求"
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["unit", "received_at"])]

    def __str__(self) -> str:
        return self.number


class ComplaintEvent(models.Model):
    """The complaint's own trail, shown on its page (the audit chain keeps the tamper-evident copy)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=30)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action}"


class WhistleTask(models.Model):
    """吹哨报到: one department summoned by the street for one complaint, with its own task and deadline."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="whistle_tasks")
    unit = models.ForeignKey(Unit, verbose_name="报到部门", on_delete=models.PROTECT, related_name="whistle_tasks")
    task = models.CharField("任务", max_length=500)
    due = models.DateTimeField("报到时限")
    whistled_at = models.DateTimeField("吹哨时间")
    whistled_by = models.CharField("吹哨人", max_length=150)
    report = models.TextField("报到情况", blank=True)
    reported_at = models.DateTimeField("报到时间", null=True, blank=True)
    reported_by = models.CharField("报到人", max_length=150, blank=True)
    score = models.PositiveSmallIntegerField("街道评分", null=True, blank=True)  # 1–5, given by the street

    class Meta:
        verbose_name = verbose_name_plural = "吹哨报到任务"
        ordering = ["due", "id"]
        constraints = [models.UniqueConstraint(fields=["complaint", "unit"], name="hotline_whistle_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.task[:20]}"

    @property
    def on_time(self) -> bool | None:
        return None if self.reported_at is None else self.reported_at <= self.due


class DispatchModel(models.Model):
    """A trained dispatch model (派单模型), versioned; the newest active one makes the suggestions."""

    version = models.PositiveIntegerField("版本", unique=True)
    trained_at = models.DateTimeField("训练时间")
    trained_by = models.CharField("训练人", max_length=150, blank=True)
    source = models.CharField("训练数据", max_length=300)
    n_samples = models.PositiveIntegerField("样本数")
    n_feedback = models.PositiveIntegerField("其中人工派单反馈", default=0)
    labels = models.JSONField("分类")
    meta = models.JSONField("参数与指标", default=dict)
    blob = models.BinaryField("模型")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "派单模型"
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}（{self.n_samples} 条）"


class Weights(models.Model):
    """三率 weights of the composite score (综合成绩); the newest row applies. Defaults 10 / 45 / 45."""

    response = models.PositiveSmallIntegerField("响应率权重（%）", default=10)
    resolution = models.PositiveSmallIntegerField("解决率权重（%）", default=45)
    satisfaction = models.PositiveSmallIntegerField("满意率权重（%）", default=45)
    changed_at = models.DateTimeField("修改时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "三率权重"
        ordering = ["-changed_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(response__lte=100) & models.Q(resolution__lte=100)
                                              & models.Q(satisfaction__lte=100), name="hotline_weights_le_100")]

    def __str__(self) -> str:
        return f"响应 {self.response}% · 解决 {self.resolution}% · 满意 {self.satisfaction}%"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.response + self.resolution + self.satisfaction != 100:
            raise ValidationError("三项权重之和须为 100。")
