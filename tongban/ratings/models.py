"""好差评: five-level ratings of a case, its window and its officer; every bad rating is rectified.

A case carries at most one rating per `Target`: the receiving window's service (窗口服务; for a 全程网办
case, the online service) and the deciding department's service (审批部门服务). A rating given in an
account or at the counter rates the window; the one-time link sent by SMS at delivery
(`RatingInvitation`, ratings/invite.py) rates both, separately.

Levels follow the national 好差评 scale: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意.
A rating of 1 or 2 opens a `Rectification`: verify → rectify (within a configurable number of working
days) → feedback to the rater → recheck. A rating attributed to the wrong window or officer can be
appealed; an upheld appeal excludes it from the figures (it is never deleted).
"""

from __future__ import annotations

import datetime
from typing import Self

from django.conf import settings
from django.db import models

from tongban.cases.models import Case
from tongban.catalog.models import Channel, Region
from tongban.core import clock


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASICALLY_SATISFIED = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)
SATISFIED_LEVELS = (Level.BASICALLY_SATISFIED, Level.SATISFIED, Level.VERY_SATISFIED)


class Source(models.TextChoices):
    """Who pressed the button: the applicant in their account, or the window officer for a walk-in applicant."""

    APPLICANT = "applicant", "申请人本人评价"
    COUNTER = "counter", "窗口代录（申请人现场评价）"
    LINK = "link", "申请人通过短信评价链接评价"


class Target(models.TextChoices):
    """What is rated: the service of the window that received the case, or of the department that decided it."""

    WINDOW = "window", "窗口服务"
    DEPARTMENT = "department", "审批部门服务"


class BadReason(models.TextChoices):
    """差评原因: the reasons of the national 好差评 scheme (国务院办公厅关于建立政务服务“好差评”制度的意见);
    a bad rating given through the link must name one."""

    GUIDE_UNCLEAR = "guide_unclear", "办事指南不清晰"
    MATERIALS = "materials", "材料要求不合理或重复提交"
    LATE = "late", "办理时间超时"
    ATTITUDE = "attitude", "服务态度差"
    TRIPS = "trips", "多次跑动、来回跑"
    SYSTEM = "system", "系统不好用"
    FEES = "fees", "收费不合理"
    OTHER = "other", "其他"


class Rating(models.Model):
    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="ratings")
    target = models.CharField("评价对象", max_length=10, choices=Target.choices, default=Target.WINDOW)
    reason = models.CharField("差评原因", max_length=20, choices=BadReason.choices, blank=True)
    level = models.PositiveSmallIntegerField("评价", choices=Level.choices)
    comment = models.TextField("意见", blank=True)
    # Who and what is rated: the window (channel) that received the case and the officer who handled it.
    channel = models.ForeignKey(Channel, verbose_name="窗口", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="ratings")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="被评价人员", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="ratings_received")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评价人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="ratings_given")
    created_at = models.DateTimeField("评价时间")
    excluded = models.BooleanField("申诉成立，不计入统计", default=False)
    source = models.CharField("评价方式", max_length=10, choices=Source.choices, default=Source.APPLICANT)

    class Meta:
        verbose_name = verbose_name_plural = "好差评"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["case", "target"], name="rating_once_per_target")]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_target_display()} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class RectificationQuerySet(models.QuerySet["Rectification"]):
    def open(self) -> Self:
        return self.filter(closed_at__isnull=True)

    def closed(self) -> Self:
        return self.filter(closed_at__isnull=False)

    def overdue(self, on: datetime.date) -> Self:
        """Not closed and past the deadline on `on` (today > due_on)."""
        return self.filter(closed_at__isnull=True, due_on__lt=on)


class Rectification(models.Model):
    """差评整改: one per bad rating.

    `region` is the region answerable for it (the region that served the applicant, see docs/ratings.md);
    its administrators work the loop, an administrator of the other region decides an appeal.
    """

    class State(models.TextChoices):
        VERIFYING = "verifying", "核实中"
        RECTIFYING = "rectifying", "整改中"
        FEEDBACK = "feedback", "已反馈评价人"
        RECHECKED = "rechecked", "已复核办结"
        APPEALED = "appealed", "申诉中"
        DISMISSED = "dismissed", "申诉成立，不予整改"

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.VERIFYING, db_index=True)
    version = models.PositiveIntegerField(default=1)  # compare-and-set guard, as for cases
    verified_finding = models.TextField("核实情况", blank=True)
    due_on = models.DateField("整改期限", null=True, blank=True)
    measures = models.TextField("整改措施", blank=True)
    feedback = models.TextField("反馈评价人内容", blank=True)
    recheck_note = models.TextField("复核意见", blank=True)
    appeal_reason = models.TextField("申诉理由", blank=True)
    opened_at = models.DateTimeField("开始时间")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    region = models.ForeignKey(Region, verbose_name="责任地区", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    rectified_on = models.DateField("整改反馈日期", null=True, blank=True)
    appeal_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申诉处理人", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    appeal_decision_note = models.TextField("申诉处理意见", blank=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "差评整改"
        ordering = ["opened_at"]
        indexes = [models.Index(fields=["region", "state"], name="rectification_queue_idx")]

    def __str__(self) -> str:
        return f"{self.rating.case.number} 整改"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def is_overdue(self, on: datetime.date) -> bool:
        """Not closed and `on` is after the deadline (the deadline day itself is still in time)."""
        return self.closed_at is None and self.due_on is not None and on > self.due_on

    @property
    def overdue(self) -> bool:
        """`is_overdue` today (the service's clock, which tests move with time-machine)."""
        return self.is_overdue(clock.today())


class RatingInvitation(models.Model):
    """评价邀请: the one-time link to /rate/<token>/ sent to the applicant when the case is delivered.

    The token is the only secret (secrets.token_urlsafe, 256 bits): whoever has the SMS may rate, once.
    `used_at` is set by compare-and-set when the rating is saved, so of two submissions only one counts.
    """

    token = models.CharField("令牌", max_length=64, unique=True)
    case = models.OneToOneField(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="rating_invitation")
    created_at = models.DateTimeField("邀请时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评价邀请"

    def __str__(self) -> str:
        return f"{self.case.number} 评价邀请"
