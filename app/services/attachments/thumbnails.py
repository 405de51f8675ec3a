"""Thumbnails of image attachments (Pillow), re-encoded as PNG: the page shows our own small PNG inline,
never the uploaded bytes, so a crafted image cannot ride along into the page."""

import io
import logging

from PIL import Image, ImageOps

log = logging.getLogger(__name__)

THUMBNAIL_PX = 320
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before Pillow allocates it


def make_thumbnail(data: bytes) -> bytes | None:
    """A PNG of at most THUMBNAIL_PX on its longer side, or None when the image cannot be read (the file
    is still kept; it just gets no preview)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return None
            image.seek(0)  # the first frame of an animation
            image = ImageOps.exif_transpose(image)
            image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            if image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA")
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
            return out.getvalue()
    except Exception:  # Pillow raises many kinds for damaged files; none of them may fail the upload
        log.info("no thumbnail: the image could not be decoded", exc_info=True)
        return None
