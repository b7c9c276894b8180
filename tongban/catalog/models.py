"""The shared catalogue (事项清单): regions, departments, service centres, channels and items.

An `Item` is one service item of the shared 区域通办 catalogue. Each region that offers it names its
competent department (`Competence`). Every change to an item goes through `catalog.actions`, which
bumps `Item.version` and stores a full snapshot in `ItemVersion`, so a case can keep the version it
was received under.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from tongban.core import clock

# Item codes go into URLs and file names: letters, digits, '.', '_' and '-'.
CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]*"
MAX_LIMIT_DAYS = 366
MAX_COPIES = 99
MAX_VISITS = 9
code_validator = RegexValidator(rf"^{CODE_PATTERN}\Z", "事项编码只能由字母、数字和 . _ - 组成。")
limit_validators = [MaxValueValidator(MAX_LIMIT_DAYS)]


class Region(models.Model):
    """A jurisdiction: 通州区 (110112), 廊坊市 (131000) and its counties and functional zones."""

    class Kind(models.TextChoices):
        CITY = "city", "市"
        DISTRICT = "district", "区"
        COUNTY = "county", "县/县级市"
        ZONE = "zone", "功能区"

    # 行政区划代码 (GB/T 2260). Functional zones (e.g. 廊坊临空经济区) have none; they get an
    # internal code that is not six digits, so it can never collide with a real one.
    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)
    short_name = models.CharField("简称", max_length=20)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = verbose_name_plural = "区域"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A competent department (主管部门) of one region."""

    region = models.ForeignKey(Region, verbose_name="区域", on_delete=models.PROTECT, related_name="departments")
    code = models.CharField("部门编码", max_length=40, blank=True)
    name = models.CharField("部门名称", max_length=100)

    class Meta:
        verbose_name = verbose_name_plural = "部门"
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return self.name


