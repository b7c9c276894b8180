"""The QR code on every notice: it encodes the absolute URL of the case's tracking page — or, on the
completion notice of a signed result, of the document's verify page (docs/verification.md).

One `segno` symbol, two renderings: inline SVG for the page, and the module matrix, which the PDF
writer draws as vector rectangles — so the page and the PDF always carry the same code.
"""

from __future__ import annotations

import segno

# Error correction M (15 %) survives a crease or a smudge on a printed notice and keeps a
# ~60-character URL at version 3–4, large enough to scan from A4 at 3 cm.
ERROR_LEVEL = "m"
QUIET_ZONE = 4  # modules of white border, as ISO/IEC 18004 asks for


def make(url: str) -> segno.QRCode:
    return segno.make(url, error=ERROR_LEVEL, micro=False)


def svg(url: str, *, scale: int = 4, title: str = "扫码查询办理进度") -> str:
    """Inline `<svg>` with a viewBox (CSS sets its printed size) and a <title> for screen readers."""
    return make(url).svg_inline(scale=scale, border=QUIET_ZONE, title=title, svgclass="qr",
                                omitsize=True)


def matrix(url: str) -> list[list[bool]]:
    """Rows of modules including the quiet zone; True = dark."""
    return [[bool(module) for module in row] for row in make(url).matrix_iter(border=QUIET_ZONE)]
