"""Catalogue search scoring without the database: tokens, weights, query parsing, ranking, "did you mean"."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

from tongban.textmining.search import (
    CONTEXT_WEIGHT,
    KEYWORD_WEIGHT,
    MAX_QUERY_LENGTH,
    NAME_WEIGHT,
    item_tokens,
    meaningful,
    needed_hits,
    normalise,
    parse_query,
    rank_key,
    suggest,
    tokens,
)


@dataclass
class FakeItem:
    name: str
    keywords: str = ""
    item_type: str = "行政许可"
    item_class: str = ""


def test_normalise_folds_width_and_case():
    assert normalise("  ＡＢＣ社保 ") == "abc社保"
    assert normalise(None) == ""


def test_tokens_are_bigrams_of_cjk_runs_and_whole_latin_words():
    assert tokens("社会保险") == {"社会", "会保", "保险"}
    assert tokens("ABC 卡") == {"abc", "卡"}
    assert tokens("abcdefghijk") == {"abcdefgh"}
    assert tokens("，。") == set()


def test_item_tokens_take_the_highest_field_weight_and_half_for_aliases():
    weights = item_tokens(FakeItem("企业设立登记", keywords="开办；登记"), ["市场监督管理局"])
    assert weights["企业"] == NAME_WEIGHT
    assert weights["登记"] == NAME_WEIGHT  # in the name and the keywords: the higher weight
    assert weights["开办"] == KEYWORD_WEIGHT
    assert weights["监督"] == CONTEXT_WEIGHT
    assert weights["执照"] == NAME_WEIGHT // 2  # 营业执照 is the plain word for 企业设立登记 (synonyms.py)


def test_parse_query_cuts_and_splits():
    text, terms, query_tokens = parse_query("  社保  卡 ")
    assert (text, terms, query_tokens) == ("社保  卡", ["社保", "卡"], {"社保", "卡"})
    assert len(parse_query("办" * 500)[0]) == MAX_QUERY_LENGTH
    assert parse_query("   ") == ("", [], set())


def test_single_characters_beside_longer_tokens_are_dropped_and_half_must_hit():
    assert meaningful({"社保", "卡"}) == {"社保"}
    assert meaningful({"卡"}) == {"卡"}
    assert needed_hits({"营业", "业执", "执造"}) == 2
    assert needed_hits({"社保"}) == 1


def test_rank_key_orders_by_hits_then_whole_terms_then_weight_then_length_then_code():
    rows = [
        {"item_id": 1, "item__code": "B", "item__name": "社会保险登记", "score": 8, "hits": 2},
        {"item_id": 2, "item__code": "A", "item__name": "社会保险登记", "score": 8, "hits": 2},
        {"item_id": 3, "item__code": "C", "item__name": "社保卡", "score": 4, "hits": 2},
        {"item_id": 4, "item__code": "D", "item__name": "社会保险", "score": 12, "hits": 3},
        {"item_id": 5, "item__code": "E", "item__name": "保险", "score": 9, "hits": 2},
    ]
    ranked = sorted(rows, key=lambda row: rank_key(row, ["社会保险"]))
    assert [row["item_id"] for row in ranked] == [4, 2, 1, 5, 3]


def test_suggest_prefers_a_close_short_word_then_a_long_name():
    assert suggest("营业执造", ["企业设立登记"]) == "营业执照"  # a synonym, compared whole
    assert suggest("道路挖掘许", ["城市道路挖掘许可证核发"]) == "城市道路挖掘许可证核发"  # a long name containing it
    assert suggest("完全无关", ["企业设立登记"]) == ""


def test_the_package_imports_no_django():
    code = ("import sys\nimport tongban.textmining.classifier, tongban.textmining.hotspots, tongban.textmining.search\n"
            "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
