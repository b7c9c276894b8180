"""A complaint from registration through dispatch, whistle, reports, reply and callback; and every refusal."""

from __future__ import annotations

import datetime

import pytest

from tongban.audit.models import AuditEntry
from tongban.calendar.actions import add_workdays
from tongban.core.errors import BadTransition, Conflict, Invalid, NotAllowed, Unavailable
from tongban.hotline import actions
from tongban.hotline.models import Complaint, ComplaintEvent, State, WhistleTask

from .conftest import START, register

pytestmark = pytest.mark.django_db


def test_whole_path_with_whistle(hl):
    p, u, clock = hl["people"], hl["units"], hl["clock"]
    c = register(hl, street=u["beiyuan"])
    assert c.state == State.REGISTERED and c.number.startswith("TBRX2026")
    assert c.dispatch_due == START + datetime.timedelta(hours=2)  # no category yet: the default 2 hours

    clock.advance(minutes=10)
    c = actions.do_dispatch(p["tz_op"], c, hl["housing"], u["beiyuan"],
                            suggestions=[{"category": "城乡建设", "confidence": 0.8, "unit": "通州区住建委"}])
    assert (c.state, c.unit, c.overridden) == (State.DISPATCHED, u["beiyuan"], False)
    assert c.contact_due == START + datetime.timedelta(hours=24)
    # 5 working days from Monday 28 September 2026 skip the National Day holidays
    assert c.handle_due is not None
    assert c.handle_due.date() == add_workdays(datetime.date(2026, 9, 28), 5) > datetime.date(2026, 10, 7)

    clock.advance(hours=1)
    c = actions.do_contact(p["beiyuan"], c, "已联系")
    c = actions.do_whistle(p["beiyuan"], c, [actions.Summons(u["zjw"], "核查违建", 24),
                                             actions.Summons(u["cgw"], "清理占道", 48)])
    assert c.state == State.WHISTLED
    tasks = {t.unit.name: t for t in c.whistle_tasks.all()}
    assert tasks["通州区城管委"].due == clock.at + datetime.timedelta(hours=48)
    with pytest.raises(BadTransition) as failure:  # no reply while departments have not reported
        actions.do_reply(p["beiyuan"], c, "已处理")
    assert failure.value.code == "hotline.bad_transition"

    actions.do_report(p["zjw"], tasks["通州区住建委"], "已责令拆除")
    assert Complaint.objects.get(pk=c.pk).state == State.WHISTLED
    clock.advance(hours=30)  # 城管委 reports after its 48 hours? no: 31 hours in, on time
    actions.do_report(p["cgw"], tasks["通州区城管委"], "已清理")
    c = Complaint.objects.get(pk=c.pk)
    assert c.state == State.CONTACTED  # back to the street to reply
    actions.do_score(p["beiyuan"], WhistleTask.objects.get(pk=tasks["通州区住建委"].pk), 5)

    c = actions.do_reply(p["beiyuan"], c, "违建已拆除，占道已清理。")
    c = actions.do_callback(p["tz_op"], c, solved=True, satisfaction="satisfied")
    assert (c.state, c.solved, c.satisfaction) == (State.CLOSED, True, "satisfied")
    actions_done = list(ComplaintEvent.objects.filter(complaint=c).values_list("action", flat=True))
    assert actions_done == ["register", "dispatch", "contact", "whistle", "report", "report", "report", "score",
                            "reply", "callback"]
    assert AuditEntry.objects.filter(subject=f"complaint:{c.number}").count() == len(actions_done)
    # the phone number is masked in the audit trail
    first = AuditEntry.objects.filter(subject=f"complaint:{c.number}").first()
    assert first is not None and "13812345678" not in str(first.data)


def test_override_is_recorded(hl):
    c = register(hl)
    c = actions.do_dispatch(hl["people"]["tz_op"], c, hl["noise"],
                            suggestions=[{"category": "城乡建设", "confidence": 0.6, "unit": "通州区住建委"}])
    assert c.overridden and c.unit == hl["units"]["hbj"]  # the category's default unit


def test_stale_version_changes_nothing(hl):
    p = hl["people"]
    c = register(hl)
    actions.do_dispatch(p["tz_op"], c, hl["noise"])
    with pytest.raises(Conflict) as failure:
        actions.do_dispatch(p["tz_op"], c, hl["housing"], expected_version=c.version)
    assert failure.value.code == "hotline.conflict"
    fresh = Complaint.objects.get(pk=c.pk)
    assert fresh.category == hl["noise"] and fresh.version == 2


