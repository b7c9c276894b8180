"""`tongban dispatch train|predict|models` — the hotline's learned dispatch (派单模型)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from tongban.hotline import dispatch
from tongban.hotline.models import DispatchModel
from tongban.textmining.classifier import TrainingError


def _columns(value: str) -> str | list[str]:
    """`subject+detail` joins several columns into one text."""
    parts = [p.strip() for p in value.split("+") if p.strip()]
    return parts[0] if len(parts) == 1 else parts


class Command(BaseCommand):
    help = "接诉即办派单模型：从已标注的历史诉求训练、对文件批量预测、查看各版本"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        train = sub.add_parser("train", help="从 CSV 或 XLSX 训练新版本（并加入话务员的派单记录）")
        train.add_argument("file")
        train.add_argument("--text-col", required=True, help="诉求内容所在列；多列用 + 连接，如 subject+detail")
        train.add_argument("--label-col", required=True, help="分类（标签）所在列")
        train.add_argument("--no-feedback", action="store_true", help="不加入系统中话务员的派单（含人工改派）")
        predict = sub.add_parser("predict", help="对文件每一行预测分类和置信度，写入 CSV")
        predict.add_argument("file")
        predict.add_argument("--text-col", required=True, help="诉求内容所在列；多列用 + 连接")
        predict.add_argument("--out", required=True, help="输出 CSV 文件")
        predict.add_argument("--version", type=int, help="使用指定版本（默认：最新启用的版本）")
        sub.add_parser("models", help="列出各版本")

    def handle(self, *args, command: str, **options) -> None:
        try:
            getattr(self, f"do_{command}")(**options)
        except (TrainingError, OSError) as exc:
            raise CommandError(str(exc)) from None

    def do_train(self, *, file: str, text_col: str, label_col: str, no_feedback: bool, **_) -> None:
        started = time.perf_counter()
        row = dispatch.do_train(file, _columns(text_col), label_col, actor="tongban dispatch train",
                                with_feedback=not no_feedback)
        self.stdout.write(f"派单模型 v{row.version}：{row.n_samples} 条（其中话务员派单 {row.n_feedback} 条），"
                          f"{len(row.labels)} 个分类，用时 {time.perf_counter() - started:.1f} 秒。")

    def do_predict(self, *, file: str, text_col: str, out: str, version: int | None, **_) -> None:
        started = time.perf_counter()
        n = dispatch.predict_file(file, _columns(text_col), out, version=version)
        self.stdout.write(f"已预测 {n} 行，写入 {out}，用时 {time.perf_counter() - started:.1f} 秒。")

    def do_models(self, **_) -> None:
        rows = DispatchModel.objects.defer("blob")
        if not rows:
            self.stdout.write("还没有派单模型。")
        for row in rows:
            self.stdout.write(f"v{row.version} {'启用' if row.active else '停用'} {row.trained_at:%Y-%m-%d %H:%M} "
                              f"{row.n_samples} 条 {len(row.labels)} 类 来源 {row.source}")
