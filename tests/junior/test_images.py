"""Upload validation: formats, EXIF orientation, byte/pixel limits, bombs and garbage → 4xx."""

from __future__ import annotations

from io import BytesIO

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from apps.junior.images import ImageRejected, decode_image

LIMITS = {"max_bytes": 5_000_000, "max_pixels": 40_000_000, "max_side": 1600}


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def page(width: int = 300, height: int = 200) -> Image.Image:
    """White page with a black block in its top-left corner (to see orientation)."""
    image = Image.new("RGB", (width, height), "white")
    image.paste((0, 0, 0), (0, 0, 60, 40))
    return image


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_supported_formats_decode_to_rgb(fmt: str) -> None:
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    rgb = decode_image(encoded(page(), fmt), **LIMITS)
    assert rgb.shape == (200, 300, 3)
    assert rgb.dtype == np.uint8


def test_exif_orientation_is_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90° clockwise to display
    rgb = decode_image(encoded(page(), "JPEG", exif=exif), **LIMITS)
    assert rgb.shape[:2] == (300, 200)
    assert rgb[5, -5].mean() < 60  # the black block moved to the top-right corner


def test_large_photos_are_downscaled_for_ocr() -> None:
    rgb = decode_image(encoded(page(3000, 4000), "JPEG"), **LIMITS)
    assert max(rgb.shape[:2]) <= 1600


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"", 400),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", 400),
        (b"GIF89a" + bytes(100), 400),
        (encoded(page(), "GIF"), 400),
        (encoded(page(), "PNG")[:120], 400),
        (encoded(page(), "JPEG")[:300], 400),
        (encoded(Image.new("RGB", (4, 4)), "PNG"), 400),
    ],
    ids=["empty", "pdf", "gif-header", "gif", "truncated-png", "truncated-jpeg", "tiny"],
)
def test_unusable_uploads_are_rejected_with_400(data: bytes, status: int) -> None:
    with pytest.raises(ImageRejected) as caught:
        decode_image(data, **LIMITS)
    assert caught.value.status == status


def test_too_many_bytes_is_413() -> None:
    with pytest.raises(ImageRejected) as caught:
        decode_image(bytes(LIMITS["max_bytes"] + 1), **LIMITS)
    assert caught.value.status == 413


def test_png_bomb_is_refused_before_decoding() -> None:
    bomb = encoded(Image.new("1", (20_000, 20_000)), "PNG", optimize=True)
    assert len(bomb) < 2_000_000  # small file, 400 million pixels
    with pytest.raises(ImageRejected) as caught:
        decode_image(bomb, **LIMITS)
    assert caught.value.status == 413


def test_pixel_limit_is_413() -> None:
    with pytest.raises(ImageRejected) as caught:
        decode_image(encoded(page(3000, 3000), "PNG"), **{**LIMITS, "max_pixels": 1_000_000})
    assert caught.value.status == 413


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096), st.sampled_from(["JPEG", "PNG", "WEBP"]), st.integers(0, 4000))
def test_fuzzed_and_corrupted_images_never_escape_as_other_errors(
    noise: bytes, fmt: str, offset: int
) -> None:
    data = bytearray(encoded(page(64, 48), fmt))
    for i, byte in enumerate(noise[:64]):
        data[(offset + i * 37) % len(data)] = byte
    for candidate in (bytes(data), noise):
        try:
            decode_image(candidate, **LIMITS)
            status = 200
        except ImageRejected as exc:
            status = exc.status
        assert status in (200, 400, 413)
