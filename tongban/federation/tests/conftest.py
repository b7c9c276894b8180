"""Two node identities in one test database: this node is 通州; 廊坊 is a peer whose messages we forge.

`as_node("langfang")` switches the settings to the peer's id, key and case prefix, so the real case
actions produce exactly what the peer would send; messages are then fed to this node's inbox.
"""

from __future__ import annotations

import contextlib
import json

import pytest
from django.test import override_settings

from tongban.cases.tests.conftest import application, people, rsj_item  # noqa: F401
from tongban.federation import keys
from tongban.federation.models import OutboxMessage
from tongban.federation.outbox import wire_message

LANGFANG_REGIONS = ["131000", "131082", "131028", "131024", "131000-LK"]


@pytest.fixture
def nodes(tmp_path, settings):
    key_files = {n: str(tmp_path / f"{n}.pem") for n in ("tongzhou", "langfang", "intruder")}
    entries = []
    for node_id, regions in (("tongzhou", ["110112"]), ("langfang", LANGFANG_REGIONS)):
        with override_settings(TONGBAN_NODE_KEY_FILE=key_files[node_id]):
            entries.append({"id": node_id, "name": f"{node_id} 节点", "url": f"http://{node_id}.invalid",
                            "public_key": keys.public_key_text(), "regions": regions})
    bundle = tmp_path / "trust.json"
    bundle.write_text(json.dumps({"nodes": entries}), encoding="utf-8")
    settings.TONGBAN_NODE_ID, settings.TONGBAN_CASE_PREFIX = "tongzhou", "TZ"
    settings.TONGBAN_NODE_KEY_FILE, settings.TONGBAN_TRUST_BUNDLE = key_files["tongzhou"], str(bundle)

    @contextlib.contextmanager
    def as_node(node_id: str, prefix: str = "LF"):
        with override_settings(TONGBAN_NODE_ID=node_id, TONGBAN_NODE_KEY_FILE=key_files[node_id],
                               TONGBAN_CASE_PREFIX=prefix):
            yield

    return {"as_node": as_node, "bundle": bundle, "entries": entries, "key_files": key_files}


@pytest.fixture
def from_langfang(nodes):
    """sealed(message_row) → the wire form of an outbox row written 'at 廊坊', signed with 廊坊's key."""

    def sealed(row: OutboxMessage) -> dict:
        with nodes["as_node"]("langfang"):
            return wire_message(row)

    return sealed


def take_outbox() -> list[OutboxMessage]:
    """The outbox rows written so far (then removed: they were 'at the other node')."""
    rows = list(OutboxMessage.objects.order_by("seq"))
    OutboxMessage.objects.all().delete()
    return rows
