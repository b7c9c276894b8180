"""Consistency checks for the demo 区域通办 catalogue (pure data, no Django needed)."""

from collections import Counter

import pytest

from tongban.demo.catalog_data import DEPARTMENTS, ITEMS, LEGAL_BASES, MATERIALS

ITEM_TYPES = {"行政许可", "行政确认", "行政给付", "行政裁决", "行政奖励", "其他行政权力", "公共服务"}
ITEM_CLASSES = {"高频便民事项", "政务服务事项"}
MODES = {"全程网办", "异地代收代办", "多地联办"}
MATERIAL_KINDS = {"原件", "复印件", "原件及复印件"}
MATERIAL_FORMS = {"纸质", "电子", "纸质或电子"}


def test_item_count():
    assert len(ITEMS) == 523


def test_class_split():
    counts = Counter(item[3] for item in ITEMS)
    assert counts == {"高频便民事项": 453, "政务服务事项": 70}


def test_item_tuples_have_twelve_fields():
    assert all(len(item) == 12 for item in ITEMS)


def test_item_names_unique_and_non_empty():
    names = [item[0] for item in ITEMS]
    assert all(name and name == name.strip() for name in names)
    duplicates = [name for name, n in Counter(names).items() if n > 1]
    assert duplicates == []


def test_department_keys_resolve():
    assert {item[1] for item in ITEMS} <= set(DEPARTMENTS)


def test_every_department_has_items():
    assert set(DEPARTMENTS) <= {item[1] for item in ITEMS}


def test_department_names_distinct_per_region():
    tongzhou = [names[0] for names in DEPARTMENTS.values()]
    langfang = [names[1] for names in DEPARTMENTS.values()]
    assert len(set(tongzhou)) == len(tongzhou)
    assert len(set(langfang)) == len(langfang)


def test_department_names_look_like_their_region():
    for tongzhou, langfang in DEPARTMENTS.values():
        assert tongzhou.startswith(("北京市", "北京", "国家税务总局北京市")) and "通州" in tongzhou
        assert "廊坊市" in langfang


def test_item_types_and_classes_valid():
    assert {item[2] for item in ITEMS} <= ITEM_TYPES
    assert {item[3] for item in ITEMS} <= ITEM_CLASSES


def test_time_limits():
    for item in ITEMS:
        legal, promised = item[4], item[5]
        assert isinstance(legal, int) and isinstance(promised, int), item[0]
        assert 0 <= promised <= legal, item[0]


def test_fee_text():
    assert all(isinstance(item[6], str) and item[6] for item in ITEMS)


def test_legal_basis_keys_resolve():
    assert {item[7] for item in ITEMS} <= set(LEGAL_BASES)
    assert all(text.startswith("《") for text in LEGAL_BASES.values())


def test_conditions_are_sentences():
    assert all(item[8] and item[8].endswith("。") for item in ITEMS)


def test_material_keys_resolve():
    for item in ITEMS:
        keys = item[9]
        assert isinstance(keys, tuple) and 1 <= len(keys) <= 6, item[0]
        assert len(set(keys)) == len(keys), item[0]
        assert set(keys) <= set(MATERIALS), item[0]


def test_materials_well_formed():
    for key, (name, kind, copies, form, e_licence, required) in MATERIALS.items():
        assert name, key
        assert kind in MATERIAL_KINDS, key
        assert isinstance(copies, int) and copies >= 1, key
        assert form in MATERIAL_FORMS, key
        assert isinstance(e_licence, bool) and isinstance(required, bool), key


def test_power_of_attorney_is_optional():
    assert MATERIALS["power_of_attorney"][5] is False


def test_modes_non_empty_and_valid():
    for item in ITEMS:
        modes = item[10]
        assert isinstance(modes, tuple) and modes, item[0]
        assert set(modes) <= MODES, item[0]
        assert len(set(modes)) == len(modes), item[0]


def test_keywords():
    for item in ITEMS:
        keywords = item[11]
        assert isinstance(keywords, tuple) and len(keywords) <= 3, item[0]
        assert all(isinstance(word, str) and word for word in keywords), item[0]


@pytest.mark.parametrize(
    "name",
    [
        "城乡居民基本养老保险参保登记", "异地就医登记备案", "住房公积金个人住房贷款", "企业设立登记",
        "食品经营许可证核发",
    ],
)
def test_reference_items_present(name):
    assert name in {item[0] for item in ITEMS}


def test_items_grouped_by_department():
    seen: list[str] = []
    for item in ITEMS:
        if not seen or seen[-1] != item[1]:
            assert item[1] not in seen, f"department {item[1]} appears in more than one block"
            seen.append(item[1])
