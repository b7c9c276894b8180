"""Per-peer figures of the exchange, for `tongban federation status` and the exchange status page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q

from tongban.core import clock
from tongban.federation import trust
from tongban.federation.models import InboxMessage, OutboxMessage, PeerSequence, RefusedMessage


@dataclass
class PeerStatus:
    peer: str
    name: str
    url: str
    trusted: bool
    sent: int
    acknowledged: int
    pending: int
    failing: int
    oldest_pending_seconds: float | None
    last_error: str
    received: int
    rejected: int
    last_applied: int
    refused: int


def peer_statuses() -> list[PeerStatus]:
    peers = trust.peers()
    names = set(peers) | set(OutboxMessage.objects.values_list("recipient", flat=True).distinct()) \
        | set(InboxMessage.objects.values_list("sender", flat=True).distinct())
    result = []
    for peer in sorted(names):
        out = OutboxMessage.objects.filter(recipient=peer).aggregate(
            sent=Count("pk"), acknowledged=Count("pk", filter=Q(acked_at__isnull=False)),
            failing=Count("pk", filter=Q(acked_at__isnull=True, attempts__gt=0)),
            oldest=Min("created_at", filter=Q(acked_at__isnull=True)))
        error = (OutboxMessage.objects.filter(recipient=peer, acked_at__isnull=True, attempts__gt=0)
                 .order_by("seq").values_list("last_error", flat=True).first()) or ""
        inbound = InboxMessage.objects.filter(sender=peer).aggregate(
            received=Count("pk"), rejected=Count("pk", filter=Q(status=InboxMessage.Status.REJECTED)),
            last=Max("seq"))
        sequence = PeerSequence.objects.filter(peer=peer).first()
        node = peers.get(peer)
        result.append(PeerStatus(
            peer=peer, name=node.name if node else peer, url=node.url if node else "", trusted=node is not None,
            sent=out["sent"], acknowledged=out["acknowledged"], pending=out["sent"] - out["acknowledged"],
            failing=out["failing"],
            oldest_pending_seconds=(clock.now() - out["oldest"]).total_seconds() if out["oldest"] else None,
            last_error=error, received=inbound["received"], rejected=inbound["rejected"],
            last_applied=sequence.last_applied if sequence else 0,
            refused=RefusedMessage.objects.filter(claimed_sender=peer).count()))
    return result
