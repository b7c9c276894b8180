"""Catalogue search without the database: reading a resident's query, scoring, ranking, explaining.

The little catalogue below is written for these tests (names in the style of national standard item
names); none of the queries comes from the evaluation set.
"""

from __future__ import annotations

import subprocess
import sys

from tongban.textmining import pinyin
from tongban.textmining.search import (
    ABBREVIATION_MARK,
    MAX_QUERY_LENGTH,
    Document,
    Index,
    document_tokens,
    normalise,
    suggest,
    tokens,
)

NAMES = [
    "出生登记",
    "户口迁移登记",
    "死亡人员户口注销",
    "个体工商户设立登记",
    "个体工商户注销登记",
    "社会保障卡补领、换领、换发",
    "城乡居民基本医疗保险参保登记",
    "住房公积金提取（县级行使）",
    "住房公积金缴存",
    "残疾人证新办",
    "残疾人证挂失补办",
    "最低生活保障审批",
    "婚姻登记",
    "林木采伐许可证核发",
]
VOCABULARY = {
    "娃儿": ["出生", "子女"],
    "上户口": ["出生登记", "户口登记"],
    "个体户": ["个体工商户"],
    "不开了": ["注销"],
    "新农合": ["城乡居民基本医疗保险"],
    "社保卡": ["社会保障卡"],
    "丢了": ["补领", "补办", "挂失"],
    "低保": ["最低生活保障"],
}


def index(vocabulary=VOCABULARY) -> Index:
    return Index([Document(id=i + 1, code=f"C{i + 1:03d}", name=name) for i, name in enumerate(NAMES)], vocabulary)


def top(idx: Index, query: str, n: int = 1) -> list[str]:
    _, matches = idx.search(query)
    return [NAMES[m.id - 1] for m in matches[:n]]


def test_normalise_folds_width_and_case():
    assert normalise("  ＡＢＣ社保 ") == "abc社保"
    assert normalise(None) == ""


def test_tokens_are_bigrams_of_chinese_runs_and_whole_latin_words():
    assert tokens("社会保险") == {"社会", "会保", "保险"}
    assert tokens("ABC 卡") == {"abc", "卡"}
    assert tokens("，。") == set()


def test_a_name_counts_fully_its_brackets_little_and_its_abbreviations_are_derived():
    tf = document_tokens(Document(1, "C1", "住房公积金提取（县级行使）", keywords=["公积金"], context=["住建局"]))
    assert tf["公积"] == 1.0 + 0.7  # in the name and in a keyword
    assert tf["县级"] == 0.3
    assert tf["住建"] == 0.15
    assert tf[ABBREVIATION_MARK + "公金"] == 1.0 + 0.7  # 公积金 → 公_金: first and third characters


def test_filler_words_weigh_nothing():
    plan = index().plan("请问怎么办理婚姻登记需要什么材料？")
    assert plan.content.split() == ["婚姻登记"]
    assert top(index(), "请问怎么办理婚姻登记需要什么材料？") == ["婚姻登记"]


def test_an_item_needs_no_share_of_a_noisy_query():
    # most of these characters are in no item name: the rare, meaningful ones decide
    assert top(index(), "屋头老汉儿前几天走了 残疾人证掉了咋补办") == ["残疾人证挂失补办"]


def test_everyday_words_reach_official_terms_and_say_so():
    idx = index()
    assert top(idx, "给刚生的娃儿上户口") == ["出生登记"]
    assert top(idx, "个体户不开了") == ["个体工商户注销登记"]
    assert top(idx, "新农合") == ["城乡居民基本医疗保险参保登记"]
    plan, matches = idx.search("个体户不开了")
    vias = {r.via for r in idx.explain(plan, matches[0].id)}
    assert "词表：个体户 → 个体工商户" in vias and "词表：不开了 → 注销" in vias


def test_without_the_vocabulary_an_everyday_word_alone_finds_less():
    assert top(index({}), "新农合") != ["城乡居民基本医疗保险参保登记"]


def test_homophone_typos_find_the_item():
    idx = index()
    assert top(idx, "个体护注消") == ["个体工商户注销登记"]
    assert top(idx, "残急人证") [0].startswith("残疾人证")
    assert top(idx, "林木彩伐") == ["林木采伐许可证核发"]
    plan, matches = idx.search("林木彩伐")
    assert any(r.via == "同音：彩伐 → 采伐" for r in idx.explain(plan, matches[0].id))


def test_near_sounds_that_many_speakers_merge_are_tolerated():
    # 宁 (ning) for 林 (lin): n/l and -ing/-in, as in 四川 and 河北 speech
    assert pinyin.near("ning mu") == pinyin.near("lin mu") == "lin mu"
    idx = index()
    assert top(idx, "宁木砍伐") == ["林木采伐许可证核发"]
    plan, matches = idx.search("宁木砍伐")
    assert any(r.via.startswith("近音：宁木") for r in idx.explain(plan, matches[0].id))


def test_a_vocabulary_word_typed_with_a_wrong_character_is_still_expanded():
    assert top(index(), "设保卡丢了") == ["社会保障卡补领、换领、换发"]


def test_pinyin_with_or_without_spaces():
    idx = index()
    assert top(idx, "gongjijin tiqu") == ["住房公积金提取（县级行使）"]
    assert top(idx, "gong ji jin ti qu") == ["住房公积金提取（县级行使）"]
    assert top(idx, "shebaoka") == ["社会保障卡补领、换领、换发"]  # a vocabulary word typed in pinyin
    assert pinyin.syllables("yiliaobaoxian") == ["yi", "liao", "bao", "xian"]
    assert pinyin.syllables("ktv") is None


def test_abbreviations_of_long_names_are_found():
    idx = index({})  # derived from the catalogue, not from the vocabulary
    assert "社会保障卡补领、换领、换发" in top(idx, "社保卡", 2)


def test_ranking_is_by_score_then_shorter_name_then_code():
    docs = [Document(3, "B", "婚姻登记"), Document(1, "A", "婚姻登记"), Document(2, "C", "婚姻登记补发证件")]
    _, matches = Index(docs).search("婚姻登记")
    assert [m.id for m in matches] == [1, 3, 2]


def test_filters_narrow_the_items_considered():
    _, matches = index().search("登记", allowed={1, 13})
    assert {m.id for m in matches} == {1, 13}


def test_a_long_query_is_cut_and_an_empty_one_finds_nothing():
    assert len(index().plan("办" * 500).text) == MAX_QUERY_LENGTH
    assert index().search("   怎么办？")[1] == []


def test_suggest_prefers_a_close_short_word_then_a_long_name():
    assert suggest("营业执造", ["营业执照", "企业设立登记"]) == "营业执照"
    assert suggest("道路挖掘许", ["城市道路挖掘许可证核发"]) == "城市道路挖掘许可证核发"
    assert suggest("完全无关", ["企业设立登记"]) == ""


def test_the_package_imports_no_django():
    code = ("import sys\nimport tongban.textmining.classifier, tongban.textmining.hotspots, tongban.textmining.search\n"
            "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
