"""The Word and PDF mechanism: Chinese text in Chinese fonts, and PDF glyphs that really render."""

import io
import subprocess

from docx import Document
from docx.oxml.ns import qn
from django.template import Context, Template
from PIL import Image, ImageChops

from safestar.core import documents


def test_word_document_sets_the_east_asian_font_and_keeps_the_chinese_text():
    document = documents.word_document("整改通知书", issuer="长岗镇平安建设领导小组", number="长平安〔2023〕3号")
    documents.add_table(document, ["序号", "问题"], [[1, "监控探头损坏"]])
    documents.add_signature(document, "长岗镇人民政府")
    reopened = Document(io.BytesIO(documents.docx_bytes(document)))
    text = "\n".join(p.text for p in reopened.paragraphs)
    assert "整改通知书" in text and "长平安〔2023〕3号" in text and "长岗镇人民政府" in text
    assert reopened.tables[0].cell(1, 1).text == "监控探头损坏"
    fonts = reopened.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == documents.BODY_FONT


def render_page(pdf: bytes, tmp_path) -> Image.Image:
    (tmp_path / "page.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", tmp_path / "page.pdf", tmp_path / "page"], check=True)
    return Image.open(tmp_path / "page.png").convert("L")


def pdf_of(title):
    html = Template('{% extends "documents/base.html" %}{% block body %}<h1>{{ t }}</h1>{% endblock %}').render(Context({"t": title}))
    return documents.html_to_pdf(html)


def test_pdf_renders_distinct_chinese_glyphs_not_boxes(tmp_path):
    """Two different Chinese titles of the same length must render as two different images: without
    a CJK font every character is the same box, which text extraction would not notice."""
    first = render_page(pdf_of("平安法治星评查报告"), tmp_path)
    second = render_page(pdf_of("矛盾纠纷多元化解决"), tmp_path)
    assert first.getextrema()[0] < 128  # something dark was drawn
    assert ImageChops.difference(first, second).getbbox() is not None
    fonts = subprocess.run(["pdffonts", "-"], input=pdf_of("平安"), capture_output=True).stdout
    assert b"CJK" in fonts


def test_bar_chart_bars_grow_with_their_values():
    def red_pixels(value):
        png = documents.bar_chart_png([("长岗村", value, "#ff0000")], maximum=100, marker=85)
        r, g, _ = Image.open(io.BytesIO(png)).convert("RGB").split()
        red = ImageChops.multiply(r.point(lambda v: 255 if v > 250 else 0), g.point(lambda v: 255 if v < 5 else 0))
        return red.histogram()[255]  # pixels with full red and no green

    assert 0 < red_pixels(40) < red_pixels(90)
