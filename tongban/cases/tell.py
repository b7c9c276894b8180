"""Telling the applicant (告知申请人): one SMS and one 站内信 at each step of their case that they notice.

`tell_applicant(case, before)` is a case listener (setting `TONGBAN_CASE_LISTENERS`, called by
`cases.ports.case_changed` inside the transaction of every case change, so a message exists if and
only if the change committed). What it tells, by the state after and before the change:

| step | state | before | text says, and links to |
|---|---|---|---|
| 收件 | any | "" (new case) | received; the progress page |
| 受理 | accepted | submitted / forwarded | accepted, the legal limit; the progress page |
| 不予受理 | refused | — | refused and why; the progress page |
| 补正 | supplement | — | what is missing (the latest 补正告知); the upload page, or the centre (see 补正) |
| 办结 | decided | — | the outcome; the progress page (verification.tell links the signed result first, when it can) |
| 送达 | delivered | — | delivered, how; the progress page |

Decisions:

- **Who tells**: the case's receiving node (`federation().tells_applicant(case)`): the applicant applied
  there and their account lives there. A change made on the other node reaches it as a replicated
  update, and `case_changed` runs there too, so the applicant hears of every step once.
- **Once**: the event key is ``case:<number>:<state>:<version>`` (idempotent in `do_notify`), so a
  second 补正 of the same case is a new message, a replayed update is not.
- **补正**: the upload page /cases/<number>/supplement/ answers only the online applicant of a 全程网办
  case, so only such a case (with `applicant_user`) links it; any other (window, bank) is asked to bring
  the materials to the receiving centre (its name, else 收件窗口), with the progress page.
- **Where to**: an SMS to `applicant_phone` when it is a mobile number (a landline gets none); a
  站内信 to `applicant_user` when the case has one (online applications).
- **Text**: the platform's SMS shape (notifications/texts.py: 【通办】, at most 140 characters, the link
  whole at the end); free text (reasons) is masked (audit.masking) so an ID or phone number typed into a
  reason never leaves in an SMS; the applicant's own ID number is never included.
- Links are absolute, on `TONGBAN_PUBLIC_URL` (the node's public address).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.urls import reverse

from tongban.audit.masking import mask_text
from tongban.cases.models import Case, State
from tongban.cases.ports import federation
from tongban.catalog.models import Mode
from tongban.notifications.actions import do_notify
from tongban.notifications.texts import PREFIX, SMS_MAX, mobile, public_url, short, sms_text

ITEM_MAX = 16  # characters of the item's name kept in an SMS
CENTRE_MAX = 20  # characters of the receiving centre's name kept in an SMS


@dataclass(frozen=True)
class Message:
    body: str  # after 【通办】, before the link
    link: str


def progress_link(case: Case) -> str:
    """The public progress page (tracking app, found by URL name: cases does not import it) for this case."""
    return public_url(f"{reverse('tracking:progress')}?number={quote(case.number)}")


def message_for(case: Case, before: str) -> Message | None:
    """What the applicant is told about this change, or None (a step they need not hear of)."""
    head = f"您的办件{case.number}（{short(case.item.name, ITEM_MAX)}）"
    if before == "":
        return Message(f"{head}已收件，正在审核。查询进度：", progress_link(case))
    if case.state == before:
        return None
    if case.state == State.ACCEPTED and before in (State.SUBMITTED, State.FORWARDED):
        limit = f"，法定办理时限{case.legal_limit_days}个工作日" if case.legal_limit_days else ""
        return Message(f"{head}已受理{limit}。查询进度：", progress_link(case))
    if case.state == State.REFUSED:
        return Message(f"{head}不予受理，理由：{short(case.refusal_reason, 60)}。详情：", progress_link(case))
    if case.state == State.SUPPLEMENT:
        return supplement(case, head)
    if case.state == State.DECIDED:
        return decided(case, "查询进度：", progress_link(case))
    if case.state == State.DELIVERED:
        return Message(f"{head}办理结果已送达（{case.get_delivery_display()}）。查询进度：", progress_link(case))
    return None


def uploads_online(case: Case) -> bool:
    """The applicant can upload the missing materials at /cases/<number>/supplement/: the page answers
    only the online applicant (`applicant_user`) of a 全程网办 case (cases.actions.access.is_online_applicant)."""
    return case.mode == Mode.ONLINE and case.applicant_user_id is not None


def supplement(case: Case, head: str) -> Message:
    """The 补正 message: what is missing (the latest 补正告知), and where to hand it in.

    Online (`uploads_online`): the upload page. Otherwise (a window or bank case, an online case without
    an account): bring the materials to the receiving centre (its name, else "收件窗口"), with the progress
    page. The list is shortened to what fits in the SMS, so the instruction and the link are never cut."""
    notice = case.supplements.order_by("-requested_at", "-id").first()
    missing = "、".join(notice.missing) if notice is not None else ""
    if uploads_online(case):
        return Message(f"{head}需补正材料：{short(missing, 60)}。请在此上传：",
                       public_url(f"/cases/{quote(case.number)}/supplement/"))
    centre = case.receiving_centre
    place = short(centre.name, CENTRE_MAX) if centre is not None else "收件窗口"
    lead, tail, link = f"{head}需补正，请携带以下材料到{place}办理：", "。查询进度：", progress_link(case)
    room = SMS_MAX - len(PREFIX) - len(f"{lead}{tail} {link}")
    return Message(f"{lead}{short(missing, max(room, 2))}{tail}", link)


def decided(case: Case, lead: str, link: str) -> Message:
    """The 办结 message with its link (the progress page here; the verify page from verification.tell)."""
    head = f"您的办件{case.number}（{short(case.item.name, ITEM_MAX)}）"
    return Message(f"{head}已办结，结果：{case.get_outcome_display()}。{lead}", link)


def event_of(case: Case) -> str:
    return f"case:{case.number}:{case.state}:{case.version}"


def tell(case: Case, message: Message) -> None:
    """Queue the SMS (to a mobile number) and the 站内信 (to the applicant's account) of this change."""
    do_notify(event=event_of(case), text=sms_text(mask_text(message.body), message.link),
              phone=mobile(case.applicant_phone), user=case.applicant_user, link=message.link)


def tell_applicant(case: Case, before: str) -> None:
    """Case listener: tell the applicant of the change, on the node that tells them (see above)."""
    if not federation().tells_applicant(case):
        return
    message = message_for(case, before)
    if message is not None:
        tell(case, message)
