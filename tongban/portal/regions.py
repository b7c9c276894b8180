"""The regions a resident may register in on this node: those the trust bundle says it serves.

accounts (a low layer) knows nothing of federation, so the portal decides and passes the codes in. A
node running alone (no trust bundle) serves every region of its catalogue (the one-node demo).
"""

from __future__ import annotations

from tongban.catalog.models import Region
from tongban.federation import trust


def served_regions() -> list[Region]:
    regions = Region.objects.order_by("code")
    if trust.federated():
        return list(regions.filter(code__in=trust.this_node().regions))
    return list(regions)
