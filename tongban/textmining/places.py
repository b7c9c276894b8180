"""Place names in hotline messages (小区, 学校, 村, 路 …): found in free text, reduced to stems, compared.

Used by `hotspots` to tell whether two messages are about the same place. Pure Python: no Django here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Masked administrative codes of the anonymised data (A市, A3区, K8县, 西地省): never a place.
ADMIN_CODE = re.compile(r"[A-Z][0-9]{0,2}[市区县州]|[\u4e00-\u9fff]地省")

# Place suffixes by kind; a lower rank is more specific and wins when a text names several places.
_PLACE_KINDS: list[tuple[int, tuple[str, ...]]] = [
    (0, ("小区", "花园", "家园", "公寓", "新村", "新城", "之城", "名城", "山庄", "公馆", "华府", "大厦",
         "广场", "苑", "园", "湾", "府邸", "楼盘")),
    (1, ("实验学校", "学校", "中学", "小学", "幼儿园", "大学", "学院", "医院", "卫生院", "市场", "公园",
         "火车站", "地铁站", "汽车站", "车站", "商场", "菜场")),
    (2, ("社区", "村")),
    (3, ("大道", "大街", "大桥", "立交", "隧道", "路", "街", "巷")),
]
_SUFFIX_RANK = {suffix: rank for rank, suffixes in _PLACE_KINDS for suffix in suffixes}
_SUFFIX = re.compile("|".join(sorted(_SUFFIX_RANK, key=len, reverse=True)))
_NAME_CHAR = re.compile(r"[\u4e00-\u9fff0-9a-zA-Z]")
_MAX_NAME = 10
# Characters that never occur inside a place name here: a name stops at them.
_STOP_CHARS = set("的在了是我你他她们这那该本此个与及或等对从到把被给让为也还就又很不没要能会请问"
                  "吗呢啊吧着过将已并而但却因所如")
# Words after which a new, more specific name starts (A3区 is already removed; 清水镇桂香村 → 桂香村).
_ADMIN_BOUNDARY = re.compile("街道|镇|乡|省|市|县|区|路|街(?!道)")
# Words that always end what comes before them; a name must follow them (投诉小区 is no name).
_WORD_BOUNDARY = re.compile("附近|旁边|门口|对面|周边|住在|位于|关于|反映|投诉|举报|咨询|请问|建议|业主|居民|村民|民办"
                            "|公办|私立|提高|解决|处理|要求|希望|没有|还是|就是|以及|用于|影响|严重|导致|造成")
# Modifiers that make "…小区" etc. generic rather than a name (老旧小区, 民办学校, 商业广场).
_GENERIC_PREFIXES = {"老旧", "安置", "住宅", "商品房", "周边", "附近", "整个", "新建", "高档", "开放式", "封闭式",
                     "保障房", "保障性住房", "拆迁安置", "民办", "公办", "培训", "职业", "中小", "私立", "辅导",
                     "房地产", "农贸", "劳动力", "人才", "二手房", "租赁", "金融", "商业", "新农", "城中", "美丽",
                     "社会主义新农", "农村", "城乡", "各个", "所有", "其他", "其它", "现在", "目前", "一个",
                     "校外", "重点", "普通", "省级", "市级", "县级", "区级", "大型", "小型", "中型", "智慧", "和谐",
                     "初中", "高中", "小学", "中学", "幼儿", "当地", "本地", "外地", "全国", "全省", "全市"}
_GENERIC_ENDINGS = ("道路", "公路", "马路", "线路", "铁路", "网路", "思路", "出路", "门路", "小路", "新农村", "水泥路",
                    "柏油路", "砂石路", "泥巴路", "机耕路", "通村路", "进村路", "入户路", "拓宽路", "人行道", "临街",
                    "沿街", "上街", "逛街", "当街", "过街")
# A suffix followed by one of these is part of another word (小学生, 市场监管, 街道, 路线, 村民, 园区).
_NOT_AFTER = {"学校": "长区", "中学": "生", "小学": "生", "大学": "生", "学院": "派", "市场": "监管化经价主",
              "路": "线况面段口灯由费过径上", "街": "道头", "村": "民委级组干", "园": "区林艺丁", "社区": "矫",
              "湾": "区", "广场": "舞"}


def _name_before(text: str, end: int) -> str:
    """The name in front of a suffix starting at `end`: name characters back to a stop character (at
    most _MAX_NAME of them), cut after a boundary word (投诉南湖苑 → 南湖苑) and after the last
    administrative word that still leaves two characters (柏林路银杏湾 → 银杏湾)."""
    start = end
    while start > 0 and end - start < _MAX_NAME + 3 and _NAME_CHAR.match(text[start - 1]) \
            and text[start - 1] not in _STOP_CHARS:
        start -= 1
    prefix = text[start:end]
    words = list(_WORD_BOUNDARY.finditer(prefix))
    if words:
        prefix = prefix[words[-1].end():]
    prefix = prefix[-_MAX_NAME:]
    for boundary in reversed(list(_ADMIN_BOUNDARY.finditer(prefix))):
        if len(prefix) - boundary.end() >= 2:
            return prefix[boundary.end():]
    return prefix


def candidates(text: str) -> list[tuple[int, int, int, str]]:
    """(rank, start, -length, place) for every place-like name in `text` (admin codes already removed)."""
    spans = []
    for match in _SUFFIX.finditer(text):
        suffix = match.group()
        after = text[match.end():match.end() + 1]
        if after and after in _NOT_AFTER.get(suffix, ""):
            continue
        prefix = _name_before(text, match.start())
        name = prefix + suffix
        if sum("\u4e00" <= ch <= "\u9fff" for ch in prefix) < 2 or prefix in _GENERIC_PREFIXES \
                or name.endswith(_GENERIC_ENDINGS):
            continue
        spans.append((_SUFFIX_RANK[suffix], match.start() - len(prefix), match.start(), match.end(), name))
    # 银杏湾 in 银杏湾小区, 花园 in 花园路: a name that a longer one continuing it is not a name of its own.
    continued = {at for _, _, at, _, _ in spans}
    return [(rank, start, -len(name), name) for rank, start, _, end, name in spans if end not in continued]


def _stem(place: str) -> str:
    """A place name without its kind: 红枫新城小区 → 红枫, 南湖苑东园 → 南湖苑东, 桂香村 → 桂香."""
    place = ADMIN_CODE.sub("", place).strip().lower()
    for _ in range(2):  # 金穗苑安置小区: 小区, then 苑
        match = _SUFFIX.search(place, max(len(place) - 4, 0))
        while match and match.end() != len(place):
            match = _SUFFIX.search(place, match.start() + 1)
        if match and match.start() >= 2:
            place = place[:match.start()]
            if place.endswith(("安置", "二期", "一期", "三期")) and len(place) >= 4:
                place = place[:-2]
    return place


def stems(names: Sequence[str]) -> frozenset[str]:
    """Every place a message names, as stems: two messages are about the same place when any of their
    stems match (see `relation`)."""
    return frozenset(stem for stem in map(_stem, names) if len(stem) >= 2 and stem not in _GENERIC_STEMS)


# Stems that many different places share (人民医院, 实验中学, 城市花园): they say nothing about sameness.
_GENERIC_STEMS = {"人民", "实验", "城市", "中心", "第一", "第二", "第三", "国际", "外国语", "中医", "妇幼保健", "儿童",
                  "附属", "第一人民", "中心医院", "师范", "职业技术", "新区", "商业", "农贸"}


def _common(a: str, b: str) -> int:
    """Length of the longest common substring of two short strings."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def _match(a: str, b: str) -> bool:
    """Two stems name one place: one contains the other (金穗 / 金穗佳苑), or they share 3 characters
    (柳岸春晓 / 柳岸春风); two shared characters are not enough (红枫银杏 / 红枫柳岸, 金穗国际 / 银杏国际)."""
    if a in b or b in a:
        return True
    # Suffix words inside a stem (红枫之城小区临 / 柳岸园小区临) are no evidence: mask them first.
    return _common(_SUFFIX.sub("\x00", a), _SUFFIX.sub("\x01", b)) >= 3


def relation(a: frozenset[str], b: frozenset[str]) -> int:
    """+1 when two messages name a common place, −1 when both name places and none match, 0 when either
    names none."""
    if not a or not b:
        return 0
    return 1 if a & b or any(_match(x, y) for x in a for y in b) else -1
