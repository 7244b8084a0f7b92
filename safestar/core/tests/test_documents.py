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


def test_word_documents_are_a4_with_the_gbt_9704_margins_and_fonts():
    document = Document(io.BytesIO(documents.docx_bytes(documents.word_document("关于督导情况的通报"))))
    section = document.sections[0]
    mm = {name: round(getattr(section, name).mm) for name in documents.PAGE}
    assert mm == {"page_width": 210, "page_height": 297, "top_margin": 37, "bottom_margin": 35, "left_margin": 28, "right_margin": 26}
    body = document.styles["Normal"]
    assert body.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋" and body.font.size.pt == 16
    title = [r for p in document.paragraphs for r in p.runs if r.text == "关于督导情况的通报"][0]
    assert title.font.bold and title.font.size.pt == 22 and title.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == documents.TITLE_FONT


def test_every_document_names_the_same_issuing_office(settings):
    class Town:
        name = "长岗镇"

    assert documents.issuing_office(Town()) == "长岗镇平安建设工作领导小组办公室"
    settings.SAFESTAR_ISSUING_OFFICE = "{name}平安办"
    assert documents.issuing_office(Town()) == "长岗镇平安办"
    import pathlib

    import safestar

    root = pathlib.Path(safestar.__file__).parent
    spelled = [str(p.relative_to(root)) for p in [*root.rglob("*.py"), *root.rglob("*.html")]
               if "tests" not in p.parts and "领导小组办公室" in p.read_text(encoding="utf-8") and p.name not in ("settings.py", "documents.py", "demo.py")]  # demo.py: a department so named
    assert spelled == []  # written out nowhere else: issuing_office() is the one place


def test_pdf_pages_are_a4_and_table_headings_stay_on_one_line(tmp_path):
    html = Template('{% extends "documents/base.html" %}{% block body %}<table><thead><tr><th>总排名</th><th>镇内排名</th>'
                    '<th>原因</th></tr></thead><tbody><tr><td class="num">1</td><td class="num">2</td><td>{{ why }}</td></tr>'
                    '</tbody></table>{% endblock %}').render(Context({"why": "巡逻记录不足" * 40}))
    pdf = documents.html_to_pdf(html)
    (tmp_path / "t.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", tmp_path / "t.pdf"], check=True, capture_output=True, text=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info or "595 x 842" in info
    text = subprocess.run(["pdftotext", "-layout", tmp_path / "t.pdf", "-"], check=True, capture_output=True, text=True).stdout
    assert "总排名" in text and "镇内排名" in text  # each heading whole on one line, not a character a line
