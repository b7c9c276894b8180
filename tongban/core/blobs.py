"""Uploaded files (申请材料): what a file is, judged by its content, and a content-addressed store for it.

Decisions:
- **The type comes from the bytes, never from the name or the browser's Content-Type.** Only PDF, JPEG
  and PNG are accepted (`sniff`): an .exe renamed .pdf, an HTML page or an empty file is refused
  before anything is written. The pages serve a file with the type sniffed again from the stored bytes.
- **Stored by SHA-256** under the setting `TONGBAN_BLOB_DIR` (default `<DATA_DIR>/blobs`, outside any
  static or media root) as `<first two hex digits>/<sha256>`: the same file uploaded twice is stored
  once; a blob is never changed or deleted by the application. The database row (cases.CaseFile) says
  whose it is; who may read it is decided by the case page's access rule, never by knowing the hash.
- **Atomic and private**: written to a temporary file in the target directory, flushed, then
  `os.replace`d into place (a reader never sees half a file), mode 0600 in directories of mode 0700.
- **Size**: at most `TONGBAN_UPLOAD_MAX_BYTES` (default 10 MB) per file; the views read at most one
  byte more than that, so an oversized upload is refused without being held in memory whole.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from django.conf import settings

from tongban.core.errors import Invalid

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
LABELS = {PDF: "PDF", JPEG: "JPG", PNG: "PNG"}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sniff(data: bytes) -> str | None:
    """The MIME type of `data` by its first bytes: PDF, JPEG or PNG; None for anything else (or nothing)."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def max_bytes() -> int:
    return int(getattr(settings, "TONGBAN_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def check(data: bytes, *, area: str = "case") -> str:
    """The sniffed MIME type of an upload; `Invalid` (`<area>.file_too_large` / `<area>.file_type`) if refused."""
    limit = max_bytes()
    if len(data) > limit:
        raise Invalid(f"文件超过 {limit // (1024 * 1024)} MB，请压缩或分页后上传", code=f"{area}.file_too_large")
    mime = sniff(data)
    if mime is None:
        raise Invalid("只接受 PDF、JPG、PNG 格式的文件（按文件内容判断，与文件名无关）", code=f"{area}.file_type")
    return mime


def blob_dir() -> Path:
    return Path(settings.TONGBAN_BLOB_DIR)


def blob_path(sha: str) -> Path:
    """Where the blob `sha` is (or would be) stored; `ValueError` for anything but 64 lower-case hex digits."""
    if not _SHA256.match(sha):
        raise ValueError(f"not a sha256: {sha!r}")
    return blob_dir() / sha[:2] / sha


def store(data: bytes) -> str:
    """Write `data` once (idempotent by content) and return its SHA-256 (hex). The caller checked it first."""
    sha = hashlib.sha256(data).hexdigest()
    path = blob_path(sha)
    if path.exists():
        return sha
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # mkstemp creates it with mode 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return sha


def open_blob(sha: str) -> bytes:
    """The stored bytes of `sha`; `FileNotFoundError` if it is not stored here."""
    return blob_path(sha).read_bytes()
