"""Checking uploaded files: the type is sniffed from the content, never trusted from the name.

Every upload (imports now, attachments with the ledgers) goes through `check_upload`, which reads
the file and returns its bytes, or raises a ValidationError in Chinese.
"""

import io
import zipfile

from django.core.exceptions import ValidationError

LABELS = {"jpg": "JPEG 图片", "png": "PNG 图片", "pdf": "PDF 文档", "xlsx": "Excel（.xlsx）", "docx": "Word（.docx）",
          "xls": "Excel 97-2003（.xls）", "ods": "OpenDocument 表格（.ods）"}
MAGIC = {"jpg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of .xls (and .doc: told apart by its Workbook stream)
# Office files are ZIP archives; the part that names the kind of document tells them apart.
OFFICE_PARTS = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml"}


def sniff(data: bytes):
    """The kind of file by its content ("jpg", "png", "pdf", "xlsx", "docx"), or None."""
    for kind, magic in MAGIC.items():
        if data.startswith(magic):
            return kind
    if data.startswith(OLE):
        return "xls" if "W\0o\0r\0k\0b\0o\0o\0k\0".encode() in data or "B\0o\0o\0k\0".encode() in data else None
    if data.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            names = set(archive.namelist())
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                if archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet":
                    return "ods"
        except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError):
            return None
        for kind, part in OFFICE_PARTS.items():
            if part in names:
                return kind
    return None


def check_upload(upload, allowed, max_bytes):
    if upload.size > max_bytes:
        raise ValidationError(f"文件过大：不能超过 {max_bytes // 1024 // 1024} MB。")
    data = upload.read()
    if sniff(data) not in allowed:
        names = "、".join(LABELS[k] for k in LABELS if k in allowed)
        raise ValidationError(f"文件类型不符：只接受 {names}（按文件内容识别，与扩展名无关）。")
    return data
