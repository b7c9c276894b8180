"""办件进度查询 without a login: found by number + name or phone digits, one answer for every mismatch,
nothing personal on the page, and failed tries limited per client address and per number."""

from __future__ import annotations

import datetime
import re

from tongban.audit.models import AuditEntry
from tongban.cases.tests.conftest import PHONE, VALID_ID

D = datetime.date
URL = "/progress/"


def ask(client, number, who, address="198.51.100.7"):
    return client.post(URL, {"number": number, "who": who}, REMOTE_ADDR=address)


def error_of(response) -> str:
    found = re.search(r'<div class="error" role="alert"><p>(.*?)</p>', response.content.decode())
    return found.group(1) if found else ""


def test_the_applicant_finds_the_case_by_number_and_name(client, accepted_case, on_day):
    on_day(D(2026, 9, 30))
    response = ask(client, accepted_case.number, "张三")
    page = re.sub(r"<[^>]+>", "", response.content.decode())
    assert response.status_code == 200
    assert accepted_case.item.name in page and "已受理" in page
    # the legal clock in working days: accepted 09-29, counting from the next working day
    assert "剩余" in page and "个工作日" in page and "法定办结期限" in page
    # steps with dates, no staff names
    assert "2026-09-28 收件" in page and "2026-09-28 预审转交" in page and "2026-09-29 受理" in page
    assert "sanhe_window" not in page and "tz_rsj" not in page
    assert "本节点" in page  # a single node holds every case


def test_the_last_four_digits_of_the_phone_work_as_well_and_names_ignore_spaces(client, accepted_case):
    assert ask(client, accepted_case.number, PHONE[-4:]).status_code == 200
    assert ask(client, accepted_case.number.lower(), " 张 三 ").status_code == 200


def test_the_page_never_shows_the_id_number_or_phone(client, accepted_case):
    page = ask(client, accepted_case.number, "张三").content.decode()
    for secret in (VALID_ID, PHONE, VALID_ID[-6:], PHONE[:7]):
        assert secret not in page
    assert "张三" not in page.split("<main", 1)[1].split("</form>")[-1]  # the name is not echoed in the result


def test_every_mismatch_gets_the_same_answer_and_is_audited_masked(client, accepted_case):
    answers = [ask(client, "TB20269999999", "张三"), ask(client, accepted_case.number, "李四"),
               ask(client, accepted_case.number, "0000"), ask(client, accepted_case.number, "")]
    assert {r.status_code for r in answers[:3]} == {404}
    assert {error_of(r) for r in answers[:3]} == {"未找到匹配的办件，请核对办件编号和姓名"}
    assert answers[3].status_code == 422  # an empty name is a form error, not a lookup
    entries = list(AuditEntry.objects.filter(action="tracking.case_no_match").order_by("seq"))
    assert [e.subject for e in entries] == ["progress:TB20269999999", f"progress:{accepted_case.number}",
                                            f"progress:{accepted_case.number}"]
    assert [e.data["who"] for e in entries] == ["张*", "李*", "手机号后四位"]
    assert {e.data["client"] for e in entries} == {"198.51.100.x"}


def test_ten_failed_tries_from_one_address_lock_it_out_for_ten_minutes(client, accepted_case, on_day):
    on_day(D(2026, 10, 9))
    for n in range(10):
        assert ask(client, f"TB202699990{n:02d}", "张三").status_code == 404
    locked = ask(client, accepted_case.number, "张三")  # even the right answer, from this address
    assert locked.status_code == 429 and error_of(locked) == "查询过于频繁，请稍后再试"
    assert ask(client, accepted_case.number, "张三", address="203.0.113.9").status_code == 200
    on_day(D(2026, 10, 10))  # the window has passed
    assert ask(client, accepted_case.number, "张三").status_code == 200


def test_five_failed_tries_for_one_number_lock_the_number_whatever_the_address(client, accepted_case):
    for n in range(5):
        assert ask(client, accepted_case.number, f"王{n}", address=f"192.0.2.{n}").status_code == 404
    assert ask(client, accepted_case.number, "张三", address="192.0.2.99").status_code == 429
    assert ask(client, "TB20269999999", "张三", address="192.0.2.99").status_code == 404  # another number: asked


def test_success_does_not_count(client, accepted_case):
    for _ in range(12):
        assert ask(client, accepted_case.number, "张三").status_code == 200


def test_the_number_from_the_qr_code_is_prefilled(client, accepted_case):
    page = client.get(URL, {"number": accepted_case.number}).content.decode()
    assert f'value="{accepted_case.number}"' in page
    assert client.get(URL).status_code == 200
