"""Duplicate and hot-issue detection (textmining.hotspots): grouping, ranking, places, intake; no database.

Every text here is made up for the tests; the one test on the real export skips when it is absent.
"""

from __future__ import annotations

import math
import re
import time
from datetime import datetime, timedelta

import numpy as np
import pytest

from tongban.textmining import hotspots
from tongban.textmining.hotspots import Message, extract_place, find_similar, group, hot_issues, parse_time

T0 = datetime(2024, 5, 6, 9, 30)

# One estate, two problems (parking fees, night works), within a week; and five unrelated messages —
# among them the parking complaint word for word, but about another estate.
PARKING = {
    "p1": "A市A3区青松里小区物业乱收停车费\n青松里小区物业从本月起每月向业主收取300元地面停车费，没有公示，"
          "也没有收费许可，请有关部门查处。",
    "p2": "投诉青松里小区物业乱收停车费\n我是A3区青松里小区业主，物业擅自收取每月300元地面停车费，没有公示，"
          "未经业主大会同意，请求查处。",
    "p3": "青松里小区物业乱收地面停车费\n青松里小区物业突然每月收取300元地面停车费，没有公示也没有业主大会表决，"
          "希望有关部门查处。",
}
NOISE = {
    "n1": "A3区青松里小区旁工地夜间施工噪音扰民\n青松里小区东侧的建筑工地每天晚上施工到凌晨两点，打桩噪音巨大，"
          "居民无法入睡。",
    "n2": "青松里小区旁工地夜间施工噪音太大\n青松里小区东侧工地每天夜间施工到凌晨，打桩噪音严重影响居民休息。",
    "n3": "投诉青松里小区旁工地夜间施工扰民\n青松里小区东侧工地深夜打桩施工，噪音扰民一个多月了，请求制止夜间施工。",
}
UNRELATED = {
    "u1": "翠湖花园小区物业乱收停车费\nA5区翠湖花园小区物业每月收取地面停车费300元，没有公示，请有关部门查处。",
    "u2": "咨询社保卡补办流程\n我的社保卡丢失了，请问在A市补办社保卡需要带哪些材料，多久可以拿到新卡？",
    "u3": "建议增开A市至高铁站的公交线路\n目前从城东到高铁站只有一趟公交车，高峰期非常拥挤，"
          "建议增开公交线路或者加密班次。",
    "u4": "K8县育才中学违规收取补课费\n育才中学暑假组织学生补课，每人收取1500元补课费，家长意见很大，属于违规收费。",
    "u5": "A2区柏林路路灯坏了很久没人修\n柏林路从十字路口到桥头一段路灯已经坏了两个月，晚上出行很不安全。",
}
# Two topics of four messages each, for the ranking tests.
GARBAGE = [
    "青松路垃圾中转站臭气熏天\n青松路垃圾中转站每天散发恶臭，周边居民夏天不敢开窗，请尽快整改。",
    "投诉青松路垃圾中转站臭气熏天\n青松路垃圾中转站长期散发恶臭，周边居民不敢开窗，请环卫部门尽快整改。",
    "反映青松路垃圾中转站恶臭问题\n青松路垃圾中转站每天散发恶臭，夏天更严重，周边居民不敢开窗。",
    "青松路垃圾中转站恶臭扰民\n青松路垃圾中转站散发恶臭，周边居民苦不堪言，请尽快整改或搬迁。",
]
BUS = [
    "建议延长368路公交末班车时间\n368路公交末班车晚上八点就停运，下夜班的职工无法坐车回家，建议延长到十点。",
    "368路公交末班车太早了\n368路公交末班车八点就停运，很多下夜班的职工无法坐车回家，希望延长末班车时间。",
    "请延长368路公交末班车运营时间\n368路末班车晚上八点停运太早，下夜班职工回家不便，建议延长到晚上十点。",
    "关于368路公交末班车时间的建议\n368路公交晚上八点末班车停运，下夜班的职工没车回家，建议末班车延长到十点。",
]


