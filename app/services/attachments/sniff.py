"""What a file is, decided from its bytes: a table of magic numbers (no system libmagic), a look inside ZIP
and OLE2 containers to tell Office documents from plain archives and installers, and a text check.

The user's file name only picks between types the bytes cannot tell apart (text/plain or text/csv) and
must otherwise agree with the bytes; the Content-Type a browser sends is never read. Signatures: PNG
(RFC 2083 §3.1), JPEG (SOI FF D8 FF), GIF87a/89a, RIFF/WEBP, BMP, TIFF (II*\\0 / MM\\0*), PDF (%PDF-),
ZIP local header (PK\\3\\4), OLE2 compound file (D0 CF 11 E0 A1 B1 1A E1), PE (MZ), ELF, Mach-O, shebang.
"""

import io
import zipfile
from dataclasses import dataclass

UNKNOWN = "application/octet-stream"


@dataclass(frozen=True)
class FileType:
    mime: str
    label: str
    extensions: tuple[str, ...]
    category: str  # image, pdf, office, text, archive — or "refused" (programs, active content, unknown)

    @property
    def allowable(self) -> bool:
        """May a tenant put it on its allowlist? Programs, scripts and active content never."""
        return self.category != "refused"


_TYPES = [
    FileType("image/png", "PNG image", (".png",), "image"),
    FileType("image/jpeg", "JPEG image", (".jpg", ".jpeg", ".jpe", ".jfif"), "image"),
    FileType("image/gif", "GIF image", (".gif",), "image"),
    FileType("image/webp", "WebP image", (".webp",), "image"),
    FileType("image/bmp", "BMP image", (".bmp",), "image"),
    FileType("image/tiff", "TIFF image", (".tif", ".tiff"), "image"),
    FileType("application/pdf", "PDF document", (".pdf",), "pdf"),
    FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word document",
        (".docx", ".dotx"),
        "office",
    ),
    FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel workbook",
        (".xlsx", ".xltx"),
        "office",
    ),
    FileType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint presentation",
        (".pptx", ".potx", ".ppsx"),
        "office",
    ),
    FileType(
        "application/vnd.ms-office.macroenabled", "Office document with macros", (".docm", ".xlsm", ".pptm"), "office"
    ),
    FileType("application/msword", "Word 97-2003 document", (".doc", ".dot"), "office"),
    FileType("application/vnd.ms-excel", "Excel 97-2003 workbook", (".xls", ".xlt"), "office"),
    FileType("application/vnd.ms-powerpoint", "PowerPoint 97-2003 presentation", (".ppt", ".pps", ".pot"), "office"),
    FileType("application/vnd.oasis.opendocument.text", "OpenDocument text", (".odt",), "office"),
    FileType("application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet", (".ods",), "office"),
    FileType("application/vnd.oasis.opendocument.presentation", "OpenDocument presentation", (".odp",), "office"),
    FileType(
        "text/plain",
        "Text file",
        (".txt", ".text", ".log", ".md", ".json", ".yaml", ".yml", ".sql", ".abap", ".ini"),
        "text",
    ),
    FileType("text/csv", "CSV file", (".csv", ".tsv"), "text"),
    FileType("application/xml", "XML file", (".xml",), "text"),
    FileType("application/zip", "ZIP archive", (".zip",), "archive"),
    FileType("application/gzip", "gzip archive", (".gz", ".tgz"), "archive"),
    FileType("application/x-7z-compressed", "7-Zip archive", (".7z",), "archive"),
    FileType("application/vnd.rar", "RAR archive", (".rar",), "archive"),
    # Never accepted, whatever a tenant allows: programs, installers, scripts and content a browser runs.
    FileType("application/vnd.microsoft.portable-executable", "Windows program", (".exe", ".dll", ".scr"), "refused"),
    FileType("application/x-executable", "Linux program", (), "refused"),
    FileType("application/x-mach-binary", "macOS program or Java class", (), "refused"),
    FileType("text/x-script", "script", (".sh", ".py", ".pl"), "refused"),
    FileType("application/java-archive", "Java archive", (".jar",), "refused"),
    FileType("application/vnd.android.package-archive", "Android app", (".apk",), "refused"),
    FileType("application/x-ole-storage", "installer or other OLE2 container", (".msi",), "refused"),
    FileType("text/html", "HTML page", (".html", ".htm"), "refused"),
    FileType("image/svg+xml", "SVG image (may carry scripts)", (".svg",), "refused"),
    FileType(UNKNOWN, "file of an unrecognised type", (), "refused"),
]
TYPES: dict[str, FileType] = {t.mime: t for t in _TYPES}
ALLOWABLE = tuple(t.mime for t in _TYPES if t.allowable)
IMAGES = frozenset(t.mime for t in _TYPES if t.category == "image")

