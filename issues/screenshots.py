"""Screenshots are untrusted input.

Only PNG, JPEG and WEBP are accepted, recognised by their content (Pillow is
allowed only those three decoders), never by file name; size and pixel count are
checked before anything is decoded; the image is decoded strictly (a truncated
file is refused, whatever the PDF renderer set process-wide) and re-encoded so
nothing but pixels survives (EXIF, GPS, XMP, JPEG comments, appended payloads),
and a thumbnail made.
"""

import io
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
# 25 megapixels: above a 6K display's full screenshot (20 MP) and a 24 MP camera's photo, well
# below the 40 MP that cost ~2 s and 0.7 GB to clean (ten per report). Decoded as RGBA it is
# 100 MB, and cleaning holds about three copies.
MAX_PIXELS = 25_000_000
MAX_PER_ISSUE = 10
THUMBNAIL_SIZE = (480, 480)
FORMATS = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg"), "WEBP": ("image/webp", ".webp")}

# Pillow itself refuses (DecompressionBombError) anything above twice this.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# What the re-encoded file may keep of the original's info: a palette image's transparent index.
KEPT_INFO = {"transparency"}
_strict = threading.Lock()


@contextmanager
def _strict_decoding():
    """Decode with truncated files refused, whatever ImageFile.LOAD_TRUNCATED_IMAGES says.

    WeasyPrint turns that process-wide switch on once it has rendered a PDF; it is put back as it
    was afterwards. The lock keeps two uploads from restoring each other's value.
    """
    with _strict:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    thumbnail: bytes
    content_type: str
    extension: str
    width: int
    height: int


def _refuse(name: str, reason: str) -> ValidationError:
    return ValidationError(_("“%(name)s”: %(reason)s") % {"name": name, "reason": reason}, code="bad_screenshot")


def clean_screenshot(upload) -> CleanImage:
    """Validate and re-encode one uploaded file, or raise a ValidationError that says why not."""
    name = getattr(upload, "name", "") or _("file")
    if not upload.size:
        raise _refuse(name, _("the file is empty."))
    if upload.size > MAX_BYTES:
        raise _refuse(name, _("the file is larger than 10 MB."))
    upload.seek(0)
    # Worded with the number, as Chinese counts it in units of 10,000 (2500 万像素): keep it in step.
    too_large = _("the image is larger than 25 megapixels.")
    try:
        with Image.open(upload, formats=list(FORMATS)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise _refuse(name, too_large)
            image_format = image.format
            with _strict_decoding():
                image.load()
            pixels = ImageOps.exif_transpose(image)
    except Image.DecompressionBombError:
        raise _refuse(name, too_large) from None
    except UnidentifiedImageError:
        raise _refuse(name, _("only PNG, JPEG and WEBP images are accepted.")) from None
    except (OSError, SyntaxError, ValueError):
        raise _refuse(name, _("the image is damaged and cannot be read.")) from None
    # Pillow writes some of the original's info back when saving (a JPEG's comment, XMP).
    pixels.info = {key: value for key, value in pixels.info.items() if key in KEPT_INFO}
    content_type, extension = FORMATS[image_format]
    return CleanImage(
        content=_encode(pixels, image_format),
        thumbnail=_thumbnail(pixels),
        content_type=content_type,
        extension=extension,
        width=pixels.width,
        height=pixels.height,
    )


def _encode(image: Image.Image, image_format: str) -> bytes:
    output = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(output, "JPEG", quality=90, optimize=True)
    elif image_format == "WEBP":
        image.save(output, "WEBP", quality=90)
    else:
        if image.mode not in {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"}:
            image = image.convert("RGBA")
        image.save(output, "PNG", optimize=True)
    return output.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    small = image.copy() if image.mode in {"RGB", "RGBA", "L"} else image.convert("RGBA")
    small.thumbnail(THUMBNAIL_SIZE)
    output = io.BytesIO()
    small.save(output, "WEBP", quality=80)
    return output.getvalue()
