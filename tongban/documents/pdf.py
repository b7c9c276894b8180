"""A notice as an A4 PDF (reportlab), drawn from the same dict as the page (`context.build_notice`).

Fonts: `notice_font()` embeds WenQuanYi Micro Hei (Debian's `fonts-wqy-microhei`, subset into the
PDF, so any viewer shows the glyphs). Without it, the PDF falls back to reportlab's built-in CID font
STSong-Light, which is *not* embedded: the viewer must supply a Song font (Adobe Reader, pdf.js and
poppler do). The choice is logged once per process.
"""

from __future__ import annotations

import functools
import io
import logging
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors, textsplit
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus import paragraph as rl_paragraph

from tongban.documents import qr

logger = logging.getLogger(__name__)

EMBEDDED_FONT = "WenQuanYiMicroHei"
EMBEDDED_FONT_FILES = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),)
FALLBACK_FONT = "STSong-Light"
QR_SIZE = 30 * mm
INK = colors.HexColor("#1f2933")
RULE = colors.HexColor("#b3261e")

# reportlab's CJK wrapping keeps a character off the start of a line (it hangs in the margin instead)
# only if it is in ALL_CANNOT_START, which lacks the full-width ，；：？！ and closing quotes: without
# this a line can begin with "；". Both modules hold their own copy of the string; extending them is
# idempotent and affects only CJK wrapping.
for _module in (textsplit, rl_paragraph):
    _module.ALL_CANNOT_START += "".join(c for c in "，；：？！”’》" if c not in _module.ALL_CANNOT_START)


@functools.cache
def notice_font(candidates: tuple[Path, ...] = EMBEDDED_FONT_FILES) -> str:
    """Register and return the name of the font the PDFs use: the first TTC/TTF found, else STSong-Light."""
    for path in candidates:
        if path.is_file():
            try:
                pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, str(path), subfontIndex=0))
            except Exception:  # a broken or unsupported font file: try the next, then fall back
                logger.exception("documents: cannot load PDF font %s", path)
                continue
            logger.info("documents: PDF font %s embedded from %s", EMBEDDED_FONT, path)
            return EMBEDDED_FONT
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    logger.warning("documents: no Chinese TrueType font found (%s); PDFs use the non-embedded CID font %s",
                   ", ".join(map(str, candidates)), FALLBACK_FONT)
    return FALLBACK_FONT


def render_pdf(notice: dict, *, font: str | None = None) -> bytes:
    """The notice as PDF bytes (A4, 20 mm margins)."""
    font = font or notice_font()
    styles = _styles(font)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{notice['title']} {notice['number']}",
                            author=notice["issuer"], subject=notice["number"], creator="通办 Tongban")
    story = [Paragraph(_t(notice["title"]), styles["title"]),
             Paragraph(_t(f"办件编号：{notice['number']}"), styles["number"]),
             Paragraph(_t(f"{notice['addressee']}："), styles["body"]),
             Paragraph(_t(notice["opening"]), styles["indent"]),
             Spacer(1, 3 * mm), _facts_table(notice["facts"], styles)]
    for section in notice["sections"]:
        block = [Paragraph(_t(section["heading"]), styles["heading"])]
        block += [Paragraph(_t(f"{n}. {item}"), styles["item"]) for n, item in enumerate(section["items"], 1)]
        block += [Paragraph(_t(text), styles["indent"]) for text in section["paragraphs"]]
        story.append(KeepTogether(block))
    story += [Spacer(1, 8 * mm), _signature(notice, styles)]
    doc.build(story)
    return out.getvalue()


def _t(text: str) -> str:
    """Plain text → Paragraph markup (the text may come from users: `<` and `&` must not be markup)."""
    return escape(str(text)).replace("\n", "<br/>")


def _styles(font: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, textColor=INK, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=20, leading=28, alignment=TA_CENTER,
                                spaceAfter=2 * mm),
        "number": ParagraphStyle("number", parent=body, fontSize=10, alignment=TA_CENTER, spaceAfter=6 * mm),
        "body": body,
        "indent": ParagraphStyle("indent", parent=body, firstLineIndent=22, spaceAfter=1.5 * mm),
        "heading": ParagraphStyle("heading", parent=body, fontSize=12.5, leading=19, spaceBefore=4 * mm,
                                  spaceAfter=1.5 * mm, textColor=RULE),
        "item": ParagraphStyle("item", parent=body, leftIndent=22, spaceAfter=1 * mm),
        "label": ParagraphStyle("label", parent=body, fontSize=10, leading=15,
                                textColor=colors.HexColor("#5f6b7a")),
        "cell": ParagraphStyle("cell", parent=body, fontSize=10.5, leading=15),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=11, textColor=colors.HexColor("#5f6b7a")),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
    }


def _facts_table(facts: list[tuple[str, str]], styles: dict) -> Table:
    rows = [[Paragraph(_t(label), styles["label"]), Paragraph(_t(value), styles["cell"])] for label, value in facts]
    table = Table(rows, colWidths=[34 * mm, None], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#c5ccd6")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f2f5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _signature(notice: dict, styles: dict) -> Table:
    """QR code (left) and the issuing body with the date (right), kept on one page."""
    url = notice.get("qr_url") or notice["tracking_url"]  # the verify page on a signed completion notice
    code = [_qr_drawing(url), Paragraph(_t(notice["qr_caption"]), styles["small"]), Paragraph(_t(url), styles["small"])]
    issuer = [Paragraph(_t(notice["issuer"]), styles["right"]),
              Paragraph(_t(notice["issued_on_text"]), styles["right"]), Spacer(1, 10 * mm),
              Paragraph(_t(notice["footnote"]), styles["small"])]
    table = Table([[code, issuer]], colWidths=[QR_SIZE + 30 * mm, None])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    return KeepTogether([table])


def _qr_drawing(url: str) -> Drawing:
    """The segno matrix as vector squares (one rectangle per run of dark modules in a row)."""
    rows = qr.matrix(url)
    module = QR_SIZE / len(rows)
    drawing = Drawing(QR_SIZE, QR_SIZE)
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            drawing.add(Rect(start * module, QR_SIZE - (y + 1) * module, (x - start) * module, module,
                             fillColor=colors.black, strokeColor=None, strokeWidth=0))
    return drawing
