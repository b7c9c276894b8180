"""Residents' accounts (实名注册): SMS codes, registration, login by code, enterprises and their 经办人.

Decisions (docs/citizens.md):
- A code is 6 digits from `secrets`, valid `CODE_TTL`, dead after `MAX_TRIES` wrong tries; a phone gets
  a new code at most every `RESEND_AFTER` and `MAX_SENDS_PER_HOUR` per hour (registration and login
  together). Only an HMAC of the code (keyed by SECRET_KEY, salted per row) is stored; the code is in
  no log and no audit entry. The SMS itself (its text) is the notification outbox's row.
- Registration checks the code first, then whether the ID number or phone is taken: a taken one
  counts as a wrong try too, so one code cannot probe many ID numbers. The code is used up only by a
  successful registration.
- Refusals that touch personal data (wrong, expired or dead code, a taken ID number or phone, a taken
  enterprise) are recorded in the audit trail, masked, in the same transaction that counts the try;
  the error is raised after it commits. Format errors (a bad checksum) are refused before anything
  is written and are not recorded.
- The username of a resident's `User` is "c" + the phone at registration: a stable handle only; a
  resident logs in by phone (`accounts.backends.PhoneBackend`), never by username (neither here nor on
  the staff page: `accounts.backends.StaffBackend` never authenticates a resident).
- The regions a resident may register in are passed in by the caller (the portal asks the trust bundle
  which regions this node serves): this layer knows nothing of federation.
- An enterprise binding is self-declared by its legal representative: the credit code and the legal
  representative's ID pass their checksums, the ID must be the registrant's own (verified at
  registration) and the registry port (`accounts.ports`) is asked; an existing credit code is refused.
  Further 经办人 are not supported yet (they need an invitation the other resident accepts).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from tongban.accounts import ports
from tongban.accounts.models import Citizen, CodePurpose, Enterprise, PhoneCode, citizen_of, profile_of
from tongban.audit.actions import do_append
from tongban.catalog.models import Region
from tongban.core import clock
from tongban.core.errors import Conflict, Invalid, NotAllowed, NotFound, TongbanError
from tongban.core.identity import (
    PHONE_RE,
    check_credit_code,
    check_resident_id,
    mask_credit_code,
    mask_id,
    mask_phone,
    normalise_phone,
)
from tongban.core.typing import Actor, User
from tongban.notifications.actions import do_notify
from tongban.notifications.models import Channel, Notification

CODE_TTL = timedelta(minutes=5)
MAX_TRIES = 5
RESEND_AFTER = timedelta(seconds=60)
MAX_SENDS_PER_HOUR = 5
PUBLIC = "公众"  # the audit actor of a request without an account


class Throttled(NotAllowed):
    """Too many codes asked for: wait (429)."""

    status = 429
    code = "accounts.code_too_soon"


# ---- identifiers -------------------------------------------------------------------------------------

def check_mobile(value: str) -> str:
    """An 11-digit mainland mobile number (a code goes by SMS, so no landline), normalised."""
    number = normalise_phone(value)
    if not PHONE_RE.fullmatch(number):
        raise Invalid("请填写 11 位手机号", code="accounts.phone_format")
    return number


# ---- codes -------------------------------------------------------------------------------------------

def code_digest(salt: str, phone: str, code: str) -> str:
    """HMAC-SHA256 of the code under SECRET_KEY: a database copy alone does not give the codes away."""
    return salted_hmac("tongban.accounts.phone_code", f"{salt}:{phone}:{code}", algorithm="sha256").hexdigest()


def check_can_send(phone: str) -> str:
    """The normalised phone if it may get a code now; `Throttled` if it got one too recently or too often."""
    phone = check_mobile(phone)
    now = clock.now()
    recent = list(PhoneCode.objects.filter(phone=phone, created_at__gt=now - timedelta(hours=1))
                  .order_by("-created_at").values_list("created_at", flat=True)[:MAX_SENDS_PER_HOUR])
    if recent and recent[0] > now - RESEND_AFTER:
        wait = int((recent[0] + RESEND_AFTER - now).total_seconds()) + 1
        raise Throttled(f"验证码已发送，请 {wait} 秒后再获取", code="accounts.code_too_soon")
    if len(recent) >= MAX_SENDS_PER_HOUR:
        raise Throttled("该手机号一小时内获取验证码次数过多，请稍后再试", code="accounts.code_too_many")
    return phone


def do_send_code(phone: str, purpose: str) -> PhoneCode:
    """Send a new code to `phone` for `purpose` (注册: the phone must be free; 登录: it must be a resident's).

    Writes the code row and the SMS (notifications outbox) in one transaction; locks nothing (two
    concurrent requests for one phone may both pass the throttle: at most one extra SMS).
    """
    if purpose not in CodePurpose.values:
        raise Invalid("验证码用途不正确", code="accounts.code_purpose")
    phone = check_mobile(phone)
    registered = Citizen.objects.filter(phone=phone).exists()
    if purpose == CodePurpose.REGISTER and registered:
        raise Conflict("该手机号已注册，请直接登录", code="accounts.phone_taken")
    if purpose == CodePurpose.LOGIN and not registered:
        raise NotFound("该手机号尚未注册实名账号，请先注册", code="accounts.phone_unknown")
    phone = check_can_send(phone)
    code = f"{secrets.randbelow(1_000_000):06d}"
    salt = secrets.token_hex(8)
    now = clock.now()
    with transaction.atomic():
        row = PhoneCode.objects.create(phone=phone, purpose=purpose, salt=salt, digest=code_digest(salt, phone, code),
                                       created_at=now, expires_at=now + CODE_TTL)
        label = CodePurpose(purpose).label
        do_notify(event=f"code:{phone}:{row.pk}", phone=phone,
                  text=f"【通办】验证码 {code}，用于{label}，5 分钟内有效。如非本人操作请忽略，切勿告知他人。")
        do_append(actor=PUBLIC, action="accounts.code_sent", subject=f"phone:{mask_phone(phone)}",
                  data={"phone": phone, "purpose": purpose})
    return row


def _live_code(phone: str, purpose: str) -> PhoneCode | None:
    """The newest code of a phone and purpose, locked (the caller is inside a transaction)."""
    return (PhoneCode.objects.select_for_update().filter(phone=phone, purpose=purpose)
            .order_by("-created_at", "-id").first())


def _code_refusal(row: PhoneCode | None, phone: str, code: str) -> TongbanError | None:
    """Why `code` does not open `row`, or None. A wrong code counts a try (saved by the caller's transaction)."""
    if row is None or row.used_at is not None:
        return Invalid("请先获取验证码", code="accounts.code_missing")
    if row.tries >= MAX_TRIES:
        return NotAllowed("验证码输错次数过多，已失效，请重新获取", code="accounts.code_dead")
    if row.expires_at <= clock.now():
        return Invalid("验证码已过期，请重新获取", code="accounts.code_expired")
    if not hmac.compare_digest(row.digest, code_digest(row.salt, phone, (code or "").strip())):
        return Invalid(_count_try(row, "验证码不正确"), code="accounts.code_wrong")
    return None


def _count_try(row: PhoneCode, message: str) -> str:
    row.tries += 1
    row.save(update_fields=["tries"])
    left = MAX_TRIES - row.tries
    return f"{message}，还可再试 {left} 次" if left > 0 else f"{message}，验证码已失效，请重新获取"


def _record_refusal(error: TongbanError, *, actor: str, subject: str, data: dict) -> None:
    do_append(actor=actor, action="accounts.refused", subject=subject, data={"code": error.code, **data})


# ---- registration ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Registration:
    phone: str
    code: str
    name: str
    id_number: str
    password: str
    region: str  # a region code


def check_registration(reg: Registration, regions: Collection[str]) -> Registration:
    """The registration with normalised identifiers, or `Invalid` (nothing is written or recorded)."""
    name = " ".join((reg.name or "").split())
    if not name or len(name) > 50:
        raise Invalid("请填写姓名（不超过 50 个字）", code="accounts.name_missing")
    phone = check_mobile(reg.phone)
    id_number = check_resident_id(reg.id_number, today=clock.today())
    if reg.region not in regions:
        raise Invalid("请选择本节点服务的地区", code="accounts.region_not_served")
    try:
        validate_password(reg.password or "", user=get_user_model()(username=f"c{phone}", first_name=name))
    except ValidationError as exc:
        raise Invalid("；".join(exc.messages), code="accounts.password_weak") from None
    return Registration(phone=phone, code=(reg.code or "").strip(), name=name, id_number=id_number,
                        password=reg.password, region=reg.region)


def do_register(reg: Registration, *, regions: Collection[str]) -> Citizen:
    """Create the resident's `User` and `Citizen` (phone verified now) if the code opens; else refuse.

    `regions`: the codes of the regions this node serves (the caller decides). Locks the live code row.
    A refusal after the formats passed (wrong/expired/dead code, a taken ID number or phone) is
    recorded (and a wrong code or a taken number counts a try) before the error is raised.
    """
    reg = check_registration(reg, regions)
    subject = f"phone:{mask_phone(reg.phone)}"
    with transaction.atomic():
        row = _live_code(reg.phone, CodePurpose.REGISTER)
        refusal = _code_refusal(row, reg.phone, reg.code)
        if refusal is None and row is not None:
            if Citizen.objects.filter(id_number=reg.id_number).exists():
                refusal = Conflict(_count_try(row, "该身份证号已注册实名账号，请用注册时的手机号登录"),
                                   code="accounts.id_number_taken")
            elif (Citizen.objects.filter(phone=reg.phone).exists()
                  or get_user_model().objects.filter(username=f"c{reg.phone}").exists()):
                refusal = Conflict("该手机号已注册，请直接登录", code="accounts.phone_taken")
        if refusal is None and row is not None:
            now = clock.now()
            user = get_user_model().objects.create_user(f"c{reg.phone}", password=reg.password, first_name=reg.name)
            citizen = Citizen.objects.create(user=user, name=reg.name, id_number=reg.id_number, phone=reg.phone,
                                             region=Region.objects.get(code=reg.region), phone_verified_at=now,
                                             created_at=now)
            row.used_at = now
            row.save(update_fields=["used_at"])
            do_append(actor=user.get_username(), action="accounts.register", subject=f"citizen:{citizen.pk}",
                      data={"id_number": reg.id_number, "phone": reg.phone, "region": reg.region})
            return citizen
        assert refusal is not None
        _record_refusal(refusal, actor=PUBLIC, subject=subject,
                        data={"step": "register", "phone": reg.phone, "id_number": mask_id(reg.id_number)})
    raise refusal


# ---- login -------------------------------------------------------------------------------------------

def check_resident_login(user: User) -> User:
    """`user` if they may use the residents' login; staff are sent to theirs (accounts.use_staff_login)."""
    if profile_of(user) is not None or citizen_of(user) is None:
        raise NotAllowed("这不是实名账号：工作人员请从“工作人员登录”（/accounts/login/）登录",
                         code="accounts.use_staff_login")
    if not user.is_active:
        raise NotAllowed("该账号已停用", code="accounts.inactive")
    return user


def check_password_login(request: HttpRequest | None, login: str, password: str) -> User:
    """The resident with this phone and password (`PhoneBackend`); else `Invalid` (accounts.bad_credentials).

    Only a phone number logs in here (normalised by `normalise_phone`); anything else (a username,
    staff's or a resident's internal "c…") is refused as a format error (accounts.phone_format) without
    checking any password. Failed tries are not recorded here: the page counts them per address and
    phone (portal.views).
    """
    phone = normalise_phone(login)
    if not PHONE_RE.fullmatch(phone):
        raise Invalid("请用实名账号的 11 位手机号登录；工作人员请从“工作人员登录”（/accounts/login/）登录",
                      code="accounts.phone_format")
    user = authenticate(request, phone=phone, password=password or "")
    if user is not None:
        return check_resident_login(user)
    raise Invalid("手机号或密码不正确", code="accounts.bad_credentials")


def do_login_with_code(phone: str, code: str) -> User:
    """The resident whose phone this code was sent to (the code is used up), or a recorded refusal.

    Locks the live login code row.
    """
    phone = check_mobile(phone)
    with transaction.atomic():
        row = _live_code(phone, CodePurpose.LOGIN)
        refusal = _code_refusal(row, phone, code)
        citizen = Citizen.objects.select_related("user").filter(phone=phone).first()
        if refusal is None and row is not None and citizen is not None:
            user = check_resident_login(citizen.user)
            row.used_at = clock.now()
            row.save(update_fields=["used_at"])
            do_append(actor=user.get_username(), action="accounts.code_login", subject=f"citizen:{citizen.pk}")
            return user
        refusal = refusal or NotFound("该手机号尚未注册实名账号", code="accounts.phone_unknown")
        _record_refusal(refusal, actor=PUBLIC, subject=f"phone:{mask_phone(phone)}",
                        data={"step": "login", "phone": phone})
    raise refusal


# ---- enterprises -------------------------------------------------------------------------------------

def check_resident(user: Actor) -> Citizen:
    citizen = citizen_of(user)
    if citizen is None:
        raise NotAllowed("请先以实名账号登录", code="accounts.not_citizen")
    return citizen


def do_register_enterprise(user: Actor, *, credit_code: str, name: str, legal_representative_id: str) -> Enterprise:
    """Register an enterprise with the resident, its legal representative, as its first 经办人.

    Only the legal representative declares an enterprise here: `legal_representative_id` must be the
    resident's own ID number (accounts.not_legal_representative, recorded). An existing credit code is
    refused (accounts.enterprise_taken, recorded). Further 经办人 are not supported yet.
    The binding is self-declared; `accounts.ports.enterprise_registry()` is asked first. Locks nothing
    (the unique credit code decides a race).
    """
    citizen = check_resident(user)
    credit_code = check_credit_code(credit_code)
    legal_representative_id = check_resident_id(legal_representative_id, today=clock.today())
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise Invalid("请填写企业名称（不超过 100 个字）", code="accounts.enterprise_name_missing")
    actor, subject = citizen.user.get_username(), f"citizen:{citizen.pk}"
    if legal_representative_id != citizen.id_number:
        refusal: TongbanError = NotAllowed(
            "只有企业的法定代表人本人可以在此登记企业：法定代表人身份证号须与您实名注册的身份证号一致",
            code="accounts.not_legal_representative")
        with transaction.atomic():
            _record_refusal(refusal, actor=actor, subject=subject,
                            data={"step": "enterprise", "credit_code": mask_credit_code(credit_code),
                                  "legal_representative_id": mask_id(legal_representative_id)})
        raise refusal
    ports.enterprise_registry()(credit_code=credit_code, name=name, legal_representative_id=legal_representative_id)
    with transaction.atomic():
        if not Enterprise.objects.filter(credit_code=credit_code).exists():
            enterprise = Enterprise.objects.create(credit_code=credit_code, name=name, created_at=clock.now(),
                                                   legal_representative_id=legal_representative_id)
            enterprise.agents.add(citizen)
            do_append(actor=actor, action="accounts.enterprise_register",
                      subject=f"enterprise:{enterprise.pk}",
                      data={"credit_code": credit_code, "name": name, "legal_representative_id_number":
                            legal_representative_id, "agent": f"citizen:{citizen.pk}"})
            return enterprise
        refusal = Conflict("该企业已登记，如有疑问请到政务服务窗口办理", code="accounts.enterprise_taken")
        _record_refusal(refusal, actor=actor, subject=subject,
                        data={"step": "enterprise", "credit_code": mask_credit_code(credit_code)})
    raise refusal


# ---- what a resident owns ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ApplicantKeys:
    """What marks a case received without an account as a resident's: their ID number *and* their verified
    phone, both on the case (an ID number alone is typed by whoever brings it to a window)."""

    id_number: str
    phone: str


def applicant_keys(user: Actor | None) -> ApplicantKeys | None:
    """The resident's keys, or None (no real-name account, or its phone not verified)."""
    citizen = citizen_of(user)
    if citizen is None or citizen.phone_verified_at is None or not citizen.phone:
        return None
    return ApplicantKeys(citizen.id_number, citizen.phone)


def do_open_message(user: Actor, notification_id: int) -> Notification:
    """The user's own 站内信, marked read now if it was unread (NotFound otherwise).

    Not audited: reading one's messages changes nothing of the service.
    """
    if not user.is_authenticated:
        raise NotFound("没有这条消息", code="accounts.message_not_found")
    with transaction.atomic():
        message = (Notification.objects.select_for_update()
                   .filter(pk=notification_id, user=user, channel=Channel.INBOX).first())
        if message is None:
            raise NotFound("没有这条消息", code="accounts.message_not_found")
        if message.read_at is None:
            message.read_at = clock.now()
            message.save(update_fields=["read_at"])
    return message
