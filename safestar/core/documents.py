"""Word and PDF documents: the one place that knows how to write a printable Chinese document.

Word (python-docx): every style gets an explicit East-Asian font (`w:eastAsia`), or Word falls back to
a Latin font and shows boxes on some machines. Official documents use 方正小标宋/黑体 for titles and
仿宋 for the body; those are not installed everywhere, so the fallbacks are the fonts every Chinese
Windows has (宋体, 黑体).

PDF (WeasyPrint): an HTML template rendered with the Noto CJK fonts from Debian's `fonts-noto-cjk`
(`libharfbuzz-subset0` keeps it fast). Templates extend `documents/base.html`.

Text pasted from elsewhere can hold characters XML 1.0 forbids (Word's manual line break \x0b, a
form feed, NUL ...): one such character in a saved record made every document showing it fail. Every
writer here passes its text through `xml_safe()`: line and page breaks become line breaks, the rest
are dropped.
"""

import io
import re

from django.template.loader import render_to_string
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from safestar.clock import today
from safestar.core.sheets import download_response

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
BREAKS = {"\x0b": "\n", "\x0c": "\n"}


def xml_safe(text):
    """`text` as a string XML can hold: vertical tab and form feed become newlines, the other
    characters XML 1.0 forbids are removed."""
    return XML_ILLEGAL.sub(lambda m: BREAKS.get(m[0], ""), str(text))


BODY_FONT = "仿宋"
TITLE_FONT = "黑体"


def _set_font(style_or_run, name, size=None, bold=None):
    font = style_or_run.font
    font.name = name
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    r_pr = style_or_run.element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(r_fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        r_fonts.set(qn(attr), name)


def word_document(title, *, issuer="", number=""):
    """A new document with the title (and the issuing unit and document number above it, as on a
    红头文件 without the red). Returns the python-docx Document to add paragraphs and tables to."""
    document = Document()
    for style_name in ("Normal", "Table Grid"):
        _set_font(document.styles[style_name], BODY_FONT, 12 if style_name == "Normal" else 10.5)
    for level in (1, 2):
        _set_font(document.styles[f"Heading {level}"], TITLE_FONT, 16 if level == 1 else 14, bold=True)
    if issuer:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(paragraph.add_run(xml_safe(issuer)), TITLE_FONT, 18, bold=True)
    if number:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(xml_safe(number))
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(paragraph.add_run(xml_safe(title)), TITLE_FONT, 20, bold=True)
    return document


def add_heading(document, text, level=1):
    return document.add_heading(xml_safe(text), level=level)


def add_paragraph(document, text, *, bold=False, align=None):
    paragraph = document.add_paragraph()
    run = paragraph.add_run(xml_safe(text))
    run.bold = bold
    if align == "right":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif align == "center":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def add_table(document, header, rows):
    """A bordered table: the header row in bold, then one row per sequence in rows."""
    rows = list(rows)
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, label in enumerate(header):
        cell = table.rows[0].cells[i]
        cell.text = ""
        cell.paragraphs[0].add_run(xml_safe(label)).bold = True
    for r, row in enumerate(rows, start=1):
        cells = table.rows[r].cells
        for c, value in enumerate(row):
            cells[c].text = "" if value is None else xml_safe(value)
    return table


def add_signature(document, unit, date=None):
    """The issuing unit and date at the bottom right, as on a printed notice."""
    date = date or today()
    add_paragraph(document, "")
    add_paragraph(document, unit, align="right")
    add_paragraph(document, f"{date.year}年{date.month}月{date.day}日", align="right")


CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"  # Debian's fonts-noto-cjk


def bar_chart_png(bars, *, maximum, marker=None, scale=3):
    """A horizontal bar chart as PNG bytes, the one chart renderer of Word and PDF documents (Word
    takes it with add_picture, a PDF template as a data: URI). bars: [(label, value, colour)];
    maximum: the value of a full-width bar; marker: a value drawn as a vertical line (a pass mark)."""
    from pathlib import Path

    from PIL import Image, ImageDraw, ImageFont

    label_w, bar_w, row_h = 90, 300, 20
    width, height = (label_w + bar_w + 70) * scale, (row_h * len(bars) + 10) * scale
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(CJK_FONT, 10 * scale) if Path(CJK_FONT).exists() else ImageFont.load_default()
    for n, (label, value, colour) in enumerate(bars):
        top = (row_h * n + 4) * scale
        length = (value / maximum * bar_w if maximum else 0) * scale
        draw.text((0, top - 2 * scale), str(label), fill="black", font=font)
        draw.rectangle([label_w * scale, top, label_w * scale + length, top + 12 * scale], fill=colour)
        draw.text((label_w * scale + length + 5 * scale, top - 2 * scale), f"{value:g}", fill="black", font=font)
    if marker is not None and maximum:
        x = (label_w + marker / maximum * bar_w) * scale
        draw.line([x, 0, x, height], fill="#1565c0", width=scale)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def png_data_uri(png):
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode()


def docx_bytes(document):
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_response(document, filename):
    return download_response(docx_bytes(document), filename, DOCX)


def html_to_pdf(html):
    from weasyprint import HTML  # imported here: loading pango takes a moment and few requests need it

    return HTML(string=xml_safe(html)).write_pdf()


def render_pdf(template, context, request=None):
    """Render an HTML template (extending documents/base.html) to PDF bytes."""
    return html_to_pdf(render_to_string(template, context, request=request))


def pdf_response(template, context, filename, request=None):
    return download_response(render_pdf(template, context, request), filename, PDF)