@pytest.mark.parametrize("text,code", [("", "hotline.text_too_short"), ("   噪音 ", "hotline.text_too_short"),
                                       ("吵" * 4001, "hotline.text_too_long")])
def test_bad_text_is_refused_and_nothing_saved(hl, text, code):
    with pytest.raises(Invalid) as failure:
        register(hl, text=text)
    assert failure.value.code == code
    assert not Complaint.objects.exists() and not AuditEntry.objects.exists()


def test_bad_phone_and_foreign_street_refused(hl):
    with pytest.raises(Invalid) as failure:
        actions.do_register(hl["people"]["tz_op"], actions.Intake(region=hl["tz"], text="路灯坏了好几天了",
                                                                   caller_phone="12345"))
    assert failure.value.code == "hotline.phone_invalid"
    with pytest.raises(Invalid) as failure:
        register(hl, street=hl["units"]["yanjiao"])  # a 廊坊 street on a 通州 complaint
    assert failure.value.code == "hotline.street_invalid" and "燕郊镇" in failure.value.message
    assert not Complaint.objects.exists()


def test_roles_and_regions(hl):
    p, u = hl["people"], hl["units"]
    c = register(hl)
    with pytest.raises(NotAllowed) as failure:  # 廊坊's operator cannot dispatch a 通州 complaint
        actions.do_dispatch(p["lf_op"], c, hl["noise"])
    assert failure.value.code == "hotline.not_your_region"
    with pytest.raises(Invalid) as invalid:  # nor send it to a 廊坊 unit
        actions.do_dispatch(p["tz_op"], c, hl["housing"], u["lf_zjj"])
    assert invalid.value.code == "hotline.unit_invalid"
    c = actions.do_dispatch(p["tz_op"], c, hl["noise"])
    with pytest.raises(NotAllowed) as failure:  # another unit's handler
        actions.do_contact(p["zjw"], c)
    assert failure.value.code == "hotline.not_your_unit"
    with pytest.raises(NotAllowed) as failure:
        actions.do_contact(p["citizen"], c)
    assert failure.value.code == "hotline.not_allowed"
    assert set(actions.visible(p["zjw"])) == set() and set(actions.visible(p["hbj"])) == {c}
    assert set(actions.visible(p["lf_op"])) == set()


def test_return_goes_back_to_dispatch(hl):
    p = hl["people"]
    c = actions.do_dispatch(p["tz_op"], register(hl), hl["noise"])
    with pytest.raises(Invalid) as failure:
        actions.do_return(p["hbj"], c, " ")
    assert failure.value.code == "hotline.return_reason_required"
    c = actions.do_return(p["hbj"], c, "属于施工许可问题，应由住建委处理")
    assert c.state == State.REGISTERED and c.unit is None
    with pytest.raises(BadTransition) as not_dispatched:  # no unit now: nothing to return (nor to whistle)
        actions.do_return(p["hbj"], c, "再退一次")
    assert not_dispatched.value.code == "hotline.bad_transition"
    c = actions.do_dispatch(p["tz_op"], c, hl["housing"])
    assert c.unit == hl["units"]["zjw"]


