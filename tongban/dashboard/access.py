"""Who may see the dashboard, and which region's figures.

The dashboard is the joint meeting's view: administrators (and superusers, the node's operators)
see both regions and choose the region filter. Window officers and approvers see it too, but only
for their own region (the root of their profile's region: a 三河 window officer sees 廊坊市's
figures), so staff see only what their region allows. Citizens get 403; anonymous users go to login.
"""

from __future__ import annotations

from dataclasses import dataclass

from tongban.accounts.models import Role, profile_of
from tongban.catalog.models import Region
from tongban.core.typing import Actor


@dataclass(frozen=True)
class Viewer:
    allowed: bool
    locked_region: Region | None = None  # set when the viewer may see only this region

    def regions(self) -> list[Region]:
        """The regions the viewer may pick in the filter."""
        if self.locked_region is not None:
            return [self.locked_region]
        return list(Region.objects.filter(parent__isnull=True).order_by("code"))


def viewer(user: Actor) -> Viewer:
    profile = profile_of(user)
    if profile is None:
        return Viewer(allowed=bool(getattr(user, "is_superuser", False)))
    if profile.role == Role.ADMIN:
        return Viewer(allowed=True)
    region = profile.region
    root = region.parent if region.parent_id else region
    return Viewer(allowed=True, locked_region=root)
