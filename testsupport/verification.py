"""Test support (imported by tests only): a node of its own per test, and a second node's signature."""

from __future__ import annotations

import json

import pytest

from tongban.federation import keys


@pytest.fixture
def isolated_node(settings, tmp_path):
    """This node runs alone ("local") with a fresh key in tmp_path: tests never touch var/node_key.pem."""
    settings.TONGBAN_NODE_ID = ""
    settings.TONGBAN_TRUST_BUNDLE = ""
    settings.TONGBAN_NODE_KEY_FILE = str(tmp_path / "node_key.pem")
    return tmp_path


def write_bundle(path, nodes: list[dict]) -> str:
    """A trust bundle file; `nodes` are (id, name, url, key file, regions) dicts as in docs/federation."""
    entries = []
    for node in nodes:
        # keys.private_key() is cached by path, so each key file is one stable key
        key = keys._private_key(str(node["key_file"]))
        entries.append({"id": node["id"], "name": node["name"], "url": node.get("url", ""),
                        "public_key": keys.public_key_text(key.public_key()), "regions": node.get("regions", [])})
    path.write_text(json.dumps({"nodes": entries}, ensure_ascii=False), encoding="utf-8")
    return str(path)
