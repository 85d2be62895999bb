"""Upload validation: formats, EXIF orientation, byte/pixel limits, bombs and garbage → 4xx."""

from __future__ import annotations

import struct
import time
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


# --- crafted uploads from the security review (issue 16 item 2) ---


def raw_exif(entries: list[tuple[int, int, int, bytes]]) -> bytes:
    """A little-endian EXIF block with one IFD of (tag, type, count, inline value) entries."""
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack("<HHI", tag, kind, count) + value.ljust(4, b"\x00")
    return b"Exif\x00\x00II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0)


def test_exif_with_an_ascii_resolution_unit_still_decodes_and_turns() -> None:
    """Orientation 6 + ResolutionUnit stored as ASCII made exif_transpose raise struct.error."""
    exif = raw_exif([(0x0112, 3, 1, struct.pack("<H", 6)), (0x0128, 2, 3, b"in\x00")])
    rgb = decode_image(encoded(page(), "JPEG", exif=exif), **LIMITS)
    assert rgb.shape[:2] == (300, 200)  # still turned upright
    assert rgb[5, -5].mean() < 60


def test_unreadable_exif_falls_back_to_the_unrotated_image() -> None:
    exif = raw_exif([(0x0112, 3, 1, struct.pack("<H", 6))])[:-6] + b"\xff" * 3  # cut IFD
    rgb = decode_image(encoded(page(), "JPEG", exif=exif), **LIMITS)
    assert rgb.shape[:2] in ((200, 300), (300, 200))


def test_a_decoder_runtime_error_is_400(monkeypatch: pytest.MonkeyPatch) -> None:
    """pillow-heif raised RuntimeError for a HEIC whose ispe box understates its size."""

    def broken(self: Image.Image) -> None:
        raise RuntimeError("Decoded image does not have the size signaled in the file")

    data = encoded(page(), "PNG")
    monkeypatch.setattr(Image.Image, "load", broken)
    with pytest.raises(ImageRejected) as caught:
        decode_image(data, **LIMITS)
    assert caught.value.status == 400


def test_heic_with_an_understated_ispe_box_is_400() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    noisy = Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 300, 3), np.uint8))
    data = bytearray(encoded(noisy, "HEIF"))
    at = data.find(b"ispe")
    data[at + 8 : at + 16] = struct.pack(">II", 64, 32)
    with pytest.raises(ImageRejected) as caught:
        decode_image(bytes(data), **LIMITS)
    assert caught.value.status == 400


def test_fake_eps_is_refused_at_once() -> None:
    """Image.open tried every format: a 12 MB fake EPS cost 6.8 s of CPU."""
    fake = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n" + b"%" * 12_000_000
    started = time.perf_counter()
    with pytest.raises(ImageRejected) as caught:
        decode_image(fake, **{**LIMITS, "max_bytes": 15_000_000})
    assert caught.value.status == 400
    assert time.perf_counter() - started < 0.5


def test_phone_photo_is_decoded_at_reduced_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 4032×3024 JPEG is drafted to 1/2 scale (the longest side stays ≥ max_side)."""
    from PIL.JpegImagePlugin import JpegImageFile

    asked: list[tuple[int, int]] = []
    real = JpegImageFile.draft

    def spy(self: JpegImageFile, mode: str | None, size: tuple[int, int] | None) -> object:
        result = real(self, mode, size)
        asked.append(self.size)
        return result

    monkeypatch.setattr(JpegImageFile, "draft", spy)
    rgb = decode_image(encoded(page(4032, 3024), "JPEG"), **LIMITS)
    assert asked == [(2016, 1512)]
    assert rgb.shape == (1200, 1600, 3)


EXIF_TYPES = st.sampled_from([1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 99])


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow notes each corrupt tag it skips
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0x0112, 0x0128, 0x011A, 0x8769, 0x0132, 0x010F, 0xA005, 0x0001]),
            EXIF_TYPES,
            st.integers(0, 2**32 - 1),
            st.binary(min_size=4, max_size=4),
        ),
        max_size=8,
    ),
    st.sampled_from(["JPEG", "PNG", "WEBP"]),
)
def test_fuzzed_exif_never_escapes_as_other_errors(
    entries: list[tuple[int, int, int, bytes]], fmt: str
) -> None:
    """Crafted EXIF blocks (any tag type, count or offset): a picture (turned or not) or a 4xx."""
    try:
        data = encoded(page(64, 48), fmt, exif=raw_exif(entries))
    except Exception:  # Pillow refused to write this block: nothing to test
        return
    try:
        shape = decode_image(data, **LIMITS).shape[:2]
    except ImageRejected as exc:
        shape = (exc.status, exc.status)
    assert shape in ((48, 64), (64, 48), (400, 400), (413, 413))


@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(min_size=1, max_size=64), st.integers(0, 10_000))
def test_fuzzed_heif_never_escapes_as_other_errors(noise: bytes, offset: int) -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    data = bytearray(HEIF_PAGE)
    for i, byte in enumerate(noise):
        data[(offset + i * 53) % len(data)] = byte
    try:
        decode_image(bytes(data), **LIMITS)
        status = 200
    except ImageRejected as exc:
        status = exc.status
    assert status in (200, 400, 413)


def _heif_page() -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    return encoded(page(64, 48), "HEIF")


HEIF_PAGE = _heif_page()
