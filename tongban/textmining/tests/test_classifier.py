"""The learned dispatch model (`tongban.textmining.classifier`): what an operator or the dispatch code would notice.

No database. The synthetic corpus below is written here; the real hotline file is read in place from
../shared/data (the test skips without it) and never copied.
"""

from __future__ import annotations

import csv
import io
import json
import pickle
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from tongban.textmining import classifier
from tongban.textmining.classifier import Classifier, ModelFormatError, Suggestion, TrainingError

NOISE = [
    "小区旁边工地夜间施工噪音太大\n每天晚上十一点以后还在打桩，吵得居民无法入睡。",
    "楼下烧烤店深夜噪音扰民\n凌晨两点还有人喝酒划拳，声音很大，严重影响休息。",
    "广场舞音响声音太吵\n每天晚上广场舞音响开到最大，噪音扰民，老人孩子睡不着。",
    "夜间施工噪音扰民\n附近工地晚上施工，机器轰鸣，噪音严重超标。",
    "酒吧噪音扰民问题\n小区门口酒吧音乐声很大，一直吵到凌晨。",
    "装修噪音影响休息\n楼上业主周末一大早就电钻装修，噪音太大。",
    "马路上汽车鸣笛噪音大\n夜里改装车轰油门，噪音吵得人睡不着觉。",
    "商铺高音喇叭扰民\n店门口喇叭循环播放广告，声音太吵，噪音扰民。",
    "渣土车夜间运输噪音\n渣土车半夜来回拉土，轰鸣声很大，吵醒居民。",
    "KTV噪音扰民请求处理\n楼下KTV唱歌声音很大，半夜还在吵闹。",
    "工厂机器噪音大\n附近工厂二十四小时开机，机器噪音很吵，请求治理。",
    "小区空调外机噪音\n邻居空调外机噪音太大，晚上嗡嗡响，无法入睡。",
    "施工单位违规夜间作业\n工地夜间作业噪音扰民，多次反映没有人管。",
    "菜市场早上噪音太吵\n凌晨四点菜市场卸货吵闹，噪音影响周边居民。",
    "广场音乐声太大\n晚上广场播放音乐声音太大，吵得孩子无法学习。",
]
HEATING = [
    "小区暖气不热\n入冬以来家里暖气一直不热，室内温度只有十四度。",
    "供暖温度不达标\n我家暖气片冰凉，室温太低，老人孩子受冻。",
    "什么时候开始集中供暖\n天气已经很冷了，小区还没有开始供暖，希望尽快供热。",
    "暖气费收了却不供暖\n交了取暖费，暖气还是不热，供热公司不管。",
    "供热管道漏水暖气停了\n楼里供热管道破裂，整栋楼暖气停了三天。",
    "老旧小区没有暖气\n我们小区一直没有集中供暖，冬天特别冷，希望接入供热管网。",
    "暖气片不热请求维修\n暖气片上面热下面凉，请供热公司上门检修。",
    "供暖期室温太低\n供暖已经开始一个月，室内温度还是不到十八度。",
    "取暖费收费标准问题\n今年取暖费涨价了，暖气却比去年还冷。",
    "暖气阀门坏了没人修\n家里暖气阀门漏水，打供热公司电话没人接。",
    "新小区何时通暖气\n新房交房两年了，还没有通暖气，冬天只能开空调取暖。",
    "热力公司供暖不热\n热力公司供暖温度太低，家里冷得要穿棉袄。",
    "暖气停供没有通知\n昨天突然停暖气，没有任何通知，家里很冷。",
    "申请延长供暖时间\n今年天气冷得早，希望提前开始供暖，延长供热时间。",
    "暖气管道堵塞不热\n暖气管道堵了，屋里暖气一点都不热。",
]
SOCIAL = [
    "社保缴费年限怎么查询\n我想查询自己的社保缴费年限，请问在哪里办理。",
    "单位不给员工交社保\n公司入职一年了一直没有给我缴纳社会保险。",
    "养老保险转移接续问题\n从外地调回来，养老保险关系转移手续怎么办理。",
    "退休养老金计算有误\n我的退休养老金比同事少很多，怀疑社保缴费基数算错了。",
    "失业保险金如何申领\n我被公司辞退了，请问失业保险金怎么申请领取。",
    "医保报销比例问题\n住院费用医保报销比例太低，想了解社保政策。",
    "灵活就业人员社保缴费\n个体户怎么缴纳养老保险和医疗保险。",
    "社保卡办理进度\n社保卡申请一个月了还没有拿到，请问进度。",
    "公司拖欠社保费用\n单位拖欠员工社保半年，影响医保报销。",
    "养老保险补缴政策\n以前断缴的养老保险能不能补缴，需要什么材料。",
    "社保断缴影响买房\n公司换了以后社保断缴两个月，影响购房资格。",
    "工伤保险待遇申请\n上班时受伤，单位不给申报工伤保险。",
    "城乡居民养老保险缴费\n农村老人参加城乡居民养老保险，每年缴多少钱。",
    "退休人员社保认证\n退休人员养老金资格认证在哪里办理。",
    "社保个人账户余额查询\n想查社保个人账户里面还有多少钱。",
]
CORPUS = [(t, "噪音") for t in NOISE] + [(t, "供暖") for t in HEATING] + [(t, "社保") for t in SOCIAL]


