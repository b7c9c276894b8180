"""Staff profiles: who is staff (`profile_of`), what each role must name, and the admin's list."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from tongban.accounts.models import Role, StaffProfile, profile_of
from tongban.catalog.models import Channel, ChannelKind, Department, Region, ServiceCentre

TONGZHOU = "110112"
RSJ = "北京市通州区人力资源和社会保障局"
CENTRE = "北京城市副中心政务服务中心"


@pytest.fixture
def tongzhou(demo) -> Region:
    return Region.objects.get(code=TONGZHOU)


def _user(username: str):
    return get_user_model().objects.create_user(username, password="pw-for-tests-only")


def _profile(username: str, role: str, region: Region, **places) -> StaffProfile:
    """An unsaved profile of a new user (clean() is what the admin form calls)."""
    return StaffProfile(user=_user(username), role=role, region=region, **places)


def test_profile_of_is_none_for_anonymous_users_and_citizens(tongzhou):
    assert profile_of(AnonymousUser()) is None
    assert profile_of(None) is None  # e.g. a system action without a user
    assert profile_of(_user("citizen")) is None


def test_profile_of_gives_a_staff_users_profile(tongzhou):
    profile = _profile("tz_admin", Role.ADMIN, tongzhou)
    profile.save()
    found = profile_of(get_user_model().objects.get(username="tz_admin"))
    assert found == profile and found.role == Role.ADMIN and found.region == tongzhou
    assert str(found) == f"tz_admin（管理员，{tongzhou.short_name}）"


def test_a_window_officer_needs_a_service_centre(tongzhou):
    window = _profile("tz_window", Role.WINDOW, tongzhou)
    with pytest.raises(ValidationError) as missing:
        window.clean()
    assert set(missing.value.message_dict) == {"centre"}
    window.centre = ServiceCentre.objects.get(name=CENTRE)
    window.clean()


def test_an_approver_needs_a_department(tongzhou):
    approver = _profile("tz_rsj", Role.APPROVER, tongzhou)
    with pytest.raises(ValidationError) as missing:
        approver.clean()
    assert set(missing.value.message_dict) == {"department"}
    approver.department = Department.objects.get(region=tongzhou, name=RSJ)
    approver.clean()


def test_bank_staff_need_a_bank_outlet_channel(tongzhou):
    bank = _profile("tz_bank", Role.BANK, tongzhou)
    with pytest.raises(ValidationError) as missing:
        bank.clean()
    assert set(missing.value.message_dict) == {"channel"}
    bank.channel = Channel.objects.exclude(kind=ChannelKind.BANK).first()  # a window or a terminal is not enough
    with pytest.raises(ValidationError) as wrong_kind:
        bank.clean()
    assert set(wrong_kind.value.message_dict) == {"channel"}
    bank.channel = Channel.objects.filter(kind=ChannelKind.BANK).first()
    bank.clean()


def test_an_administrator_names_only_a_region(tongzhou):
    _profile("tz_admin", Role.ADMIN, tongzhou).clean()


def test_one_profile_per_user(tongzhou):
    profile = _profile("tz_admin", Role.ADMIN, tongzhou)
    profile.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffProfile.objects.create(user=profile.user, role=Role.WINDOW, region=tongzhou,
                                    centre=ServiceCentre.objects.get(name=CENTRE))


def test_a_department_with_staff_cannot_be_deleted(tongzhou):
    department = Department.objects.get(region=tongzhou, name=RSJ)
    _profile("tz_rsj", Role.APPROVER, tongzhou, department=department).save()
    with pytest.raises(ProtectedError):
        department.delete()
    profile = profile_of(get_user_model().objects.get(username="tz_rsj"))
    assert profile is not None
    assert profile.department == department


def test_deleting_the_user_deletes_the_profile(tongzhou):
    profile = _profile("tz_admin", Role.ADMIN, tongzhou)
    profile.save()
    profile.user.delete()
    assert not StaffProfile.objects.filter(pk=profile.pk).exists()


def test_the_admin_lists_staff_by_role(client, tongzhou):
    _profile("tz_window", Role.WINDOW, tongzhou, centre=ServiceCentre.objects.get(name=CENTRE)).save()
    _profile("tz_rsj", Role.APPROVER, tongzhou, department=Department.objects.get(region=tongzhou, name=RSJ)).save()
    client.force_login(get_user_model().objects.create_superuser("root", password="pw-for-tests-only"))
    listed = client.get("/admin/accounts/staffprofile/", {"role": Role.WINDOW})
    assert listed.status_code == 200
    html = listed.content.decode()
    assert "tz_window" in html and "tz_rsj" not in html
