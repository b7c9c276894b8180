"""实名注册: the SMS code (6 digits, 5 minutes, 5 tries, throttled, stored hashed) and who may register."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model

from tongban.accounts.citizens import MAX_TRIES, do_register, do_send_code
from tongban.accounts.models import Citizen, PhoneCode
from tongban.accounts.tests.conftest import OTHER_ID, PHONE, SERVED, VALID_ID, registration, sms_code
from tongban.audit.models import AuditEntry
from tongban.core import clock
from tongban.core.errors import TongbanError


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(TongbanError) as caught:
        call(*args, **kwargs)
    return caught.value.code


def test_registration_creates_a_verified_resident_who_can_log_in(regions):
    do_send_code(PHONE, "register")
    code = sms_code(PHONE)
    assert len(code) == 6 and code.isdigit()
    citizen = do_register(registration(code=code, id_number=VALID_ID.lower()), regions=SERVED)
    assert citizen.id_number == VALID_ID and citizen.phone == PHONE and citizen.region.code == "110112"
    assert citizen.phone_verified_at is not None
    assert citizen.user.get_username() == f"c{PHONE}" and citizen.user.check_password("Tongban-2026-pw")
    # the code is used up
    assert refused(do_register, registration(code=code, id_number=OTHER_ID), regions=SERVED) == "accounts.code_missing"


def test_the_code_is_stored_hashed_and_never_in_the_audit_trail(regions):
    do_send_code(PHONE, "register")
    code = sms_code(PHONE)
    row = PhoneCode.objects.get(phone=PHONE)
    assert code not in row.digest and len(row.digest) == 64
    do_register(registration(code=code), regions=SERVED)
    for entry in AuditEntry.objects.filter(action__startswith="accounts."):
        assert code not in str(entry.data) and PHONE not in str(entry.data) + entry.subject + entry.actor
        assert VALID_ID not in str(entry.data)


def test_a_wrong_code_is_refused_recorded_and_counts_a_try(regions):
    do_send_code(PHONE, "register")
    wrong = "000000" if sms_code(PHONE) != "000000" else "111111"
    assert refused(do_register, registration(code=wrong), regions=SERVED) == "accounts.code_wrong"
    assert PhoneCode.objects.get(phone=PHONE).tries == 1
    assert not Citizen.objects.exists() and not get_user_model().objects.exists()
    entry = AuditEntry.objects.filter(action="accounts.refused").latest("seq")
    assert entry.data["code"] == "accounts.code_wrong" and entry.subject == "phone:138****0011"
    # the right code still opens it
    assert do_register(registration(code=sms_code(PHONE)), regions=SERVED).phone == PHONE


def test_after_five_wrong_tries_even_the_right_code_is_dead(regions):
    do_send_code(PHONE, "register")
    code = sms_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_TRIES):
        assert refused(do_register, registration(code=wrong), regions=SERVED) == "accounts.code_wrong"
    assert refused(do_register, registration(code=code), regions=SERVED) == "accounts.code_dead"
    assert not Citizen.objects.exists()


def test_a_code_expires_after_five_minutes(regions, time_machine):
    time_machine.move_to(clock.now(), tick=False)
    do_send_code(PHONE, "register")
    code = sms_code(PHONE)
    time_machine.shift(datetime.timedelta(minutes=5, seconds=1))
    assert refused(do_register, registration(code=code), regions=SERVED) == "accounts.code_expired"
    assert AuditEntry.objects.filter(action="accounts.refused", data__code="accounts.code_expired").exists()
    assert not Citizen.objects.exists()


def test_resend_waits_sixty_seconds_and_five_codes_an_hour_at_most(regions, time_machine):
    time_machine.move_to(clock.now(), tick=False)
    do_send_code(PHONE, "register")
    assert refused(do_send_code, PHONE, "register") == "accounts.code_too_soon"
    for _ in range(4):
        time_machine.shift(datetime.timedelta(seconds=61))
        do_send_code(PHONE, "register")
    time_machine.shift(datetime.timedelta(seconds=61))
    assert refused(do_send_code, PHONE, "register") == "accounts.code_too_many"
    assert PhoneCode.objects.filter(phone=PHONE).count() == 5
    time_machine.shift(datetime.timedelta(hours=1))
    do_send_code(PHONE, "register")  # an hour later the phone may get codes again
    # only the newest code counts
    assert do_register(registration(code=sms_code(PHONE)), regions=SERVED).phone == PHONE


def test_a_taken_id_number_is_refused_with_nothing_created(registered):
    other_phone = "13800000012"
    do_send_code(other_phone, "register")
    users = get_user_model().objects.count()
    assert refused(do_register, registration(phone=other_phone, code=sms_code(other_phone)),
                   regions=SERVED) == "accounts.id_number_taken"
    assert get_user_model().objects.count() == users and Citizen.objects.count() == 1
    entry = AuditEntry.objects.filter(action="accounts.refused").latest("seq")
    assert entry.data["code"] == "accounts.id_number_taken" and entry.data["id_number"] == "110105********002X"
    assert PhoneCode.objects.filter(phone=other_phone).get().tries == 1  # probing ID numbers costs tries


def test_a_registered_phone_gets_no_register_code(registered):
    assert refused(do_send_code, PHONE, "register") == "accounts.phone_taken"


def test_a_bad_id_checksum_is_refused_before_any_code_is_spent(regions):
    do_send_code(PHONE, "register")
    bad = VALID_ID[:-1] + "1"
    assert refused(do_register, registration(code=sms_code(PHONE), id_number=bad),
                   regions=SERVED) == "identity.id_check_char"
    assert PhoneCode.objects.get(phone=PHONE).tries == 0 and not Citizen.objects.exists()


@pytest.mark.parametrize(("field", "value", "code"), [
    ("password", "12345678", "accounts.password_weak"),
    ("region", "131082", "accounts.region_not_served"),
    ("name", "  ", "accounts.name_missing"),
    ("phone", "0101234567", "accounts.phone_format"),
])
def test_other_fields_are_checked(regions, field, value, code):
    do_send_code(PHONE, "register")
    assert refused(do_register, registration(code=sms_code(PHONE), **{field: value}), regions=SERVED) == code
    assert not Citizen.objects.exists()