@pytest.fixture(scope="module")
def model() -> Classifier:
    texts, labels = zip(*CORPUS, strict=True)
    return classifier.train(list(texts), list(labels))


@pytest.mark.parametrize(("text", "expected"), [
    ("隔壁工地晚上施工太吵了\n半夜还在施工，噪音让人睡不着。", "噪音"),
    ("家里暖气不热\n屋里太冷了，暖气片是凉的，请供热公司处理。", "供暖"),
    ("公司不交社保怎么办\n单位一直不给缴纳养老保险和医疗保险。", "社保"),
    ("晚上噪音扰民", "噪音"),
    ("暖气什么时候供热", "供暖"),
    ("养老保险怎么缴费", "社保"),
])
def test_unseen_complaints_go_to_the_right_category_first(model, text, expected):
    top = model.predict_top(text, k=3)
    assert top[0].label == expected
    assert top[0].confidence > top[1].confidence


def test_top3_is_three_distinct_labels_with_descending_probabilities(model):
    top = model.predict_top("小区夜间施工噪音太大，暖气也不热", k=3)
    assert len(top) == 3 and {s.label for s in top} == {"噪音", "供暖", "社保"}
    confidences = [s.confidence for s in top]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert sum(confidences) <= 1.0 + 1e-6
    assert isinstance(top[0], Suggestion)


def test_clear_cases_are_confident_and_k_is_capped(model):
    clear = model.predict_top("暖气不热，供暖温度太低，室温只有十四度", k=10)
    assert len(clear) == 3  # never more suggestions than labels
    assert clear[0].label == "供暖" and clear[0].confidence > 0.5


def test_predict_many_matches_predict_top_and_keeps_one_row_per_text(model):
    texts = ["晚上噪音扰民", "", "养老保险怎么缴费", "   "]
    many = model.predict_many(texts, k=2)
    assert len(many) == 4 and all(len(row) == 2 for row in many)
    assert many[0] == model.predict_top(texts[0], k=2)
    assert many[2] == model.predict_top(texts[2], k=2)
    assert model.predict_many([]) == []


def test_meta_describes_the_training_and_is_json(model):
    meta = json.loads(json.dumps(model.meta))  # goes into a JSONField as is
    assert meta["n_samples"] == 45 and meta["n_classes"] == 3
    assert meta["class_counts"] == {"供暖": 15, "噪音": 15, "社保": 15}
    assert meta["algorithm"] == classifier.ALGORITHM
    assert meta["input"] == "subject+detail"
    assert "scikit-learn" in meta["versions"] and meta["trained_at"].startswith("20")
    assert model.labels == ["供暖", "噪音", "社保"]


def test_dumps_loads_round_trip_gives_identical_predictions(model):
    blob = model.dumps()
    assert blob.startswith(classifier.MAGIC)
    again = Classifier.loads(blob)
    texts = [t for t, _ in CORPUS[::4]] + ["夜里工地打桩太吵", "社保卡丢了怎么补办", "暖气漏水"]
    assert again.labels == model.labels
    assert again.meta == model.meta
    assert again.predict_many(texts, k=3) == model.predict_many(texts, k=3)
    assert Classifier.loads(memoryview(blob)).predict_top(texts[0]) == model.predict_top(texts[0])


