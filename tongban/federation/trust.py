"""The trust bundle: which nodes this node trusts, where they are, their keys and the regions they serve.

A JSON file (TONGBAN_TRUST_BUNDLE) that both operators agree on:

    {"nodes": [{"id": "tongzhou", "name": "通州区节点", "url": "http://127.0.0.1:8000",
                "public_key": "<base64 Ed25519>", "regions": ["110112"]}, ...]}

It lists this node too (its own entry gives its URL and regions). Removing a peer from the file ends
the trust: its messages, receipts and documents stop verifying at once (the file is re-read when it
changes). Without a bundle the node runs alone ("local") and trusts only its own key.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings

from tongban.core.errors import NotAllowed
from tongban.federation import keys


class TrustError(NotAllowed):
    """Unknown node, bad signature or a malformed bundle; the message is for the operator."""

    code = "trust.untrusted"


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    url: str
    public_key: Ed25519PublicKey
    regions: tuple[str, ...]


_cache: dict[str, tuple[float, dict[str, Node]]] = {}


def load_bundle(path: str | None = None) -> dict[str, Node]:
    """All nodes of the bundle by id (read again whenever the file changes)."""
    path = path if path is not None else settings.TONGBAN_TRUST_BUNDLE
    if not path:
        return {}
    try:
        mtime = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        raise TrustError(f"信任列表文件不存在：{path}", code="trust.bundle_missing") from None
    cached = _cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    nodes = parse_bundle(Path(path).read_text(encoding="utf-8"))
    _cache[path] = (mtime, nodes)
    return nodes


def parse_bundle(text: str) -> dict[str, Node]:
    try:
        data = json.loads(text)
        entries = data["nodes"]
        nodes = {}
        for entry in entries:
            node = Node(id=str(entry["id"]), name=str(entry.get("name", entry["id"])),
                        url=str(entry["url"]).rstrip("/"), public_key=keys.load_public_key(entry["public_key"]),
                        regions=tuple(str(r) for r in entry.get("regions", [])))
            if node.id in nodes:
                raise TrustError(f"信任列表中节点 {node.id} 出现两次", code="trust.bundle_malformed")
            nodes[node.id] = node
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise TrustError(f"信任列表格式错误：{exc}", code="trust.bundle_malformed") from None
    return nodes


def this_node() -> Node:
    """This node: its bundle entry, or a stand-alone entry built from its own key."""
    entry = load_bundle().get(keys.node_id())
    if entry is not None:
        return entry
    return Node(id=keys.node_id(), name=keys.node_id(), url="", public_key=keys.private_key().public_key(),
                regions=())


def federated() -> bool:
    """True when this node is one of several in a trust bundle."""
    return bool(settings.TONGBAN_NODE_ID) and len(load_bundle()) > 1


def peers() -> dict[str, Node]:
    return {k: v for k, v in load_bundle().items() if k != keys.node_id()}


def node(node_id: str) -> Node:
    if node_id == keys.node_id():
        return this_node()
    found = load_bundle().get(node_id)
    if found is None:
        raise TrustError(f"未知节点：{node_id}（不在信任列表中）", code="trust.unknown_node")
    return found


def node_name(node_id: str) -> str:
    """The node's name for people (from the bundle), or its id if it has no entry."""
    try:
        return node(node_id).name
    except TrustError:
        return node_id


def node_for_region(code: str, parent_code: str | None = None) -> str:
    """The id of the node serving a region (or its parent, e.g. 三河市 → 廊坊市); this node if none is listed."""
    for candidate in (code, parent_code):
        for entry in load_bundle().values():
            if candidate and candidate in entry.regions:
                return entry.id
    return keys.node_id()


def verify(node_id: str, data: bytes, signature: str) -> None:
    """Raise TrustError unless `signature` is `node_id`'s signature over `data`."""
    public_key = node(node_id).public_key
    try:
        public_key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, binascii.Error, ValueError):
        raise TrustError(f"签名无效：不是节点 {node_id} 的签名，或内容已被改动", code="trust.bad_signature") from None
