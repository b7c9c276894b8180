"""Search over the real demo catalogue: what a citizen types finds what they mean.

The expected lists are fixed, and this module runs on SQLite and on PostgreSQL in CI: both databases
must return exactly these items in exactly this order.
"""

import pytest

from tongban.catalog.search import search

EXPECTED_TOP = {
    "社保": ["社会保障卡申领", "社会保障卡解挂", "社会保障卡补领"],
    "公积金": ["住房公积金汇缴", "住房公积金补缴", "租房提取住房公积金"],
    "户籍": ["户口恢复", "收养落户", "居民户口簿补领"],
    "营业执造": ["营业执照遗失补领、换发", "企业设立登记", "企业变更登记"],
    "异地就医": ["异地就医登记备案", "异地就医备案变更", "异地就医备案取消"],
    "开公司": ["企业设立登记", "分公司设立登记"],
}


@pytest.mark.parametrize("query", EXPECTED_TOP)
def test_plain_words_and_typos_rank_the_same_everywhere(demo, query):
    names = [item.name for item in search(query).items]
    assert names[: len(EXPECTED_TOP[query])] == EXPECTED_TOP[query]


def test_two_character_queries_find_many_relevant_items(demo):
    for query, must_contain in (("社保", "保险"), ("医保", "医")):
        names = [item.name for item in search(query).items]
        assert len(names) >= 10
        assert sum(must_contain in name or "社会保障卡" in name for name in names) >= 10


def test_typo_offers_the_right_word(demo):
    assert search("营业执造").suggestion == "营业执照"
    assert search("公积金").suggestion == ""
