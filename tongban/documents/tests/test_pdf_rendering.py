"""The PDF writer on its own: Chinese fonts (embedded or the CID fallback), A4, user text kept as text."""

import datetime
import re
from pathlib import Path

import pytest
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from tongban.documents.pdf import EMBEDDED_FONT, EMBEDDED_FONT_FILES, FALLBACK_FONT, _styles, notice_font, render_pdf

A4_MEDIABOX = b"/MediaBox [ 0 0 595.2756 841.8898 ]"


def sample(**overrides) -> dict:
    notice = {
        "kind": "supplement", "title": "补正告知书（一次性告知）", "number": "TB20260000042", "addressee": "张三",
        "opening": "你（单位）提出的申请，申请材料不齐全。现一次性告知如下：",
        "facts": [("办件编号", "TB20260000042"), ("身份证号", "110105********002X")],
        "sections": [{"heading": "需补正的材料", "items": ["解除劳动关系证明", "银行账户信息"], "paragraphs": []}],
        "issuer": "北京市通州区人力资源和社会保障局", "issued_on": datetime.date(2026, 9, 29),
        "issued_on_text": "2026年9月29日", "tracking_url": "http://testserver/cases/TB20260000042/",
        "qr_caption": "扫码查询办理进度", "footnote": "本文书由通办系统生成。",
    }
    notice.update(overrides)
    return notice


def pages(pdf: bytes) -> int:
    count = re.search(rb"/Count (\d+)", pdf)
    assert count is not None
    return int(count.group(1))


def test_the_installed_wenquanyi_font_is_embedded():
    if not any(path.is_file() for path in EMBEDDED_FONT_FILES):
        pytest.skip("fonts-wqy-microhei is not installed")
    assert notice_font() == EMBEDDED_FONT
    pdf = render_pdf(sample())
    assert pdf.startswith(b"%PDF") and A4_MEDIABOX in pdf and pages(pdf) == 1
    assert b"+" + EMBEDDED_FONT.encode() in pdf  # a subset of the font travels with the file
    assert b"FontFile2" in pdf


def test_without_a_font_file_the_pdf_falls_back_to_the_builtin_cid_font():
    font = notice_font((Path("/nonexistent/wqy-microhei.ttc"),))
    assert font == FALLBACK_FONT
    pdf = render_pdf(sample(), font=font)
    assert pdf.startswith(b"%PDF") and b"/BaseFont /STSong-Light" in pdf and EMBEDDED_FONT.encode() not in pdf


def test_user_text_is_printed_as_text_not_markup():
    # reportlab's Paragraph parses mini-HTML: an unescaped "<b" or "&" would raise or vanish.
    pdf = render_pdf(sample(addressee="张<b>三 & 李四", opening="A<font>B</i>", facts=[("说明", "x < y & z")]))
    assert pdf.startswith(b"%PDF")


def test_a_long_notice_continues_on_a_second_page():
    many = [f"材料{n}：请提交原件及复印件各一份，复印件须加盖公章" for n in range(60)]
    pdf = render_pdf(sample(sections=[{"heading": "需补正的材料", "items": many, "paragraphs": []}]))
    assert pages(pdf) >= 2


def test_no_line_starts_with_full_width_punctuation():
    # At the notice's text width this sentence used to wrap with "；" at the start of the third line.
    text = ("请一次性补齐上述材料，向原收件窗口、两地任一区域通办专窗或网上办理渠道提交。本机关不会再要求补正本告知书"
            "未列明的材料。本事项办事指南规定了补正期限的，请在期限内补正；逾期未补正又无正当理由的，本机关将依法处理。")
    paragraph = Paragraph(text, _styles(notice_font())["indent"])
    paragraph.wrap(170 * mm - 12, 1000)
    starts = ["".join(words)[:1] for _, words in paragraph.blPara.lines]
    assert len(starts) > 1 and not set(starts) & set("，；：。、？！）”")
