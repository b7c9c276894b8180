"""The search vocabulary (检索词表): versions, validation, TSV import/export, the stamp, admin and CLI."""

from __future__ import annotations

import importlib
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import transaction

from tongban.catalog import vocabulary
from tongban.catalog.models import Synonym, SynonymVersion
from tongban.catalog.vocabulary import do_import_vocabulary, do_save_synonym, export_vocabulary
from tongban.core.errors import Invalid

migration = importlib.import_module("tongban.catalog.migrations.0003_default_vocabulary")

FILE = """\
# 检索词表（测试）
word\tterms\tnote
娃\t子女|儿童|出生\t群众对子女的说法

新农合\t城乡居民医疗保险\t旧称
个体户\t个体工商户；个体
走了\t死亡|注销\t
"""


@pytest.fixture
def empty(db) -> None:
    """No vocabulary, whatever the shipped file loaded when the test database was migrated."""
    SynonymVersion.objects.all().delete()
    Synonym.objects.all().delete()


def save(word: str, terms: str | list[str], **kwargs) -> Synonym:
    kwargs.setdefault("source", "admin")
    kwargs.setdefault("changed_by", "chief")
    return do_save_synonym(word, terms, **kwargs)


def versions(word: str) -> list[tuple[int, str, bool, str]]:
    return list(SynonymVersion.objects.filter(word=word).order_by("version")
                .values_list("version", "terms", "enabled", "source"))


# ---- saving and versions ------------------------------------------------------------------------

def test_save_normalises_and_records_a_version(empty):
    synonym = save(" ＡＰＰ办 ", "移动端 | 掌上办；移动端;网上办")
    assert synonym.word == "app办"
    assert synonym.term_list == ("移动端", "掌上办", "网上办")  # NFKC, split on | ；, repeats dropped
    assert synonym.updated_by == "chief" and synonym.enabled
    assert versions("app办") == [(1, "移动端；掌上办；网上办", True, "admin")]
    assert save("证", ["身份证﹔护照", "ＩＤ"]).term_list == ("身份证", "护照", "id")  # no separator survives NFKC


def test_resaving_the_same_writes_no_version_and_a_change_writes_one(empty):
    save("娃", "子女|儿童")
    save("娃", "子女；儿童")
    assert len(versions("娃")) == 1
    save("娃", "子女|儿童", enabled=False)
    save("娃", "子女|儿童|出生", enabled=False, note="孩子", source="import", changed_by="loader")
    assert versions("娃") == [(1, "子女；儿童", True, "admin"), (2, "子女；儿童", False, "admin"),
                              (3, "子女；儿童；出生", False, "import")]
    latest = SynonymVersion.objects.get(word="娃", version=3)
    assert latest.note == "孩子" and latest.changed_by == "loader"


@pytest.mark.parametrize(("word", "terms", "note", "code"), [
    ("", "子女", "", "vocabulary.word_invalid"),
    ("   ", "子女", "", "vocabulary.word_invalid"),
    ("长" * 21, "子女", "", "vocabulary.word_invalid"),
    ("娃\t娃", "子女", "", "vocabulary.word_invalid"),
    ("#娃", "子女", "", "vocabulary.word_invalid"),  # would read as a comment in a file
    ("娃", "", "", "vocabulary.terms_empty"),
    ("娃", " | ；", "", "vocabulary.terms_empty"),
    ("娃", "子女|" + "长" * 31, "", "vocabulary.term_invalid"),
    ("娃", "|".join(f"{i:03}" + "长" * 26 for i in range(20)), "", "vocabulary.terms_too_long"),
    ("户籍", "户籍", "", "vocabulary.term_is_word"),
    ("ＡＢ", "ab", "", "vocabulary.term_is_word"),  # the same once normalised
    ("娃", "子女", "长" * 201, "vocabulary.note_invalid"),
    ("娃", "子女", "第一行\n第二行", "vocabulary.note_invalid"),
])
def test_invalid_entries_are_refused_with_a_code(empty, word, terms, note, code):
    with pytest.raises(Invalid) as refused:
        save(word, terms, note=note)
    assert refused.value.code == code
    assert not Synonym.objects.exists() and not SynonymVersion.objects.exists()


