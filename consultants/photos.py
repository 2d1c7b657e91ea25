"""Profile photos: check the content with Pillow (not the name or the browser's type), then re-encode.

Re-encoding to a bounded JPEG drops metadata (EXIF, GPS) and anything that is not pixels.
"""

from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
SIDE = 800


def photo_normalize(upload) -> ContentFile:
    """Return the photo as a JPEG of at most 800×800 px, or raise ValidationError."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The photo may be at most 2 MB."), code="too_large")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            fmt = probe.format
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."), code="too_many_pixels")
            probe.verify()
        if fmt not in ALLOWED_FORMATS:
            raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="format")
        upload.seek(0)
        with Image.open(upload) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            img.thumbnail((SIDE, SIDE))
            out = BytesIO()
            img.save(out, "JPEG", quality=85)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("This file is not an image we can read."), code="invalid")
    return ContentFile(out.getvalue(), name="photo.jpg")
