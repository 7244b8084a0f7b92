"""Word and PDF documents: the one place that knows how to write a printable Chinese document.

Word (python-docx): A4 with the margins of GB/T 9704 (党政机关公文格式: top 37 mm, bottom 35 mm, left
28 mm, right 26 mm); every style gets an explicit East-Asian font (`w:eastAsia`), or Word falls back to
a Latin font and shows boxes on some machines. GB/T 9704 sets the body in 3号仿宋 and the title in
2号小标宋; 方正小标宋 is not installed everywhere, so the title uses bold 宋体, the nearest face
every Chinese Windows has; headings 黑体 (一级) and 楷体 (二级) as the standard orders them.

Every document names its issuer the same way: `issuing_office(division)`, the setting
SAFESTAR_ISSUING_OFFICE (default “{name}平安建设工作领导小组办公室”, the office the plan names).

PDF (WeasyPrint): an HTML template rendered with the Noto CJK fonts from Debian's `fonts-noto-cjk`
(`libharfbuzz-subset0` keeps it fast), on A4 with the same margins: Noto Serif CJK (宋体-like) for
the body and, bold, for the title (小标宋 as available), Noto Sans CJK (黑体-like) for headings.
Templates extend `documents/base.html`; its tables have a fixed layout (column widths from `<col>`,
so WeasyPrint does not measure every cell first), keep headings and numbers on one line (`th`,
`td.num`) and wrap other text inside its column.

Text pasted from elsewhere can hold characters XML 1.0 forbids (Word's manual line break \x0b, a
form feed, NUL ...): one such character in a saved record made every document showing it fail. Every
writer here passes its text through `core.edge.clean_text()`: line and page breaks become line breaks, the rest
are dropped.
"""

import io
import zipfile

from django.template.loader import render_to_string
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from django.conf import settings

from safestar.clock import today
from safestar.core.edge import clean_text
from safestar.core.sheets import download_response
from .numbers import figure

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
BODY_FONT = "仿宋"
TITLE_FONT = "宋体"  # bold: the stand-in for 方正小标宋
HEADING_FONTS = {1: "黑体", 2: "楷体"}
# GB/T 9704-2012 page: A4, margins in mm
PAGE = {"page_width": 210, "page_height": 297, "top_margin": 37, "bottom_margin": 35, "left_margin": 28, "right_margin": 26}
BODY_SIZE, TABLE_SIZE, TITLE_SIZE, HEADING_SIZE = 16, 12, 22, 16  # 3号, 小4号, 2号, 3号


def issuing_office(division):
    """The one name documents give their issuer, for the division issuing them (a town, a county)."""
    return settings.SAFESTAR_ISSUING_OFFICE.format(name=division.name)


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
    for section in document.sections:
        for name, mm in PAGE.items():
            setattr(section, name, Mm(mm))
    for style_name in ("Normal", "Table Grid"):
        _set_font(document.styles[style_name], BODY_FONT, BODY_SIZE if style_name == "Normal" else TABLE_SIZE)
    for level, font in HEADING_FONTS.items():
        _set_font(document.styles[f"Heading {level}"], font, HEADING_SIZE, bold=level == 1)
        document.styles[f"Heading {level}"].font.color.rgb = None  # black, as printed documents are
    if issuer:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(paragraph.add_run(clean_text(issuer)), TITLE_FONT, TITLE_SIZE, bold=True)
    if number:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(clean_text(str(number)))
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(paragraph.add_run(clean_text(title)), TITLE_FONT, TITLE_SIZE, bold=True)
    return document


def add_heading(document, text, level=1):
    return document.add_heading(clean_text(text), level=level)


def add_paragraph(document, text, *, bold=False, align=None):
    paragraph = document.add_paragraph()
    run = paragraph.add_run(clean_text(text))  # text saved before core/edge.py cleaned input may hold a \x0b
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
        cell.paragraphs[0].add_run(clean_text(str(label))).bold = True
    for r, row in enumerate(rows, start=1):
        cells = table.rows[r].cells
        for c, value in enumerate(row):
            cells[c].text = "" if value is None else clean_text(str(value))
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
        draw.text((label_w * scale + length + 5 * scale, top - 2 * scale), f"{figure(value)}", fill="black", font=font)
    if marker is not None and maximum:
        x = (label_w + marker / maximum * bar_w) * scale
        draw.line([x, 0, x, height], fill="#1565c0", width=scale)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def png_data_uri(png):
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode()


def docx_bytes(document, moment=None):
    """The .docx file. With `moment` (a datetime), the same document made again is the same file,
    byte for byte: its created / modified properties and every zip entry's time are `moment`, not now
    (a frozen publication downloaded twice)."""
    buffer = io.BytesIO()
    if moment is None:
        document.save(buffer)
        return buffer.getvalue()
    moment = moment.replace(microsecond=0, tzinfo=None)
    properties = document.core_properties
    properties.created = properties.modified = moment
    properties.revision = 1
    properties.last_modified_by = ""
    document.save(buffer)
    stamped = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(stamped, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=moment.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(item.filename))
    return stamped.getvalue()


def docx_response(document, filename, moment=None):
    return download_response(docx_bytes(document, moment), filename, DOCX)


def html_to_pdf(html):
    from weasyprint import HTML  # imported here: loading pango takes a moment and few requests need it

    return HTML(string=clean_text(html)).write_pdf()


def render_pdf(template, context, request=None):
    """Render an HTML template (extending documents/base.html) to PDF bytes."""
    return html_to_pdf(render_to_string(template, context, request=request))


def pdf_response(template, context, filename, request=None):
    return download_response(render_pdf(template, context, request), filename, PDF)