def test_a_word_may_be_one_of_several_terms_and_the_source_is_checked(empty):
    assert save("户籍", "户口|户籍").term_list == ("户口", "户籍")
    with pytest.raises(Invalid) as refused:
        save("娃", "子女", source="shell")
    assert refused.value.code == "vocabulary.source_invalid"


# ---- what search reads --------------------------------------------------------------------------

def test_stamp_moves_with_every_change_and_load_gives_the_enabled_words(empty):
    first = vocabulary.stamp()
    save("娃", "子女|儿童")
    after_create = vocabulary.stamp()
    save("娃", "子女|儿童")  # no change
    assert vocabulary.stamp() == after_create != first
    save("走了", "死亡|注销")
    save("娃", "子女|儿童", enabled=False)
    stamp, mapping = vocabulary.current()
    assert stamp not in {first, after_create}
    assert mapping == {"走了": ("死亡", "注销")} == vocabulary.load()


def test_a_rolled_back_write_still_moves_the_stamp(empty):
    before = vocabulary.stamp()
    with pytest.raises(RuntimeError), transaction.atomic():
        save("娃", "子女")
        raise RuntimeError
    assert not Synonym.objects.exists()
    assert vocabulary.stamp() != before  # a cache built inside the rolled-back write is not reused


def test_stamp_is_one_query(empty, django_assert_num_queries):
    with django_assert_num_queries(1):
        vocabulary.stamp()


# ---- files --------------------------------------------------------------------------------------

def test_import_creates_entries_and_reimport_writes_nothing(empty, tmp_path):
    path = tmp_path / "vocabulary.tsv"
    path.write_text(FILE, encoding="utf-8")
    report = do_import_vocabulary(path, changed_by="loader")
    assert report.ok and (report.entries, report.created, report.updated, report.unchanged) == (4, 4, 0, 0)
    assert vocabulary.load() == {"娃": ("子女", "儿童", "出生"), "新农合": ("城乡居民医疗保险",),
                                 "个体户": ("个体工商户", "个体"), "走了": ("死亡", "注销")}
    assert Synonym.objects.get(word="新农合").note == "旧称"
    assert set(SynonymVersion.objects.values_list("source", "changed_by")) == {("import", "loader")}
    stamp = vocabulary.stamp()
    again = do_import_vocabulary(path, changed_by="loader")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert SynonymVersion.objects.count() == 4
    assert vocabulary.stamp() == stamp


def test_a_bad_line_imports_nothing_and_every_bad_line_is_named(empty):
    text = (
        "word\tterms\tnote\n"           # 1
        "娃\t子女|儿童\n"                 # 2 good
        "# 注释\n"                       # 3
        "\n"                             # 4
        "新农合\t\n"                      # 5 no terms
        "户籍\t户籍\n"                    # 6 the word itself
        "ＷＡ\t子女\t\textra\n"           # 7 too many cells
        "娃\t孩子\n"                      # 8 repeats line 2
        f"{'长' * 21}\t子女|{'长' * 31}\n"  # 9 two problems
    )
    report = do_import_vocabulary(text, changed_by="loader")
    assert not report.ok
    assert [(e.line, e.column) for e in report.errors] == [
        (5, "terms"), (6, "terms"), (7, ""), (8, "word"), (9, "word"), (9, "terms")]
    assert str(report.errors[0]).startswith("第 5 行［terms］：")
    assert "与第 2 行重复" in report.errors[3].message
    assert not Synonym.objects.exists()


@pytest.mark.parametrize(("text", "message"), [
    ("", "文件为空"),
    ("# 只有注释\n\n", "文件为空"),
    ("word\tnote\n娃\t孩子\n", "缺少必需的列：terms"),
    ("word\tterms\tcomment\n", "未知的列：comment"),
    ("word\tterms\tword\n", "重复的列：word"),
    ("word\tterms\n# 没有词条\n", "没有词条"),
])
def test_file_level_errors(empty, text, message):
    report = do_import_vocabulary(text, changed_by="loader")
    assert len(report.errors) == 1 and message in report.errors[0].message


def test_a_file_that_is_not_utf8_names_the_line(empty, tmp_path):
    path = tmp_path / "gbk.tsv"
    path.write_bytes(b"word\tterms\n" + "娃\t子女\n".encode("gbk"))
    report = do_import_vocabulary(path, changed_by="loader")
    assert [e.line for e in report.errors] == [2] and "UTF-8" in report.errors[0].message


