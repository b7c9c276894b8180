"""`tongban dispatch train|predict|models`: versions, the operators' dispatches as feedback, bad files."""

from __future__ import annotations

import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tongban.hotline import actions, dispatch
from tongban.hotline.models import Category, DispatchModel

from .conftest import register

pytestmark = pytest.mark.django_db

ROWS = [(f"{place}{problem}", label)
        for label, problems in {
            "环境保护": ["工地夜间施工噪音扰民", "餐馆油烟直排", "河道污水发臭", "垃圾站臭味熏天", "工厂排放废气"],
            "城乡建设": ["小区电梯停运物业不修", "楼道墙皮脱落", "开发商延期交房", "房产证办不下来", "小区路灯损坏"],
            "交通运输": ["公交车长时间不来", "出租车拒载绕路", "路口红绿灯太短", "道路坑洼不平", "违章停车堵路"],
        }.items()
        for problem in problems for place in ("幸福里小区", "运河花园", "玉桥东里", "梨园北街")]


def write(path, rows, header=("subject", "detail", "label")):
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(*args) -> str:
    out = StringIO()
    call_command("dispatch", *args, stdout=out)
    return out.getvalue()


def test_train_predict_and_versions(hl, tmp_path):
    history = write(tmp_path / "history.csv", [(text, "请尽快处理", label) for text, label in ROWS])
    assert "派单模型 v1" in run("train", str(history), "--text-col", "subject+detail", "--label-col", "label")
    row = DispatchModel.objects.get()
    assert sorted(row.labels) == ["交通运输", "城乡建设", "环境保护"] and row.n_samples == len(ROWS)
    assert Category.objects.filter(name="交通运输").exists()  # a new label becomes a category

    new = write(tmp_path / "new.csv", [("翠屏北里工地夜间施工噪音扰民", "半夜还在施工"),
                                       ("翠屏北里公交车长时间不来", "等了一小时")], header=("subject", "detail"))
    out = tmp_path / "out.csv"
    assert "已预测 2 行" in run("predict", str(new), "--text-col", "subject+detail", "--out", str(out))
    with open(out, encoding="utf-8-sig") as f:
        predicted = list(csv.DictReader(f))
    assert [p["predicted_label"] for p in predicted] == ["环境保护", "交通运输"]
    assert all(0 < float(p["confidence"]) <= 1 and p["model_version"] == "1" for p in predicted)
    assert "v1 启用" in run("models")


def test_overrides_feed_the_next_training(hl, tmp_path):
    history = write(tmp_path / "history.csv", [(text, "", label) for text, label in ROWS])
    run("train", str(history), "--text-col", "subject", "--label-col", "label")
    # the operator dispatches a complaint, overriding the model
    c = register(hl, text="幸福里小区门口共享单车堆成山")
    version, suggestions = dispatch.suggest(c.text, hl["tz"])
    actions.do_dispatch(hl["people"]["tz_op"], c, hl["housing"], suggestions=[s.as_dict() for s in suggestions],
                        model_version=version)
    run("train", str(history), "--text-col", "subject", "--label-col", "label")
    latest = DispatchModel.objects.first()
    assert latest is not None
    assert (latest.version, latest.n_samples, latest.n_feedback) == (2, len(ROWS) + 1, 1)
    active = dispatch.active_model()
    assert active is not None and active[0].version == 2


@pytest.mark.parametrize("rows,header,args,message", [
    (ROWS, ("subject", "detail", "label"), ["--text-col", "正文", "--label-col", "label"], "正文"),
    (ROWS, ("subject", "detail", "label"), ["--text-col", "subject", "--label-col", "类别"], "类别"),
    ([(t, "", "环境保护") for t, _ in ROWS], ("subject", "detail", "label"),
     ["--text-col", "subject", "--label-col", "label"], "只有一个类别"),
    ([], ("subject", "detail", "label"), ["--text-col", "subject", "--label-col", "label"], "没有"),
])
def test_bad_training_files_change_nothing(hl, tmp_path, rows, header, args, message):
    path = write(tmp_path / "bad.csv", [(t, "", label) for t, label in rows] if rows and len(rows[0]) == 2 else rows,
                 header=header)
    with pytest.raises(CommandError, match=message):
        run("train", str(path), *args)
    assert not DispatchModel.objects.exists()


def test_unreadable_file_and_no_model(hl, tmp_path):
    with pytest.raises(CommandError):
        run("train", str(tmp_path / "missing.csv"), "--text-col", "a", "--label-col", "b")
    new = write(tmp_path / "new.csv", [("噪音扰民", "")], header=("subject", "detail"))
    with pytest.raises(CommandError, match="还没有派单模型"):
        run("predict", str(new), "--text-col", "subject", "--out", str(tmp_path / "o.csv"))
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"not a workbook")
    with pytest.raises(CommandError):
        run("train", str(garbage), "--text-col", "a", "--label-col", "b")
    assert not DispatchModel.objects.exists()