def messages(texts: dict[str, str], start: datetime = T0, step: timedelta = timedelta(hours=13)) -> list[Message]:
    return [Message(id=key, text=text, time=start + i * step) for i, (key, text) in enumerate(texts.items())]


def topic(prefix: str, texts: list[str], last: datetime, *, support: int = 0, against: int = 0) -> list[Message]:
    """`texts` as messages a day apart ending at `last`; the first carries all the likes and dislikes."""
    n = len(texts)
    return [Message(id=f"{prefix}{i}", text=text, time=last - timedelta(days=n - 1 - i),
                    support=support if i == 0 else 0, against=against if i == 0 else 0)
            for i, text in enumerate(texts)]


def id_groups(items: list[Message], **kw) -> list[set[str]]:
    return [{items[i].id for i in cluster} for cluster in group(items, **kw)]


# ---------------------------------------------------------------------------------------- grouping

def test_groups_the_duplicates_and_not_the_unrelated():
    items = messages({**PARKING, **NOISE, **UNRELATED})
    groups = id_groups(items)
    assert set(PARKING) in groups
    assert set(NOISE) in groups
    # Everything else alone, including the same parking complaint about another estate.
    assert all(len(g) == 1 for g in groups if g not in (set(PARKING), set(NOISE)))
    assert sorted(i for g in groups for i in g) == sorted(m.id for m in items)


def test_the_same_place_alone_does_not_merge_two_problems():
    items = messages({**PARKING, **NOISE})
    assert sorted(map(len, id_groups(items))) == [3, 3]


def test_same_text_far_apart_in_time_is_not_grouped():
    text = GARBAGE[0]
    items = [Message("a", text, T0), Message("b", text, T0 + timedelta(days=200))]
    assert id_groups(items, window_days=30) == [{"a"}, {"b"}]
    assert id_groups(items, window_days=365) == [{"a", "b"}]  # the window alone kept them apart


def test_a_shared_place_lowers_the_bar_and_different_places_raise_it():
    a = Message("a", "青松里小区停车位被外来车辆占用\n青松里小区的地面车位经常被外来车辆占满，"
                     "业主下班回来没有地方停车。", T0)
    b = Message("b", "青松里小区外来车辆乱停\n外面的车随便开进青松里小区停放，业主自己的车反而找不到车位。", T0)
    (_, sim), = find_similar(b.text, b.time, [a])
    assert hotspots.THRESHOLD - hotspots.PLACE_BONUS <= sim < hotspots.THRESHOLD
    assert id_groups([a, b]) == [{"a", "b"}]
    assert id_groups([a, b], place_bonus=0) == [{"a"}, {"b"}]
    # The same parking complaint about another estate is another issue.
    other_estate = messages({"p1": PARKING["p1"], "u1": UNRELATED["u1"]})
    assert id_groups(other_estate) == [{"p1"}, {"u1"}]
    assert id_groups(other_estate, place_conflict=0) == [{"p1", "u1"}]


def test_a_chain_of_each_a_bit_like_the_next_does_not_become_one_cluster():
    words = ["苹果", "香蕉", "橙子", "葡萄", "西瓜", "菠萝", "芒果", "草莓", "樱桃", "柠檬", "荔枝", "龙眼", "石榴",
             "柿饼", "杨梅", "椰汁"]
    chain = [Message(str(k), "".join(words[k:k + 3]), T0 + timedelta(hours=k)) for k in range(len(words) - 2)]
    assert len(group(chain, centroid_ratio=0)[0]) == len(chain)  # plain single linkage chains them all
    assert max(map(len, group(chain))) <= len(chain) // 2


def test_max_cluster_caps_a_cluster():
    items = [Message(str(i), GARBAGE[i % 4], T0 + timedelta(hours=i)) for i in range(10)]
    assert [len(c) for c in group(items)] == [10]
    assert max(len(c) for c in group(items, max_cluster=4)) <= 4


def test_caller_given_place_counts_as_the_place():
    a = Message("a", "停车费太贵\n物业每月收取300元停车费，没有任何公示。", T0, place="青松里小区")
    b = Message("b", "停车费又涨了\n物业每月收取的停车费涨到300元，没有任何公示。", T0, place="青松里小区")
    issue, = hot_issues([a, b])
    assert issue.place == "青松里小区"
    assert id_groups([a, b], place_bonus=0) == [{"a"}, {"b"}]  # together only thanks to the place