def test_only_streets_whistle_and_only_departments_report(hl):
    p, u = hl["people"], hl["units"]
    c = actions.do_contact(p["hbj"], actions.do_dispatch(p["tz_op"], register(hl), hl["noise"]))
    with pytest.raises(Invalid) as failure:
        actions.do_whistle(p["hbj"], c, [actions.Summons(u["zjw"], "看看", 24)])
    assert failure.value.code == "hotline.whistle_street_only"
    c2 = actions.do_contact(p["beiyuan"], actions.do_dispatch(p["tz_op"], register(hl), hl["noise"], u["beiyuan"]))
    for summons, code in (([], "whistle_no_department"),
                          ([actions.Summons(u["zhongcang"], "看看", 24)], "whistle_unit_invalid"),
                          ([actions.Summons(u["lf_zjj"], "看看", 24)], "whistle_unit_invalid"),
                          ([actions.Summons(u["zjw"], "看看", 24), actions.Summons(u["zjw"], "再看", 24)],
                           "whistle_unit_repeated"),
                          ([actions.Summons(u["zjw"], "", 24)], "whistle_task_required"),
                          ([actions.Summons(u["zjw"], "看看", 0)], "whistle_hours_invalid")):
        with pytest.raises(Invalid) as failure:
            actions.do_whistle(p["beiyuan"], c2, summons)
        assert failure.value.code == f"hotline.{code}"
    assert not WhistleTask.objects.exists() and Complaint.objects.get(pk=c2.pk).state == State.CONTACTED
    c2 = actions.do_whistle(p["beiyuan"], c2, [actions.Summons(u["zjw"], "核查", 24)])
    task = c2.whistle_tasks.get()
    with pytest.raises(NotAllowed) as not_allowed:
        actions.do_report(p["cgw"], task, "不是我")
    assert not_allowed.value.code == "hotline.not_your_unit"
    actions.do_report(p["zjw"], task, "已核查")
    with pytest.raises(Conflict) as conflict:  # reported once, never twice
        actions.do_report(p["zjw"], task, "再报一次")
    assert conflict.value.code == "hotline.already_reported"


def test_overdue_stage(hl):
    p, clock = hl["people"], hl["clock"]
    c = actions.do_dispatch(p["tz_op"], register(hl), hl["noise"])
    assert actions.overdue_stage(c, clock.at) == ""
    assert actions.overdue_stage(c, clock.at + datetime.timedelta(hours=25)) == "联系"
    clock.advance(hours=30)
    c = actions.do_contact(p["hbj"], c)
    assert actions.overdue_stage(c, clock.at) == "联系"  # contacted, but late


def test_deadline_warning_before_overdue(hl):
    p, clock = hl["people"], hl["clock"]
    c = actions.do_dispatch(p["tz_op"], register(hl), hl["noise"])  # contact within 24 hours
    assert actions.deadline_status(c, clock.at + datetime.timedelta(hours=17)) == ("正常", "")
    assert actions.deadline_status(c, clock.at + datetime.timedelta(hours=19)) == ("预警", "联系")
    assert actions.deadline_status(c, clock.at + datetime.timedelta(hours=25)) == ("超期", "联系")


def test_calendar_year_not_loaded_is_an_error(hl, clock):
    clock.at = START.replace(year=2099)
    c = register(hl)
    with pytest.raises(Unavailable) as failure:
        actions.do_dispatch(hl["people"]["tz_op"], c, hl["noise"])
    assert failure.value.code == "hotline.year_not_loaded"
    fresh = Complaint.objects.get(pk=c.pk)
    assert (fresh.state, fresh.version, fresh.unit) == (State.REGISTERED, 1, None)
    assert list(fresh.events.values_list("action", flat=True)) == ["register"]


def test_same_key_registers_once(hl):
    first = register(hl, intake_key="form:abc")
    again = register(hl, intake_key="form:abc", text="另一段文字也不会再登记一次")
    assert again.pk == first.pk and Complaint.objects.count() == 1


def test_handler_without_unit_sees_nothing(hl):
    from django.core.exceptions import ValidationError

    register(hl)
    role = hl["people"]["zjw"].hotline
    role.unit = None
    role.save()
    assert not actions.visible(hl["people"]["zjw"]).exists()
    with pytest.raises(ValidationError):
        role.full_clean()


def test_a_department_is_summoned_once(hl):
    p, u = hl["people"], hl["units"]
    c = actions.do_contact(p["beiyuan"], actions.do_dispatch(p["tz_op"], register(hl), hl["noise"], u["beiyuan"]))
    c = actions.do_whistle(p["beiyuan"], c, [actions.Summons(u["zjw"], "核查", 24)])
    actions.do_report(p["zjw"], c.whistle_tasks.get(), "已核查")
    c = Complaint.objects.get(pk=c.pk)
    with pytest.raises(Invalid) as failure:
        actions.do_whistle(p["beiyuan"], c, [actions.Summons(u["zjw"], "再查", 24)])
    assert failure.value.code == "hotline.whistle_unit_repeated"
    assert c.whistle_tasks.count() == 1 and Complaint.objects.get(pk=c.pk).state == State.CONTACTED


def test_as_id():
    assert [actions.as_id(v) for v in ("12", " 7 ", "", "²", "-1", "1e3", None, "9" * 10)] == [
        12, 7, None, None, None, None, None, None]
