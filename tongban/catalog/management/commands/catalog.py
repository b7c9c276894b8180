"""`tongban catalog import|export|search|index|add-region|vocabulary` — catalogue maintenance from the shell."""

from __future__ import annotations

import getpass
import io
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.catalog import importexport, search, vocabulary
from tongban.catalog.actions import (
    CatalogError,
    do_import_items,
    item_data,
    items_with_details,
)
from tongban.catalog.filters import by_code
from tongban.catalog.models import Region
from tongban.catalog.rowcheck import Directory
from tongban.core.errors import Conflict


class Command(BaseCommand):
    help = "事项清单：导入、导出、检索、重建索引；检索词表的导入、导出"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)

        p = sub.add_parser("import", help="从 CSV 或 XLSX 导入事项（有任何错误则全部不导入）")
        p.add_argument("file", type=Path)
        p.add_argument("--region", help="文件中的部门属于哪个区域（区划代码），如 110112")
        p.add_argument("--map", action="append", default=[], metavar="字段=列名",
                       help="列映射，可重复，如 --map code=itemCode --map name=item_name")
        p.add_argument("--encoding", default="utf-8-sig", help="CSV 编码，默认 UTF-8（可为 gb18030）")
        p.add_argument("--create-departments", action="store_true", help="自动新建文件中出现的未知部门")
        p.add_argument("--dry-run", action="store_true", help="只检查，不写入")

        p = sub.add_parser("export", help="导出事项清单（与导入格式相同）")
        p.add_argument("--out", type=Path, help="输出文件（.csv 或 .xlsx）；缺省写到标准输出（CSV）")
        p.add_argument("--region", help="只导出该区域有主管部门的事项")

        p = sub.add_parser("search", help="检索事项")
        p.add_argument("query")
        p.add_argument("--limit", type=int, default=10)

        sub.add_parser("index", help="建立检索索引并报告规模（检索时会自动按需重建）")

        p = sub.add_parser("add-region", help="新增或修改区域（导入其他地区清单前使用）")
        p.add_argument("code", help="行政区划代码，如 511602")
        p.add_argument("name", help="名称，如 广安市广安区")
        p.add_argument("--short-name", help="简称，缺省同名称")
        p.add_argument("--kind", choices=Region.Kind.values, default=Region.Kind.DISTRICT)
        p.add_argument("--parent", help="上级区域的区划代码")

        p = sub.add_parser("vocabulary", help="检索词表（口语词 → 规范用语）：导入、导出")
        vocab = p.add_subparsers(dest="vocabulary_action", required=True, parser_class=CommandParser)
        q = vocab.add_parser("import", help="从 TSV 导入检索词表（有任何错误则全部不导入）")
        q.add_argument("file", type=Path)
        q.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        q.add_argument("--by", help="记入版本的修改人，缺省为当前系统用户")
        q = vocab.add_parser("export", help="导出检索词表（与导入格式相同）")
        q.add_argument("--out", type=Path, help="输出文件；缺省写到标准输出")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"handle_{action.replace('-', '_')}")(**options)

    def handle_import(self, *, file: Path, region, map, encoding, create_departments, dry_run, **_) -> None:
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        if region and not Region.objects.filter(code=region).exists():
            raise CommandError(f"未知区域代码：{region}")
        try:
            mapping = importexport.parse_mapping(map)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        directory = Directory.from_database(create_departments=create_departments)
        result = importexport.read_file(file, mapping=mapping, region=region, encoding=encoding,
                                        directory=directory)
        if result.ignored_columns:
            self.stdout.write(f"忽略的列：{'，'.join(result.ignored_columns)}")
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"未导入任何事项：发现 {len(result.errors)} 处错误。")
        if dry_run:
            self.stdout.write(f"检查通过：{len(result.rows)} 个事项，需新建部门 {len(result.departments_to_create)} 个"
                              "（--dry-run，未写入）。")
            return
        try:
            summary = do_import_items(result.rows, source="import", note=f"导入 {file.name}",
                                      create_departments=create_departments)
        except CatalogError as exc:
            raise CommandError(f"{exc}（未导入任何事项）") from None
        for name in summary.departments_created:
            self.stdout.write(f"新建部门：{name}")
        self.stdout.write(
            f"导入完成：{len(result.rows)} 个事项，新增 {summary.created}，更新 {summary.updated}，"
            f"未变 {summary.unchanged}。"
        )

    def handle_export(self, *, out: Path | None, region, **_) -> None:
        items = items_with_details().order_by(by_code())
        if region:
            items = items.filter(competences__region__code=region)
        rows = [item_data(item) for item in items]
        if out is None:
            buffer = io.StringIO()
            importexport.write_csv(rows, buffer)
            self.stdout.write(buffer.getvalue(), ending="")
        elif out.suffix.lower() == ".xlsx":
            importexport.write_xlsx(rows, out)
        else:
            with out.open("w", encoding="utf-8", newline="") as fh:
                importexport.write_csv(rows, fh)
        if out is not None:
            self.stdout.write(f"已导出 {len(rows)} 个事项到 {out}")

    def handle_search(self, *, query: str, limit: int, **_) -> None:
        result = search.search(query, limit=limit)
        if result.suggestion:
            self.stdout.write(f"您是不是要找：{result.suggestion}")
        if not result.items:
            self.stdout.write("没有找到相关事项，可拨打 12345 咨询。")
        elif not result.complete:
            self.stdout.write("没有找到完全对应的事项，以下是最接近的（也可拨打 12345 咨询）：")
        for item in result.items[:limit]:
            self.stdout.write(f"{item.code}\t{item.name}")

    def handle_add_region(self, *, code: str, name: str, short_name, kind: str, parent, **_) -> None:
        parent_region = None
        if parent:
            parent_region = Region.objects.filter(code=parent).first()
            if parent_region is None:
                raise CommandError(f"未知的上级区域：{parent}")
        region, created = Region.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short_name or name, "kind": kind,
                                 "parent": parent_region})
        self.stdout.write(f"{'已新增' if created else '已更新'}区域：{region.code} {region.name}")

    def handle_index(self, **_) -> None:
        started = time.perf_counter()
        index = search.build_index()
        self.stdout.write(f"检索索引：{index.size} 个事项，{index.token_count} 个检索单元，"
                          f"词表 {len(index.vocabulary)} 条，用时 {time.perf_counter() - started:.2f} 秒。")

    def handle_vocabulary(self, *, vocabulary_action: str, **options) -> None:
        getattr(self, f"handle_vocabulary_{vocabulary_action}")(**options)

    def handle_vocabulary_import(self, *, file: Path, dry_run: bool, by: str | None, **_) -> None:
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        if by is None:
            try:
                by = getpass.getuser()
            except (KeyError, OSError):  # no login name (a container without a passwd entry)
                by = ""
        try:
            report = vocabulary.do_import_vocabulary(file, changed_by=by, dry_run=dry_run)
        except Conflict as exc:
            raise CommandError(f"{exc}（未导入任何词条）") from None
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"未导入任何词条：发现 {len(report.errors)} 处错误。")
        counts = f"{report.entries} 个词条，新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}"
        if dry_run:
            self.stdout.write(f"检查通过：{counts}（--dry-run，未写入）。")
        else:
            self.stdout.write(f"导入完成：{counts}。")

    def handle_vocabulary_export(self, *, out: Path | None, **_) -> None:
        text = vocabulary.export_vocabulary()
        if out is None:
            self.stdout.write(text, ending="")
            return
        out.write_text(text, encoding="utf-8")
        self.stdout.write(f"已导出 {len(text.splitlines()) - 1} 个词条到 {out}")