def test_empty_input():
    assert group([]) == []
    assert hot_issues([]) == []
    assert find_similar(PARKING["p1"], T0, []) == []
    assert find_similar("", T0, messages(PARKING)) == []
    assert id_groups([Message("e", "", T0), Message("f", "！？", T0)]) == [{"e"}, {"f"}]


# ----------------------------------------------------------------------------------------- ranking

def ranked_ids(issues: list[hotspots.HotIssue]) -> list[str]:
    return [issue.member_ids[0][0] for issue in issues]


def test_ranking_prefers_the_bigger_issue():
    items = topic("g", GARBAGE[:4], T0) + topic("b", BUS[:2], T0)
    issues = hot_issues(items)
    assert ranked_ids(issues) == ["g", "b"]
    assert [issue.count for issue in issues] == [4, 2]


def test_ranking_prefers_the_more_recent_issue_and_halves_per_half_life():
    items = topic("g", GARBAGE[:3], T0) + topic("b", BUS[:3], T0 - timedelta(days=30))
    garbage, bus = hot_issues(items, half_life_days=30)
    assert (garbage.member_ids[0][0], bus.member_ids[0][0]) == ("g", "b")
    assert bus.score / garbage.score == pytest.approx(0.5)
    # As of 30 days earlier the bus issue was the current one.
    assert ranked_ids(hot_issues(items, now=T0 - timedelta(days=30))) == ["b", "g"]


def test_ranking_prefers_the_more_supported_issue():
    items = topic("g", GARBAGE[:3], T0) + topic("b", BUS[:3], T0, support=30)
    assert ranked_ids(hot_issues(items)) == ["b", "g"]
    # Dislikes take back part of the support.
    items = topic("g", GARBAGE[:3], T0, support=10) + topic("b", BUS[:3], T0, support=10, against=16)
    assert ranked_ids(hot_issues(items)) == ["g", "b"]


def test_score_formula_and_issue_fields():
    items = topic("g", GARBAGE[:2], T0, support=4, against=2)
    issue, = hot_issues(items)
    assert issue.score == pytest.approx(math.log(3) * (1 + 0.25 * math.log(1 + 4 - 0.5 * 2)))
    assert (issue.count, issue.support, issue.against) == (2, 4, 2)
    assert (issue.first_seen, issue.last_seen) == (T0 - timedelta(days=1), T0)
    assert sorted(issue.member_ids) == ["g0", "g1"]
    assert issue.place == "青松路"
    assert issue.title in {text.split("\n")[0] for text in GARBAGE[:2]}


def test_min_count_and_singletons():
    items = topic("g", GARBAGE[:2], T0) + [Message("x", UNRELATED["u2"], T0)]
    assert [issue.count for issue in hot_issues(items)] == [2]
    assert sorted(issue.count for issue in hot_issues(items, min_count=1)) == [1, 2]
    with pytest.raises(ValueError):
        hot_issues(items, half_life_days=0)


# ---------------------------------------------------------------------------------------- intake

def test_find_similar_returns_the_duplicate_first():
    candidates = messages({**PARKING, **NOISE, **UNRELATED})
    new = "青松里小区旁工地晚上施工噪音扰民\n青松里小区东侧工地夜间打桩施工到凌晨，噪音太大，居民无法休息。"
    found = find_similar(new, T0 + timedelta(days=5), candidates)
    assert found and found[0][0] in NOISE
    assert {key for key, _ in found} <= set(NOISE)
    assert [sim for _, sim in found] == sorted((sim for _, sim in found), reverse=True)
    assert len(find_similar(new, T0 + timedelta(days=5), candidates, k=1)) == 1


def test_find_similar_returns_nothing_for_an_unrelated_text_or_an_old_duplicate():
    candidates = messages({**PARKING, **NOISE, **UNRELATED})
    assert find_similar("咨询公积金贷款额度\n请问首套房公积金贷款最多可以贷多少？", T0, candidates) == []
    assert find_similar(PARKING["p2"], T0 + timedelta(days=200), candidates) == []


