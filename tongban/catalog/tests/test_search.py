"""Chinese search: 2-character queries, synonyms, typos, one character, ranking, filters."""

import pytest

from tongban.catalog.models import Item
from tongban.catalog.search import search
from tongban.catalog.tests.helpers import item, load
from tongban.textmining.search import tokens


@pytest.fixture
def catalogue(regions):
    load(
        item("A1", "城乡居民基本养老保险参保登记"),
        item("A2", "失业保险金申领"),
        item("A3", "社会保障卡申领"),
        item("A4", "住房公积金个人住房贷款"),
        item("A5", "户口迁移（市内迁移）"),
        item("A6", "企业设立登记", market=True, item_type="行政许可", item_class="政务服务事项"),
        item("A7", "营业执照遗失补领", market=True, item_class="政务服务事项"),
        item("A8", "个体工商户注册登记", market=True, item_class="政务服务事项"),
        item("A9", "异地就医登记备案"),
        item("A10", "营业性演出许可", market=True, item_type="行政许可", item_class="政务服务事项"),
    )


def names(result):
    return [i.name for i in result.items]


def test_tokens_are_bigrams_of_chinese_runs():
    assert tokens("社会保险") == {"社会", "会保", "保险"}
    assert tokens("ABC 卡") == {"abc", "卡"}


def test_two_character_plain_word_finds_official_terms(catalogue):
    found = names(search("社保"))
    assert {"城乡居民基本养老保险参保登记", "失业保险金申领", "社会保障卡申领"} <= set(found)
    assert "企业设立登记" not in found


def test_household_registration_and_housing_fund(catalogue):
    assert names(search("户籍"))[0] == "户口迁移（市内迁移）"
    assert names(search("公积金")) == ["住房公积金个人住房贷款"]


def test_typo_still_finds_the_licence_and_suggests_the_right_word(catalogue):
    result = search("营业执造")  # 营业执照 in the vocabulary, one character mistyped
    assert names(result)[:2] == ["营业执照遗失补领", "企业设立登记"]
    assert result.suggestion == "营业执照"


def test_exact_name_ranks_before_partial_matches(catalogue):
    result = search("营业执照")
    assert result.complete
    assert names(result)[0] == "营业执照遗失补领"
    found = names(result)  # shares one bigram of three: below the item the vocabulary's 企业设立登记 brings
    assert "营业性演出许可" not in found or found.index("营业性演出许可") > found.index("企业设立登记")


def test_one_character_falls_back_to_substring(catalogue):
    assert set(names(search("户"))) == {"户口迁移（市内迁移）", "个体工商户注册登记"}


def test_empty_and_unmatched_queries_say_so(catalogue):
    assert search("   ").items == []
    assert search("怎么办？").items == []  # nothing but filler words
    result = search("火星移民签证")  # at most a stray character in common: not a good answer
    assert not result.complete


def test_full_width_and_case_are_normalised(catalogue):
    assert names(search("ＡＢＣ 社保")) == names(search("abc 社保"))


def test_filters_narrow_the_search(catalogue):
    base = Item.objects.filter(item_class="政务服务事项")
    assert "城乡居民基本养老保险参保登记" not in names(search("登记", base=base))
    assert "企业设立登记" in names(search("登记", base=base))


def test_reindex_after_rename_finds_the_new_name(catalogue):
    load(item("A2", "失业保险金申领（线上）", keywords=("失业金",)))
    assert names(search("失业金")) == ["失业保险金申领（线上）"]


def test_another_process_edit_is_seen_once_the_stamp_is_checked(catalogue, monkeypatch):
    from tongban.catalog import search as module
    from tongban.catalog.models import ItemVersion

    assert names(search("鲸鱼湾")) == []  # the index is built and cached
    # another process renames an item: its rows change, this process's write counter does not
    item_a2 = Item.objects.get(code="A2")
    Item.objects.filter(pk=item_a2.pk).update(name="鲸鱼湾渔船登记")
    ItemVersion.objects.create(item=item_a2, version=2, snapshot={}, source="import", changed_by="other")
    assert names(search("鲸鱼湾")) == []  # within FRESH_SECONDS this process may answer from its index
    monkeypatch.setattr(module, "FRESH_SECONDS", 0.0)
    assert names(search("鲸鱼湾")) == ["鲸鱼湾渔船登记"]


def test_the_command_prints_code_and_name_best_first(catalogue):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("catalog", "search", "社保卡丢了怎么补办", stdout=out)
    assert out.getvalue().splitlines()[0] == "A3\t社会保障卡申领"


@pytest.mark.parametrize("query", ["🙂" * 50, "<script>alert(1)</script>", "%_'\"\\", "a" * 500, "了的吗？"])
def test_odd_input_gets_an_answer_not_an_error(client, catalogue, query):
    assert isinstance(search(query).items, list)
    assert client.get("/items/", {"q": query}).status_code == 200


def test_a_nul_byte_is_refused_clearly(client, catalogue):
    assert isinstance(search("\x00社保").items, list)
    assert client.get("/items/", {"q": "\x00"}).status_code == 400  # refused before any view runs
