"""Signed messages and receipts.

A message on the wire:

    {"sender": "langfang", "recipient": "tongzhou", "message_id": "<uuid>", "seq": 17,
     "case": "LF20260000042", "type": "case.update", "time": "2026-11-26T10:00:00+08:00",
     "body_digest": "<sha256 of canonical(body)>", "body": {...}, "signature": "<base64>"}

The signature covers every field but `body` and `signature` (canonical JSON); the body is bound
through its digest. A receipt is signed by the receiver over its own fields, after it committed.
"""

from __future__ import annotations

import uuid

from tongban.core import clock
from tongban.core.errors import TongbanError
from tongban.federation import keys, trust

HEADER_FIELDS = ("sender", "recipient", "message_id", "seq", "case", "type", "time", "body_digest")
RECEIPT_FIELDS = ("message_id", "sender", "recipient", "seq", "status", "reason", "body_digest")


class Refused(TongbanError):
    """The message cannot be accepted; `status` is the HTTP status, the text says why.

    `code` (federation.<reason>) says why for programs; `extra` goes on the wire answer as is —
    `{"error": "gap", "expected": n}` is what tells the sender to re-send from n (outbox._rewind).
    """

    code = "federation.refused"

    def __init__(self, reason: str, status: int = 403, *, code: str | None = None, **extra: object) -> None:
        super().__init__(reason, code=code)
        self.reason, self.status, self.extra = reason, status, extra


def seal(*, recipient: str, message_id: uuid.UUID | str, seq: int, case: str, kind: str, body: dict,
         time: str | None = None) -> dict:
    header = {"sender": keys.node_id(), "recipient": recipient, "message_id": str(message_id), "seq": seq,
              "case": case, "type": kind, "time": time or clock.now().isoformat(),
              "body_digest": keys.digest(body)}
    return {**header, "body": body, "signature": keys.sign(keys.canonical(header))}


def open_envelope(message: object) -> dict:
    """Check shape, recipient, sender and signature; return the message. Raises Refused."""
    if not isinstance(message, dict):
        raise Refused("消息格式错误：应为 JSON 对象", 400, code="federation.malformed")
    missing = [f for f in (*HEADER_FIELDS, "body", "signature") if f not in message]
    if missing:
        raise Refused(f"消息缺少字段：{', '.join(missing)}", 400, code="federation.malformed")
    if not isinstance(message["seq"], int) or message["seq"] < 1 or not isinstance(message["body"], dict):
        raise Refused("消息格式错误：seq 应为正整数，body 应为对象", 400, code="federation.malformed")
    try:
        uuid.UUID(str(message["message_id"]))
    except ValueError:
        raise Refused("消息编号格式错误", 400, code="federation.malformed") from None
    if message["recipient"] != keys.node_id():
        raise Refused(f"消息发给 {message['recipient']}，本节点是 {keys.node_id()}", 403,
                      code="federation.wrong_recipient")
    sender = str(message["sender"])
    if sender == keys.node_id() or sender not in trust.peers():
        raise Refused(f"未知发送节点：{sender}（不在信任列表中）", 403, code="federation.unknown_sender")
    header = {f: message[f] for f in HEADER_FIELDS}
    try:
        trust.verify(sender, keys.canonical(header), str(message["signature"]))
    except trust.TrustError as exc:
        raise Refused(str(exc), 403, code="federation.bad_signature") from None
    if keys.digest(message["body"]) != message["body_digest"]:
        raise Refused("消息内容与签名的摘要不符：内容已被改动", 403, code="federation.digest_mismatch")
    return message


def receipt_for(*, message_id: str, sender: str, seq: int, status: str, reason: str, body_digest: str) -> dict:
    """This node's signed receipt (Ed25519 is deterministic: the same receipt every time it is asked)."""
    fields = {"message_id": str(message_id), "sender": sender, "recipient": keys.node_id(), "seq": seq,
              "status": status, "reason": reason, "body_digest": body_digest}
    return {**fields, "signature": keys.sign(keys.canonical(fields))}


def check_receipt(receipt: object, *, message: dict) -> dict:
    """The sender's check of a receipt: it is the peer's signature over this very message."""
    if not isinstance(receipt, dict) or any(f not in receipt for f in (*RECEIPT_FIELDS, "signature")):
        raise Refused("回执格式错误", 502, code="federation.bad_receipt")
    fields = {f: receipt[f] for f in RECEIPT_FIELDS}
    if (fields["message_id"] != message["message_id"] or fields["recipient"] != message["recipient"]
            or fields["sender"] != message["sender"] or fields["body_digest"] != message["body_digest"]
            or fields["seq"] != message["seq"]):
        raise Refused("回执与所发消息不符", 502, code="federation.bad_receipt")
    try:
        trust.verify(message["recipient"], keys.canonical(fields), str(receipt["signature"]))
    except trust.TrustError as exc:
        raise Refused(f"回执签名无效：{exc}", 502, code="federation.bad_receipt") from None
    return receipt