def test_find_similar_agrees_with_group():
    candidates = messages({**PARKING, **UNRELATED})
    found = find_similar(PARKING["p1"], T0, [m for m in candidates if m.id != "p1"])
    assert {key for key, _ in found} == {"p2", "p3"}


# ---------------------------------------------------------------------------------- places, times

@pytest.mark.parametrize(("text", "place"), [
    ("A3区青松里小区停车难", "青松里小区"),
    ("K8县清水镇桂香村修路", "桂香村"),
    ("A市A3区", ""),
    ("西地省A市K8县", ""),
    ("投诉南湖苑物业", "南湖苑"),
    ("A2区柏林路银杏湾小区经常停水", "银杏湾小区"),        # the estate, not the road before it
    ("A5区红枫街道金穗社区", "金穗社区"),
    ("K8县育才中学违规补课", "育才中学"),
    ("A市柏林路路灯坏了", "柏林路"),
    ("我们小区的老旧小区改造", ""),                        # no name, only generic words
    ("高中学生补课太多", ""),
    ("停车难\n我住在A3区青松里小区，每天找不到车位", "青松里小区"),  # found in the detail
])
def test_extract_place(text, place):
    assert extract_place(text) == place


@pytest.mark.parametrize(("value", "expected"), [
    ("2019/2/28 11:25:05", datetime(2019, 2, 28, 11, 25, 5)),
    ("2019-08-28 09:30:20", datetime(2019, 8, 28, 9, 30, 20)),
    ("2019/12/5 7:08:03", datetime(2019, 12, 5, 7, 8, 3)),
    (" 2019/2/28  11:25 ", datetime(2019, 2, 28, 11, 25)),
    ("2019/2/28", datetime(2019, 2, 28)),
    ("2019年2月28日", datetime(2019, 2, 28)),
    ("2019-02-28T11:25:05", datetime(2019, 2, 28, 11, 25, 5)),
])
def test_parse_time(value, expected):
    assert parse_time(value) == expected


def test_parse_time_rejects_garbage():
    with pytest.raises(ValueError):
        parse_time("去年春天")


def test_read_messages(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("留言编号,留言用户,留言主题,留言时间,留言详情,反对数,点赞数\n"
                    "1,u1,青松路垃圾站臭,2024/5/6 9:30:00,每天都臭,1,3\n"
                    "2,u2,坏行,不是时间,详情,0,0\n", encoding="utf-8")
    message, = hotspots.read_messages(path)
    assert message == Message("1", "青松路垃圾站臭\n每天都臭", T0, support=3, against=1)


def test_vectorise_matches_sklearn_on_plain_text():
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [re.sub(r"\W", "", text.lower()) for text in [*PARKING.values(), *NOISE.values(), *GARBAGE, *BUS]]
    ours, _ = hotspots._vectorise(docs, max_df=1.0)
    theirs = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True).fit_transform(docs)
    a, b = (ours @ ours.T).toarray(), (theirs @ theirs.T).toarray()
    np.fill_diagonal(a, 0)  # our rows keep unshared n-grams in their norm only: same cosines off the diagonal
    np.fill_diagonal(b, 0)
    assert np.abs(a - b).max() < 1e-5


# -------------------------------------------------------------------------------------- real data

@pytest.mark.slow
def test_real_export_groups_quickly_with_a_real_top_issue():
    from testsupport.data import shared_file

    items = hotspots.read_messages(shared_file("hotline", "hot_topics.csv"))
    assert len(items) > 4000
    started = time.perf_counter()
    clusters = group(items)
    seconds = time.perf_counter() - started
    assert sorted(i for cluster in clusters for i in cluster) == list(range(len(items)))
    assert len(clusters[0]) >= 5
    assert max(map(len, clusters)) < len(items) // 20  # no giant chained cluster
    assert seconds < 60, f"grouping {len(items)} messages took {seconds:.1f} s"
    top = hot_issues(items)[0]
    assert top.count >= 5