def test_dry_run_counts_but_writes_nothing(empty):
    save("娃", "子女")
    report = do_import_vocabulary("word\tterms\n娃\t子女|儿童\n走了\t死亡\n", changed_by="x", dry_run=True)
    assert report.ok and (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert vocabulary.load() == {"娃": ("子女",)}


def test_enabled_column_and_its_absence(empty):
    save("娃", "子女", enabled=False)
    report = do_import_vocabulary("word\tterms\n娃\t子女\n", changed_by="x")
    assert report.unchanged == 1 and not Synonym.objects.get(word="娃").enabled  # kept as the admin left it
    do_import_vocabulary("terms\tenabled\tword\n子女\t是\t娃\n死亡\t否\t走了\n", changed_by="x")
    assert Synonym.objects.get(word="娃").enabled and not Synonym.objects.get(word="走了").enabled
    bad = do_import_vocabulary("word\tterms\tenabled\n娃\t子女\t也许\n", changed_by="x")
    assert [(e.line, e.column) for e in bad.errors] == [(2, "enabled")]


def test_export_round_trip(empty):
    do_import_vocabulary(FILE, changed_by="loader")
    save("走了", "死亡|注销", enabled=False, note="口语")
    exported = export_vocabulary()
    assert exported.splitlines()[0] == "word\tterms\tnote\tenabled"
    assert "走了\t死亡|注销\t口语\t否" in exported.splitlines()
    assert do_import_vocabulary(exported, changed_by="x").unchanged == 4
    SynonymVersion.objects.all().delete()
    Synonym.objects.all().delete()
    assert do_import_vocabulary(exported, changed_by="x").created == 4
    assert export_vocabulary() == exported


# ---- the default file ---------------------------------------------------------------------------

def test_migration_loads_the_default_file_into_an_empty_table_only(empty, tmp_path):
    path = tmp_path / "vocabulary.tsv"
    migration.load_default(apps, None, path=tmp_path / "missing.tsv")
    assert not Synonym.objects.exists()
    path.write_text(FILE, encoding="utf-8")
    migration.load_default(apps, None, path=path)
    assert vocabulary.load()["个体户"] == ("个体工商户", "个体")
    assert set(SynonymVersion.objects.values_list("version", "source")) == {(1, "default")}
    path.write_text("word\tterms\n新词\t规范\n", encoding="utf-8")
    migration.load_default(apps, None, path=path)  # the table has rows: left alone
    assert Synonym.objects.count() == 4


def test_migration_refuses_a_bad_default_file(empty, tmp_path):
    path = tmp_path / "vocabulary.tsv"
    path.write_text("word\tterms\n户籍\t户籍\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="第 2 行"):
        migration.load_default(apps, None, path=path)


def test_the_shipped_vocabulary_is_valid():
    if not migration.DEFAULT_FILE.is_file():
        pytest.skip("tongban/catalog/data/vocabulary.tsv is not there yet")
    text, errors = vocabulary.read_text(migration.DEFAULT_FILE)
    parsed = vocabulary.parse(text)
    assert not errors and not parsed.errors, "\n".join(str(e) for e in errors + parsed.errors)
    assert parsed.entries


# ---- command line -------------------------------------------------------------------------------

def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("catalog", "vocabulary", *args, stdout=out, stderr=err)
    except CommandError as exc:
        raise AssertionError(err.getvalue() + str(exc)) from None
    return out.getvalue(), err.getvalue()


def test_command_line_import_and_export(empty, tmp_path):
    path = tmp_path / "vocabulary.tsv"
    path.write_text(FILE, encoding="utf-8")
    assert "检查通过：4 个词条，新增 4" in run("import", str(path), "--dry-run")[0]
    assert not Synonym.objects.exists()
    assert "导入完成：4 个词条，新增 4，更新 0，未变 0。" in run("import", str(path), "--by", "loader")[0]
    assert set(SynonymVersion.objects.values_list("changed_by", flat=True)) == {"loader"}
    out = tmp_path / "out.tsv"
    assert "已导出 4 个词条" in run("export", "--out", str(out))[0]
    assert out.read_text(encoding="utf-8") == export_vocabulary() == run("export")[0]


def test_command_line_import_with_errors_fails(empty, tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("word\tterms\n娃\t子女\n户籍\t户籍\n", encoding="utf-8")
    with pytest.raises(AssertionError) as failed:
        run("import", str(path))
    assert "第 3 行［terms］" in str(failed.value) and "未导入任何词条：发现 1 处错误" in str(failed.value)
    assert not Synonym.objects.exists()
    with pytest.raises(AssertionError, match="文件不存在"):
        run("import", str(tmp_path / "missing.tsv"))


# ---- admin --------------------------------------------------------------------------------------

def form_data(client, url: str, **fields) -> dict:
    """The admin form's current values (with the inline's management form), overridden by `fields`."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and v is not False}
    for formset in response.context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({f"{fs.prefix}-TOTAL_FORMS": len(fs.forms), f"{fs.prefix}-INITIAL_FORMS": len(fs.initial_forms),
                     f"{fs.prefix}-MIN_NUM_FORMS": 0, f"{fs.prefix}-MAX_NUM_FORMS": 1000})
        for i, f in enumerate(fs.forms):
            data[f"{fs.prefix}-{i}-id"] = f.instance.pk
            data[f"{fs.prefix}-{i}-synonym"] = f.instance.synonym_id
    data.update(fields)
    return {k: v for k, v in data.items() if v is not False}


@pytest.fixture
def chief(client, empty):
    client.force_login(get_user_model().objects.create_superuser("chief", password="pw-for-tests-only"))
    return client


def test_admin_add_and_change_go_through_versions(chief):
    data = form_data(chief, "/admin/catalog/synonym/add/", word=" 娃 ", terms="子女|儿童", note="", enabled="on")
    response = chief.post("/admin/catalog/synonym/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    synonym = Synonym.objects.get(word="娃")
    assert versions("娃") == [(1, "子女；儿童", True, "admin")]
    assert synonym.updated_by == "chief"
    url = f"/admin/catalog/synonym/{synonym.pk}/change/"
    assert chief.post(url, form_data(chief, url)).status_code == 302  # saved unchanged: no version
    assert len(versions("娃")) == 1
    assert chief.post(url, form_data(chief, url, terms="子女；儿童；出生", enabled=False)).status_code == 302
    assert versions("娃")[-1] == (2, "子女；儿童；出生", False, "admin")
    html = chief.get(url).content.decode()
    assert "子女；儿童；出生" in html and "后台修改" in html  # the history inline
    assert chief.get("/admin/catalog/synonymversion/").status_code == 200


def test_admin_form_shows_the_rules_and_refuses_duplicates(chief):
    save("娃", "子女")
    url = "/admin/catalog/synonym/add/"
    response = chief.post(url, form_data(chief, url, word="户籍", terms="户籍", enabled="on"))
    assert response.status_code == 200
    assert "与其唯一的规范用语相同" in str(response.context["adminform"].form.errors)
    response = chief.post(url, form_data(chief, url, word="ＷＡ", terms="x", enabled="on"))
    assert response.status_code == 302  # ＷＡ is stored as wa
    response = chief.post(url, form_data(chief, url, word="Wa", terms="y", enabled="on"))
    assert response.status_code == 200 and "word" in response.context["adminform"].form.errors
    assert Synonym.objects.get(word="wa").terms == "x"


def test_only_staff_with_the_catalog_permission_edit_and_nobody_deletes(client, chief, empty):
    synonym = save("娃", "子女")
    url = f"/admin/catalog/synonym/{synonym.pk}/change/"
    assert chief.get(f"/admin/catalog/synonym/{synonym.pk}/delete/").status_code == 403
    clerk = get_user_model().objects.create_user("clerk", password="pw-for-tests-only", is_staff=True)
    client.force_login(clerk)
    assert client.get(url).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="change_synonym"))
    assert client.get(url).status_code == 200
    assert client.post(url, form_data(client, url, terms="子女|儿童")).status_code == 302
    assert versions("娃")[-1][:2] == (2, "子女；儿童")
    assert SynonymVersion.objects.get(word="娃", version=2).changed_by == "clerk"
    assert client.get("/admin/catalog/synonym/add/").status_code == 403  # adding needs add_synonym


def test_a_str_is_the_files_text_not_its_path(empty):
    report = do_import_vocabulary(str(Path("/nonexistent.tsv")), changed_by="x")
    assert [e.message for e in report.errors] == [
        "表头有未知的列：/nonexistent.tsv（可用：word、terms、note、enabled）",
        "缺少必需的列：word",
        "缺少必需的列：terms",
    ]