DEFAULT_ALLOWED = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "text/plain",
    "text/csv",
    "application/zip",
)

_MACH_O = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Bytes no text file carries (C0 controls other than tab, newlines, form feed and escape; DEL).
_BINARY_BYTES = frozenset(range(0, 9)) | {0x0B} | frozenset(range(0x0E, 0x1B)) | frozenset(range(0x1C, 0x20)) | {0x7F}


def detect(data: bytes) -> str:
    """The MIME type the bytes say; text comes back as text/plain (the name may make it text/csv)."""
    head = data[:16]
    if head.startswith(b"MZ"):
        return "application/vnd.microsoft.portable-executable"
    if head.startswith(b"\x7fELF"):
        return "application/x-executable"
    if head[:4] in _MACH_O:
        return "application/x-mach-binary"
    if head.startswith(b"#!"):
        return "text/x-script"
    image = _image(data)
    if image:
        return image
    if b"%PDF-" in data[:1024]:  # the PDF spec lets readers find the header within the first 1024 bytes
        return "application/pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    if head.startswith(_OLE2):
        return _ole2_kind(data)
    if head.startswith(b"\x1f\x8b"):
        return "application/gzip"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "application/x-7z-compressed"
    if head.startswith(b"Rar!\x1a\x07"):
        return "application/vnd.rar"
    if _looks_like_text(data):
        return _text_kind(data)
    return UNKNOWN


def resolve(data: bytes, filename: str) -> tuple[FileType, FileType | None]:
    """(the type of the content, the type the file name claims — None when the name has no known extension).
    Text named .csv is CSV; any other disagreement is for the caller to refuse."""
    detected = TYPES[detect(data)]
    extension = _extension(filename)
    claimed = next((t for t in _TYPES if extension and extension in t.extensions), None)
    if detected.mime == "text/plain" and claimed is not None and claimed.mime == "text/csv":
        detected = claimed
    return detected, claimed


def _extension(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].lower()
    return name[name.rindex(".") :] if "." in name.strip(".") else ""


def _image(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"BM") and len(data) > 14 and data[6:10] == b"\0\0\0\0":  # reserved fields are zero
        return "image/bmp"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    return None


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if names and names[0] == "mimetype":  # OpenDocument: an uncompressed first entry names the type
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared in TYPES:
                    return declared
            office = _ooxml_kind(names) if "[Content_Types].xml" in names else None
            if office is not None:
                return office
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return "application/zip"  # a damaged archive is still an archive, never a document
    lowered = [name.lower() for name in names]
    if "androidmanifest.xml" in lowered and any(name.endswith(".dex") for name in lowered):
        return "application/vnd.android.package-archive"
    if "meta-inf/manifest.mf" in lowered or any(name.endswith(".class") for name in lowered):
        return "application/java-archive"
    return "application/zip"


def _ooxml_kind(names: list[str]) -> str | None:
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return "application/vnd.ms-office.macroenabled"
    for prefix, mime in (
        ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ):
        if any(name.startswith(prefix) for name in names):
            return mime
    return None


def _ole2_kind(data: bytes) -> str:
    """Legacy Office files and MSI installers share the OLE2 container; the names of its streams (stored
    in UTF-16LE in the directory) tell them apart."""
    for stream, mime in (
        ("WordDocument", "application/msword"),
        ("Workbook", "application/vnd.ms-excel"),
        ("Book", "application/vnd.ms-excel"),
        ("PowerPoint Document", "application/vnd.ms-powerpoint"),
    ):
        if stream.encode("utf-16-le") + b"\0\0" in data:
            return mime
    return "application/x-ole-storage"


def _looks_like_text(data: bytes) -> bool:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte-order mark
        try:
            data[2:].decode("utf-16")
            return True
        except UnicodeDecodeError:
            return False
    sample = data[:65536]
    return bool(sample) and not any(byte in _BINARY_BYTES for byte in sample)


def _text_kind(data: bytes) -> str:
    start = data[:2048].decode("utf-8", "ignore").lstrip("\ufeff \t\r\n").lower()
    if start.startswith(("<!doctype html", "<html", "<head", "<body", "<script")) or "<script" in start:
        return "text/html"
    if "<svg" in start:
        return "image/svg+xml"
    if start.startswith("<?xml"):
        return "application/xml"
    return "text/plain"
