"""`tongban verify FILE`: 0 valid, 1 invalid or revoked, 2 unreadable or not a result document."""

import json

import pytest
from django.core.management import CommandError, call_command

from tongban.verification.actions import as_file


def write(tmp_path, data) -> str:
    path = tmp_path / "doc.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_a_valid_file_exits_0_and_says_what_it_certifies(issued, tmp_path, capsys):
    case, doc = issued
    call_command("verify", write(tmp_path, as_file(doc)))  # returns: exit status 0
    out = capsys.readouterr().out
    assert "核验结果：有效" in out and f"办件编号：{case.number}" in out and "申请人：张*（110105********002X）" in out


def test_an_altered_file_exits_1(issued, tmp_path, capsys):
    case, doc = issued
    data = as_file(doc)
    data["payload"]["outcome_label"] = "不予办理"
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify", write(tmp_path, data))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "核验结果：无效" in out and "签名无效" in out and case.number not in out


@pytest.mark.parametrize(("content", "words"), [
    ('{"format": "tongban-result/1", "issuer": ', "不是有效的 JSON"),
    ("", "文件是空的"),
    ('{"format": "other/1"}', "不是通办结果文书文件"),
    ('{"format": "tongban-result/1", "issuer": "local", "payload": {}}', "缺少签名"),
])
def test_a_malformed_file_exits_2_with_the_reason(db, isolated_node, tmp_path, content, words):
    with pytest.raises(CommandError, match=words) as error:
        call_command("verify", write(tmp_path, content))
    assert error.value.returncode == 2


def test_a_missing_file_exits_2(tmp_path):
    with pytest.raises(CommandError, match="无法读取文件") as error:
        call_command("verify", str(tmp_path / "nowhere.json"))
    assert error.value.returncode == 2
