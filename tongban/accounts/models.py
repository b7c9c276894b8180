"""Staff: who a user is in the service (role) and where (region, centre, department).

A user without a profile is a citizen or enterprise (办事人): they see only their own cases.
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
