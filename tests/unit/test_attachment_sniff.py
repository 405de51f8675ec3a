"""The type of a file from its bytes (app/services/attachments/sniff.py): the signature table, the look into
ZIP and OLE2 containers, text, and the file name's part (it may only agree, or pick CSV over plain text)."""

import io
import zipfile

import pytest

from app.services.attachments.files import clean_filename
from app.services.attachments.sniff import DEFAULT_ALLOWED, TYPES, detect, resolve
from tests.fixtures.attachments import EXE, PDF, jpeg_bytes, ooxml, plain_zip, png_bytes

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


def _ole2(stream: str) -> bytes:
    return OLE2 + stream.encode("utf-16-le") + b"\0\0" + b"\0" * 64


def _odf(kind: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), f"application/vnd.oasis.opendocument.{kind}")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (png_bytes(), "image/png"),
        (jpeg_bytes(), "image/jpeg"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00", "image/bmp"),
        (b"BMW service report, 3 pages\n", "text/plain"),  # "BM" alone is not a bitmap
        (b"II*\x00\x08\x00\x00\x00", "image/tiff"),
        (PDF, "application/pdf"),
        (ooxml("word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (ooxml("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ooxml("ppt/presentation.xml"), "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        (ooxml("word/document.xml", {"word/vbaProject.bin": "x"}), "application/vnd.ms-office.macroenabled"),
        (_odf("text"), "application/vnd.oasis.opendocument.text"),
        (_odf("spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet"),
        (_ole2("WordDocument"), "application/msword"),
        (_ole2("Workbook"), "application/vnd.ms-excel"),
        (_ole2("PowerPoint Document"), "application/vnd.ms-powerpoint"),
        (_ole2("SummaryInformation"), "application/x-ole-storage"),  # an MSI installer, say
        (plain_zip({"a.txt": "x"}), "application/zip"),
        (b"PK\x03\x04garbage that is no archive", "application/zip"),
        (plain_zip({"AndroidManifest.xml": "x", "classes.dex": "x"}), "application/vnd.android.package-archive"),
        (b"\x1f\x8b\x08\x00", "application/gzip"),
        (EXE, "application/vnd.microsoft.portable-executable"),
        (b"\x7fELF\x02\x01\x01", "application/x-executable"),
        (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01", "application/x-mach-binary"),
        (b"#!/usr/bin/env python\nprint(1)\n", "text/x-script"),
        ("kod;başlık\nREQ-1;Müşteri\n".encode("cp1254"), "text/plain"),  # Windows-1254, not UTF-8: still text
        ("\ufeffnotes".encode("utf-16"), "text/plain"),
        (b"  <html><body>hi</body></html>", "text/html"),
        (b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
        (b"<?xml version='1.0'?><idoc/>", "application/xml"),
        (b"\x00\x01\x02\x03binary", "application/octet-stream"),
    ],
)
def test_detect(data, mime):
    assert detect(data) == mime


def test_the_name_picks_csv_over_plain_text_and_otherwise_only_claims():
    assert resolve(b"a;b\n1;2\n", "rows.CSV")[0].mime == "text/csv"
    assert resolve(b"a;b\n1;2\n", "rows.txt")[0].mime == "text/plain"
    detected, claimed = resolve(EXE, "holiday.JPG")
    assert detected.mime == "application/vnd.microsoft.portable-executable" and claimed.mime == "image/jpeg"
    assert resolve(png_bytes(), "clipboard")[1] is None  # no extension: nothing claimed


def test_programs_and_active_content_can_never_be_allowed():
    refused = {mime for mime, t in TYPES.items() if not t.allowable}
    assert {"application/vnd.microsoft.portable-executable", "text/html", "image/svg+xml", "text/x-script"} <= refused
    assert not refused & set(DEFAULT_ALLOWED)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("C:\\Users\\ayse\\Desktop\\rapor.pdf", "rapor.pdf"),
        ("../../etc/passwd", "passwd"),
        ("bad\x00name\x1b.txt", "badname.txt"),
        ("   ", "attachment"),
        ("...", "attachment"),
        (None, "attachment"),
        ("a" * 300 + ".xlsx", "a" * 250 + ".xlsx"),
    ],
)
def test_clean_filename(given, kept):
    assert clean_filename(given) == kept
