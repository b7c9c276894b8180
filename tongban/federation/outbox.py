"""Writing to the outbox (inside the caller's transaction) and delivering from it (the worker).

`enqueue_case` is called by the case actions in the same transaction as the change, so a change is
sent if and only if it committed. `deliver_once` sends each peer's pending messages in sequence
order, one at a time, and stops at the first failure of that peer (its later messages must wait:
the receiver applies a peer's messages strictly in order). A failed peer is retried with exponential
backoff: 0.5 s, 1 s, 2 s … up to 30 s.
"""

from __future__ import annotations

import datetime
import json
import logging
import urllib.error
import urllib.request

from django.db import transaction
from django.db.models import F

from tongban.cases.models import Case
from tongban.core import clock
from tongban.federation import casefiles, casesync, envelope, routing, trust
from tongban.federation.models import OutboxMessage, PeerSequence

log = logging.getLogger(__name__)
BACKOFF_START, BACKOFF_MAX = 0.5, 30.0
TIMEOUT = 10.0


def next_seq(peer: str) -> int:
    """The next outgoing sequence number for `peer`. The UPDATE locks the row until the caller commits."""
    PeerSequence.objects.get_or_create(peer=peer)
    PeerSequence.objects.filter(peer=peer).update(last_sent=F("last_sent") + 1)
    return PeerSequence.objects.values_list("last_sent", flat=True).get(peer=peer)


def enqueue(peer: str, kind: str, body: dict, case_number: str = "") -> OutboxMessage:
    assert transaction.get_connection().in_atomic_block, "enqueue inside the transaction of the change"
    at = clock.now()
    return OutboxMessage.objects.create(recipient=peer, seq=next_seq(peer), kind=kind, case_number=case_number,
                                        body=body, created_at=at, next_attempt_at=at)


def enqueue_case(case: Case) -> list[OutboxMessage]:
    """Queue the case's new state for the other nodes that keep it. Call inside the change's transaction."""
    peers = routing.peers_of(case)
    if not peers:
        return []
    body = casesync.snapshot(case)
    messages = []
    for peer in peers:  # the bytes of its files first: the peer has them when the update names them
        messages += [enqueue(peer, casefiles.KIND, blob, case.number) for blob in casefiles.blob_messages(case, peer)]
        messages.append(enqueue(peer, "case.update", body, case.number))
    return messages


def wire_message(message: OutboxMessage) -> dict:
    """The signed form of an outbox row. The time is the row's, so a re-send is byte-identical."""
    return envelope.seal(recipient=message.recipient, message_id=message.message_id, seq=message.seq,
                         case=message.case_number, kind=message.kind,
                         body=casefiles.wire_body(message.kind, message.body),
                         time=message.created_at.isoformat())


def post(url: str, payload: dict, timeout: float = TIMEOUT) -> tuple[int, dict]:
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {"error": f"HTTP {exc.code}"}


def _fail(peer: str, message: OutboxMessage, error: str) -> None:
    delay = min(BACKOFF_START * 2 ** message.attempts, BACKOFF_MAX)
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=F("attempts") + 1, last_error=error[:300],
        next_attempt_at=clock.now() + datetime.timedelta(seconds=delay))


def deliver_peer(peer: str, limit: int = 200) -> tuple[int, bool]:
    """Send `peer`'s due messages in order. Returns (acknowledged, failed)."""
    node = trust.peers().get(peer)
    pending = list(OutboxMessage.objects.filter(recipient=peer, acked_at__isnull=True).order_by("seq")[:limit])
    if not pending or pending[0].next_attempt_at > clock.now():
        return 0, False
    if node is None:
        _fail(peer, pending[0], f"节点 {peer} 已不在信任列表中，消息暂停发送")
        return 0, True
    acked = 0
    for message in pending:
        wire = wire_message(message)
        try:
            status, answer = post(f"{node.url}/federation/inbox/", wire)
        except (OSError, ValueError) as exc:  # refused, reset, timeout, unreadable answer
            _fail(peer, message, f"连接失败：{exc}")
            return acked, True
        if status == 200:
            try:
                receipt = envelope.check_receipt(answer.get("receipt"), message=wire)
            except envelope.Refused as exc:
                _fail(peer, message, exc.reason)
                return acked, True
            OutboxMessage.objects.filter(pk=message.pk, acked_at__isnull=True).update(
                acked_at=clock.now(), receipt=receipt, last_error=receipt.get("reason", "")[:300])
            acked += 1
            continue
        if status == 409 and answer.get("error") == "gap" and isinstance(answer.get("expected"), int):
            _rewind(peer, answer["expected"], message)
        _fail(peer, message, f"HTTP {status}：{answer.get('detail') or answer.get('error') or ''}")
        return acked, True
    return acked, False


def _rewind(peer: str, expected: int, message: OutboxMessage) -> None:
    """The peer has applied only up to `expected - 1` (e.g. restored from a backup): send from there again."""
    if expected < message.seq:
        OutboxMessage.objects.filter(recipient=peer, seq__gte=expected).update(
            acked_at=None, receipt=None, next_attempt_at=clock.now())
        log.warning("peer %s expects #%s: re-sending from there", peer, expected)


def deliver_once() -> dict[str, tuple[int, bool]]:
    return {peer: deliver_peer(peer) for peer in trust.peers()}
