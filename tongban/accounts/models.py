"""Who a user is: staff (role and place), or a resident with a real-name account (办事人), and the SMS codes.

A user with a `StaffProfile` is staff; a user with a `Citizen` is a resident, who may act for the
enterprises they are 经办人 of. A user with neither (the old demo applicant) sees only the cases filed
under their account. One-time SMS codes (`PhoneCode`) confirm a phone at registration and log a
resident in; they are stored as keyed hashes only (docs/citizens.md). The actions are in
`accounts.citizens`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tongban.catalog.models import Channel, Department, Region, ServiceCentre
from tongban.core.typing import Actor


class Role(models.TextChoices):
    WINDOW = "window", "窗口人员"
    APPROVER = "approver", "审批人员"
    ADMIN = "admin", "管理员"
    BANK = "bank", "银行网点人员"  # 政银合作: receives and forwards, never decides


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField("角色", max_length=10, choices=Role.choices)
    region = models.ForeignKey(Region, verbose_name="所属区域", on_delete=models.PROTECT)
    centre = models.ForeignKey(ServiceCentre, verbose_name="所在服务中心", null=True, blank=True,
                               on_delete=models.PROTECT, help_text="窗口人员必填")
    department = models.ForeignKey(Department, verbose_name="所在部门", null=True, blank=True,
                                   on_delete=models.PROTECT, help_text="审批人员必填")
    channel = models.ForeignKey(Channel, verbose_name="所在银行网点", null=True, blank=True, on_delete=models.PROTECT,
                                limit_choices_to={"kind": "bank"}, help_text="银行网点人员必填")

    class Meta:
        verbose_name = verbose_name_plural = "工作人员"

    def __str__(self) -> str:
        return f"{self.user.get_username()}（{self.get_role_display()}，{self.region.short_name}）"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.role == Role.WINDOW and not self.centre_id:
            raise ValidationError({"centre": "窗口人员须指定所在服务中心。"})
        if self.role == Role.APPROVER and not self.department_id:
            raise ValidationError({"department": "审批人员须指定所在部门。"})
        if self.role == Role.BANK and not (self.channel_id and self.channel is not None
                                           and self.channel.kind == "bank"):
            raise ValidationError({"channel": "银行网点人员须指定所在的银行网点渠道。"})


def profile_of(user: Actor | None) -> StaffProfile | None:
    """The staff profile of a user, or None for citizens, anonymous users and no user (a system action)."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.staff
    except StaffProfile.DoesNotExist:
        return None


# ---- 办事人: citizens and enterprises with a verified identity (实名) ------------------------------

class Citizen(models.Model):
    """A resident's real-name account (实名账号): who they are, confirmed at registration.

    The name and 身份证号 pass the GB 11643 check and the mobile number was confirmed by a one-time SMS
    code (`accounts.citizens`). An online application is filed only under this identity (or under an
    enterprise the citizen is 经办人 of). A citizen is never staff: staff log in apart (docs/citizens.md).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen")
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    phone = models.CharField("手机号", max_length=11, unique=True)
    region = models.ForeignKey(Region, verbose_name="注册地区", on_delete=models.PROTECT,
                               help_text="本节点服务的区域之一")
    phone_verified_at = models.DateTimeField("手机号验证时间")
    created_at = models.DateTimeField("注册时间")

    class Meta:
        verbose_name = verbose_name_plural = "实名账号（个人）"

    def __str__(self) -> str:
        return f"{self.name}（{self.phone[:3]}****{self.phone[-4:]}）"


class Enterprise(models.Model):
    """An enterprise account: its 统一社会信用代码 (GB 32100) and the citizens who act for it (经办人)."""

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("企业名称", max_length=100)
    legal_representative_id = models.CharField("法定代表人身份证号", max_length=18)
    agents = models.ManyToManyField(Citizen, verbose_name="经办人", related_name="enterprises")
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "企业账号"

    def __str__(self) -> str:
        return self.name


def citizen_of(user: Actor | None) -> Citizen | None:
    """The real-name account of a user, or None (staff, anonymous, an account without one)."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.citizen
    except Citizen.DoesNotExist:
        return None


# ---- one-time SMS codes (短信验证码) -------------------------------------------------------------

class CodePurpose(models.TextChoices):
    REGISTER = "register", "注册"
    LOGIN = "login", "登录"


class PhoneCode(models.Model):
    """One SMS code sent to a phone: only its keyed hash is kept (`accounts.citizens.code_digest`).

    The newest row of a phone and purpose is the live one; it dies when used, after `MAX_TRIES` wrong
    tries, or at `expires_at`. The rows are also the send log the resend throttle counts.
    """

    phone = models.CharField("手机号", max_length=11)
    purpose = models.CharField("用途", max_length=10, choices=CodePurpose.choices)
    salt = models.CharField(max_length=32, editable=False)
    digest = models.CharField("验证码摘要", max_length=64, editable=False)
    created_at = models.DateTimeField("发送时间")
    expires_at = models.DateTimeField("失效时间")
    tries = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["phone", "created_at"], name="phone_code_recent_idx")]

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]} {self.get_purpose_display()}"
