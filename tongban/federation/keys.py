"""This node's identity: its id and its Ed25519 signing key (系统平台对接).

The private key lives in a PEM file (TONGBAN_NODE_KEY_FILE, default DATA_DIR/node_key.pem), created
with mode 0600 on first use. Only the public key ever leaves the node, through the trust bundle
(`tongban federation key` prints it). Signatures are base64 over canonical JSON (`canonical`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


def canonical(obj) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8 (the same on every node)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(obj) -> str:
    """SHA-256 of the canonical form, hex."""
    return hashlib.sha256(canonical(obj)).hexdigest()


def node_id() -> str:
    """This node's id in the trust bundle; "local" when the node runs alone."""
    return settings.TONGBAN_NODE_ID or "local"


def key_path() -> Path:
    return Path(settings.TONGBAN_NODE_KEY_FILE)


@lru_cache(maxsize=4)
def _private_key(path: str) -> Ed25519PrivateKey:
    file = Path(path)
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        new_key = Ed25519PrivateKey.generate()  # the OS CSPRNG
        pem = new_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process of this node created it first: use theirs
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
    key = serialization.load_pem_private_key(file.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{file} 不是 Ed25519 私钥")
    return key


def private_key() -> Ed25519PrivateKey:
    return _private_key(str(key_path()))


def public_key_text(key: Ed25519PublicKey | None = None) -> str:
    """The raw 32-byte public key, base64 — the form the trust bundle holds."""
    key = key or private_key().public_key()
    return base64.b64encode(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


def load_public_key(text: str) -> Ed25519PublicKey:
    raw = base64.b64decode(text, validate=True)
    return Ed25519PublicKey.from_public_bytes(raw)


def sign(data: bytes) -> str:
    return base64.b64encode(private_key().sign(data)).decode()