class ServiceCentre(models.Model):
    """A government service centre (政务服务中心) or hall."""

    region = models.ForeignKey(Region, verbose_name="区域", on_delete=models.PROTECT, related_name="centres")
    name = models.CharField("名称", max_length=100, unique=True)
    address = models.CharField("地址", max_length=200, blank=True)
    hours = models.CharField("办公时间", max_length=100, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "政务服务中心"
        ordering = ["region__code", "name"]

    def __str__(self) -> str:
        return self.name


class ChannelKind(models.TextChoices):
    WINDOW = "window", "区域通办专窗"
    TERMINAL = "terminal", "自助终端"
    MOBILE = "mobile", "移动端"
    BANK = "bank", "银行网点"
    ONLINE = "online", "网上办"


class Channel(models.Model):
    """A place or medium where applications are received.

    `region` is whose services the channel offers; `centre` is where it stands. A self-service
    terminal of 通州 in the Langfang hall has region=通州区 and centre=廊坊市政务服务中心.
    """

    kind = models.CharField("渠道类型", max_length=10, choices=ChannelKind.choices)
    name = models.CharField("名称", max_length=100, unique=True)
    region = models.ForeignKey(Region, verbose_name="所属区域", on_delete=models.PROTECT, related_name="channels")
    centre = models.ForeignKey(
        ServiceCentre, verbose_name="所在服务中心", null=True, blank=True, on_delete=models.PROTECT,
        related_name="channels",
    )
    location = models.CharField("位置", max_length=200, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办理渠道"
        ordering = ["region__code", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class ItemType(models.TextChoices):
    # The national standard 事项类型 with their numeric codes (used by real catalogue exports).
    LICENCE = "行政许可", "行政许可"
    LEVY = "行政征收", "行政征收"
    BENEFIT = "行政给付", "行政给付"
    CONFIRMATION = "行政确认", "行政确认"
    AWARD = "行政奖励", "行政奖励"
    RULING = "行政裁决", "行政裁决"
    OTHER_POWER = "其他行政权力", "其他行政权力"
    PUBLIC_SERVICE = "公共服务", "公共服务"


ITEM_TYPE_CODES = {
    "1": ItemType.LICENCE,
    "4": ItemType.LEVY,
    "5": ItemType.BENEFIT,
    "7": ItemType.CONFIRMATION,
    "8": ItemType.AWARD,
    "9": ItemType.RULING,
    "10": ItemType.OTHER_POWER,
    "20": ItemType.PUBLIC_SERVICE,
}


class ItemClass(models.TextChoices):
    CONVENIENCE = "高频便民事项", "高频便民事项"
    GOVERNMENT = "政务服务事项", "政务服务事项"


class Mode(models.TextChoices):
    """The three 跨省通办 modes."""

    ONLINE = "全程网办", "全程网办"
    PROXY = "异地代收代办", "异地代收代办"
    JOINT = "多地联办", "多地联办"


MODE_FIELDS = {Mode.ONLINE: "mode_online", Mode.PROXY: "mode_proxy", Mode.JOINT: "mode_joint"}
CHANNEL_FIELDS = {
    ChannelKind.WINDOW: "via_window",
    ChannelKind.TERMINAL: "via_terminal",
    ChannelKind.MOBILE: "via_mobile",
    ChannelKind.BANK: "via_bank",
}


class Item(models.Model):
    """A service item (事项) of the shared catalogue."""

    code = models.CharField("事项编码", max_length=80, unique=True, validators=[code_validator])
    name = models.CharField("事项名称", max_length=200, db_index=True)
    item_type = models.CharField("事项类型", max_length=10, choices=ItemType.choices)
    item_class = models.CharField("事项类别", max_length=10, choices=ItemClass.choices, db_index=True)
    legal_basis = models.TextField("设定依据", blank=True)
    conditions = models.TextField("受理条件", blank=True)
    # Working days on the official calendar; 0 = 即办 (handled on the spot); null = not set.
    legal_limit_days = models.PositiveSmallIntegerField("法定办结时限（工作日）", null=True, blank=True,
                                                        validators=limit_validators)
    promised_limit_days = models.PositiveSmallIntegerField("承诺办结时限（工作日）", null=True, blank=True,
                                                           validators=limit_validators)
    fee = models.CharField("收费标准", max_length=200, default="不收费", blank=True)
    # 到现场次数: how many times an applicant must come to a window (最多跑一次 = 1). A 全程网办 item needs
    # none online, whatever this says (`visits_needed`); 0 here = 零跑腿 also at the window (results mailed).
    visits = models.PositiveSmallIntegerField("到现场次数", default=1, validators=[MaxValueValidator(MAX_VISITS)],
                                              help_text="申请人最多需要到窗口的次数；全程网办事项在网上申请时为 0")
    # The 跨省通办 modes offered. Booleans rather than a JSON list: filterable the same way on
    # SQLite and PostgreSQL.
    mode_online = models.BooleanField("全程网办", default=False)
    mode_proxy = models.BooleanField("异地代收代办", default=False)
    mode_joint = models.BooleanField("多地联办", default=False)
    via_window = models.BooleanField("区域通办专窗", default=True)
    via_terminal = models.BooleanField("自助终端", default=False)
    via_mobile = models.BooleanField("移动端", default=False)
    via_bank = models.BooleanField("银行网点", default=False)
    standard_version = models.CharField("审批标准版本", max_length=40, blank=True)
    keywords = models.CharField("关键词", max_length=200, blank=True, help_text="以“；”分隔，用于检索")
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def clean(self) -> None:
        """The rules the importer applies, for edits made in the admin."""
        if (self.legal_limit_days is not None and self.promised_limit_days is not None
                and self.promised_limit_days > self.legal_limit_days):
            raise ValidationError({"promised_limit_days": "承诺时限不能超过法定时限。"})
        if not any(getattr(self, name) for name in CHANNEL_FIELDS.values()):
            raise ValidationError("至少选择一个办理渠道（通常是区域通办专窗）。")

    @property
    def visits_needed(self) -> int:
        """到现场次数 shown to applicants: 0 for a 全程网办 item, else `visits`."""
        return 0 if self.mode_online else self.visits

    @property
    def modes(self) -> list[str]:
        return [mode.label for mode, field in MODE_FIELDS.items() if getattr(self, field)]

    @property
    def channel_labels(self) -> list[str]:
        return [kind.label for kind, field in CHANNEL_FIELDS.items() if getattr(self, field)]


class Competence(models.Model):
    """Which department of a region is competent for an item (主管部门)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="competences")
    region = models.ForeignKey(Region, verbose_name="区域", on_delete=models.PROTECT)
    department = models.ForeignKey(Department, verbose_name="主管部门", on_delete=models.PROTECT,
                                   related_name="competences")

    class Meta:
        verbose_name = verbose_name_plural = "主管部门"
        ordering = ["region__code"]
        constraints = [models.UniqueConstraint(fields=["item", "region"], name="competence_one_per_region")]

    def __str__(self) -> str:
        return f"{self.region}：{self.department}"

    def clean(self) -> None:
        if self.department_id and self.region_id and self.department.region_id != self.region_id:
            raise ValidationError({"department": "主管部门必须属于所选区域。"})


class Material(models.Model):
    """A required material (申请材料) of an item, as the unified approval standard lists it."""

    class Kind(models.TextChoices):
        ORIGINAL = "原件", "原件"
        COPY = "复印件", "复印件"
        BOTH = "原件及复印件", "原件及复印件"

    class Form(models.TextChoices):
        PAPER = "纸质", "纸质"
        ELECTRONIC = "电子", "电子"
        EITHER = "纸质或电子", "纸质或电子"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField("序号", default=0)
    # '|' and line breaks separate materials in catalogue files.
    name = models.CharField("材料名称", max_length=200,
                            validators=[RegexValidator(r"[|\n\r]", "材料名称中不能有 | 或换行。", inverse_match=True)])
    kind = models.CharField("原件/复印件", max_length=10, choices=Kind.choices, default=Kind.ORIGINAL)
    copies = models.PositiveSmallIntegerField("份数", default=1,
                                              validators=[MinValueValidator(1), MaxValueValidator(MAX_COPIES)])
    form = models.CharField("材料形式", max_length=10, choices=Form.choices, default=Form.PAPER)
    e_licence = models.BooleanField("可用电子证照替代", default=False)
    required = models.BooleanField("必需", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请材料"
        ordering = ["item", "position"]

    def __str__(self) -> str:
        return self.name


class ItemVersion(models.Model):
    """An immutable snapshot of an item after each change (catalogue versioning)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("版本")
    snapshot = models.JSONField("内容")
    source = models.CharField("来源", max_length=20)  # import / admin / demo
    note = models.CharField("说明", max_length=200, blank=True)
    changed_by = models.CharField("修改人", max_length=150, blank=True)
    changed_at = models.DateTimeField("修改时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项版本"
        ordering = ["item", "-version"]
        constraints = [models.UniqueConstraint(fields=["item", "version"], name="item_version_unique")]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.version}"


class Synonym(models.Model):
    """One entry of the search vocabulary (检索词表): a word residents type → the official terms it means.

    Written only through `catalog.vocabulary` (admin, file import, the default file's migration), which
    normalises the word (NFKC, lower case) and records every change as a `SynonymVersion`. Retired
    words are disabled, not deleted, so their history stays reviewable.
    """

    word = models.CharField("口语词", max_length=20, unique=True,
                            help_text="群众的说法、简称或短语，如 娃、新农合、走了（保存时统一为半角、小写）")
    terms = models.CharField("对应规范用语", max_length=500,
                             help_text="事项清单中的规范用语，以“；”或“|”分隔，每个不超过 30 字")
    note = models.CharField("说明", max_length=200, blank=True, help_text="依据或来源，便于审核")
    enabled = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", default=clock.now, editable=False)
    updated_by = models.CharField("修改人", max_length=150, blank=True, editable=False)

    class Meta:
        verbose_name = "检索词"
        verbose_name_plural = "检索词表"
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word

    @property
    def term_list(self) -> tuple[str, ...]:
        return tuple(t for t in self.terms.split("；") if t)


class SynonymVersion(models.Model):
    """An immutable record of a vocabulary entry after each change: what it said, who changed it, when."""

    class Source(models.TextChoices):
        ADMIN = "admin", "后台修改"
        IMPORT = "import", "文件导入"
        DEFAULT = "default", "初始词表"

    synonym = models.ForeignKey(Synonym, verbose_name="检索词", on_delete=models.PROTECT, related_name="versions")
    word = models.CharField("口语词", max_length=20)
    version = models.PositiveIntegerField("版本")
    terms = models.CharField("对应规范用语", max_length=500)
    enabled = models.BooleanField("启用")
    note = models.CharField("说明", max_length=200, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    changed_by = models.CharField("修改人", max_length=150, blank=True)
    changed_at = models.DateTimeField("修改时间", default=clock.now)

    class Meta:
        verbose_name = verbose_name_plural = "检索词版本"
        ordering = ["word", "-version"]
        constraints = [models.UniqueConstraint(fields=["synonym", "version"], name="synonym_version_unique")]

    def __str__(self) -> str:
        return f"{self.word} v{self.version}"