@pytest.mark.parametrize("data", [b"", b"garbage", b"PK\x03\x04" + b"\x00" * 100,
                                  pickle.dumps({"labels": ["a", "b"]})])
def test_loads_rejects_bytes_that_are_not_a_model(data):
    with pytest.raises(ModelFormatError, match="不是通办派单模型"):
        Classifier.loads(data)


def test_loads_rejects_other_format_versions_and_truncated_models(model):
    blob = model.dumps()
    header = classifier.MAGIC + classifier._HEADER.pack(99, 2) + b"{}"
    with pytest.raises(ModelFormatError, match="版本 99"):
        Classifier.loads(header)
    with pytest.raises(ModelFormatError, match="损坏"):
        Classifier.loads(blob[: len(blob) // 2])
    assert issubclass(ModelFormatError, TrainingError) and issubclass(TrainingError, ValueError)


def test_loads_never_unpickles(tmp_path, model):
    """A blob with our header but a pickle where the arrays should be is refused, and the pickle never runs."""
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    body = json.dumps({"labels": [], "meta": {}, "views": [], "temperature": 1.0, "n_features": 1}).encode()
    blob = classifier.MAGIC + classifier._HEADER.pack(classifier.FORMAT_VERSION, len(body)) + body
    with pytest.raises(ModelFormatError):
        Classifier.loads(blob + pickle.dumps(Evil()))
    member = io.BytesIO()
    np.save(member, np.array([Evil()], dtype=object), allow_pickle=True)  # an .npy whose data is a pickle
    with zipfile.ZipFile(tmp_path / "x.npz", "w") as npz:
        npz.writestr("coef.npy", member.getvalue())
    with pytest.raises(ModelFormatError):
        Classifier.loads(blob + (tmp_path / "x.npz").read_bytes())
    assert not marker.exists()


def test_train_refuses_unusable_input_with_chinese_messages():
    with pytest.raises(TrainingError, match="没有训练数据"):
        classifier.train([], [])
    with pytest.raises(TrainingError, match="数量不一致"):
        classifier.train(["暖气不热", "噪音扰民"], ["供暖"])
    with pytest.raises(TrainingError, match="只有一个类别"):
        classifier.train(["暖气不热", "暖气不热了", "供暖温度低"], ["供暖"] * 3)
    with pytest.raises(TrainingError, match="没有剩下"):
        classifier.train(["", "  ", "\n"], ["供暖", "噪音", "社保"])
    with pytest.raises(TrainingError, match="只有一个类别"):  # the other class only had an empty text
        classifier.train(["暖气不热", "   "], ["供暖", "噪音"])


def test_empty_texts_are_dropped_and_counted():
    texts, labels = zip(*CORPUS, strict=True)
    m = classifier.train([*texts, "", "   "], [*labels, "噪音", "供暖"])
    assert m.meta["n_samples"] == 45 and m.meta["dropped"] == 2


def test_a_class_with_a_single_example_trains_and_can_be_suggested():
    texts, labels = zip(*CORPUS, strict=True)
    m = classifier.train([*texts, "路灯坏了好几天没人修\n小区门口路灯不亮，晚上走路看不见。"], [*labels, "市政"])
    assert m.meta["class_counts"]["市政"] == 1 and "市政" in m.labels
    top = m.predict_top("路灯坏了", k=4)
    assert len(top) == 4 and abs(sum(s.confidence for s in top) - 1.0) < 1e-5
    assert "市政" in [s.label for s in top[:2]]


def test_subject_only_models_accept_texts_with_a_newline():
    texts, labels = zip(*CORPUS, strict=True)
    m = classifier.train([t.partition("\n")[0] for t in texts], list(labels))
    assert m.meta["input"] == "subject"
    assert m.predict_top("晚上噪音扰民\n吵得睡不着")[0].label == "噪音"
    assert m.predict_top("养老保险缴费")[0].label == "社保"


def test_cross_validate_reports_means_and_folds():
    texts, labels = zip(*CORPUS, strict=True)
    r = classifier.cross_validate(list(texts), list(labels), folds=3, seed=1)
    assert len(r["macro_f1_folds"]) == 3 and len(r["accuracy_folds"]) == 3
    assert r["macro_f1"] == pytest.approx(sum(r["macro_f1_folds"]) / 3)
    assert r["accuracy"] > 0.8  # 45 easy messages
    assert 0.0 <= r["ece"] <= 1.0


def test_jieba_stays_quiet_on_first_use():
    code = ("from tongban.textmining import classifier as c\n"
            "texts = ['晚上噪音扰民\\n吵', '暖气不热\\n冷', '噪音很大\\n吵闹', '暖气停了\\n冷']\n"
            "m = c.train(texts, ['噪音', '供暖'] * 2)\n"
            "print(m.predict_top('噪音')[0].label)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "噪音"
    assert out.stderr == ""


# --------------------------------------------------------------------------------------------------------
# read_table


def _write_csv(path, rows, encoding):
    with path.open("w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(rows)


ROWS = [["编号", "标题", "内容", "类别"],
        ["1", "夜间施工噪音", "工地晚上\n还在施工", "噪音"],
        ["2", "暖气不热", "室温只有十四度", "供暖"],
        ["3", "多行\n标题", "", "社保"]]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_read_table_csv_in_utf8_and_gb18030(tmp_path, encoding):
    path = tmp_path / "train.csv"
    _write_csv(path, ROWS, encoding)
    texts, labels = classifier.read_table(path, ["标题", "内容"], "类别")
    assert texts == ["夜间施工噪音\n工地晚上\n还在施工", "暖气不热\n室温只有十四度", "多行 标题\n"]
    assert labels == ["噪音", "供暖", "社保"]
    texts, no_labels = classifier.read_table(path, "标题")
    assert texts[1] == "暖气不热" and no_labels is None


def test_read_table_xlsx(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in [*ROWS, [4, 12345, None, "噪音"]]:
        sheet.append(row)
    path = tmp_path / "train.xlsx"
    book.save(path)
    texts, labels = classifier.read_table(path, ["标题", "内容"], "类别")
    assert texts[:2] == ["夜间施工噪音\n工地晚上\n还在施工", "暖气不热\n室温只有十四度"]
    assert texts[3] == "12345\n" and labels == ["噪音", "供暖", "社保", "噪音"]


def test_read_table_missing_column_names_it_and_lists_the_columns(tmp_path):
    path = tmp_path / "train.csv"
    _write_csv(path, ROWS, "utf-8")
    with pytest.raises(TrainingError) as err:
        classifier.read_table(path, ["标题", "内容"], "label")
    assert str(err.value) == "训练文件缺少列“label”；文件中的列：编号, 标题, 内容, 类别"
    with pytest.raises(TrainingError, match="“subject”、“detail”"):
        classifier.read_table(path, ["subject", "detail"], "类别")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "无法读取 Excel"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "xls"),
    ("empty.csv", b"", "没有表头"),
    ("binary.csv", b"a,b\x00,c\n", "不是文本"),
])
def test_read_table_rejects_malformed_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TrainingError, match=message):
        classifier.read_table(path, "a", "b")


def test_read_table_missing_file(tmp_path):
    with pytest.raises(TrainingError, match="找不到文件"):
        classifier.read_table(tmp_path / "nope.csv", "a")


# --------------------------------------------------------------------------------------------------------
# Real hotline messages (../shared/data; skipped when absent)


@pytest.mark.slow
def test_on_real_messages_beats_the_char_tfidf_linearsvc_baseline_on_subjects():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    from testsupport.data import shared_file

    path = shared_file("hotline", "messages_dev.csv")

    class Baseline:
        def __init__(self, texts, labels, *, seed=0):
            self.pipe = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)),
                                      LinearSVC(random_state=seed)).fit(texts, labels)

        def predict_many(self, texts, k=1):
            return [[Suggestion(label, 1.0)] for label in self.pipe.predict(texts)]

    subjects, labels = classifier.read_table(path, "subject", "label")
    ours = classifier.cross_validate(subjects, labels, folds=5, seed=0)
    base = classifier.cross_validate(subjects, labels, folds=5, seed=0, make=Baseline)
    assert ours["macro_f1"] >= base["macro_f1"], (ours["macro_f1"], base["macro_f1"])
    assert ours["accuracy"] >= base["accuracy"]
