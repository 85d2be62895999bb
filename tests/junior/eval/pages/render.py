"""Render the evaluation pages deterministically: true text (pNN.txt) → a degraded page photo.

Fonts come from Debian packages (fonts-dejavu-core always; fonts-liberation and
fonts-freefont-ttf when installed, else DejaVu stands in). ``python render.py OUTDIR``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
FONT_DIRS = Path("/usr/share/fonts/truetype")
FALLBACK_FONT = "dejavu/DejaVuSerif.ttf"
SIZE = (1240, 1500)


@dataclass(frozen=True)
class PageSpec:
    """One page: its true-text file, font, and the degradation applied."""

    name: str
    font: str
    condition: str
    font_px: int = 44


PAGES = (
    PageSpec("p01", "dejavu/DejaVuSerif.ttf", "clean"),
    PageSpec("p02", "liberation/LiberationSerif-Regular.ttf", "clean"),
    PageSpec("p03", "dejavu/DejaVuSans.ttf", "tilt"),
    PageSpec("p04", "freefont/FreeSerif.ttf", "blur"),
    PageSpec("p05", "liberation/LiberationSans-Regular.ttf", "noise"),
    PageSpec("p06", "dejavu/DejaVuSerif.ttf", "jpeg"),
    PageSpec("p07", "freefont/FreeSans.ttf", "perspective"),
    PageSpec("p08", "liberation/LiberationSerif-Regular.ttf", "shadow"),
    PageSpec("p09", "dejavu/DejaVuSans.ttf", "lowres"),
    PageSpec("p10", "freefont/FreeSerif.ttf", "tilt"),
    PageSpec("p11", "dejavu/DejaVuSerif-Italic.ttf", "noise"),
    PageSpec("p12", "liberation/LiberationSans-Regular.ttf", "photo"),
    # Robust photos (issue 11): a page turned 90° with no EXIF, one stored sideways with EXIF
    # orientation 6, a two-page spread, text over a coloured illustration, large title lettering.
    PageSpec("p13", "dejavu/DejaVuSerif.ttf", "rotated"),
    PageSpec("p14", "liberation/LiberationSans-Regular.ttf", "exif"),
    PageSpec("p15", "dejavu/DejaVuSans.ttf", "spread"),
    PageSpec("p16", "freefont/FreeSerif.ttf", "colour"),
    PageSpec("p17", "liberation/LiberationSerif-Regular.ttf", "title"),
)
EXIF_ORIENTATION = 0x0112


def true_text(spec: PageSpec) -> str:
    """The page's text, one sentence line per line."""
    return (HERE / f"{spec.name}.txt").read_text(encoding="utf-8").strip()


def font_for(spec: PageSpec) -> ImageFont.FreeTypeFont:
    """The page's font, or DejaVu Serif when that Debian font package is missing."""
    path = FONT_DIRS / spec.font
    if not path.is_file():
        path = FONT_DIRS / FALLBACK_FONT
    return ImageFont.truetype(str(path), spec.font_px)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap of each source line to ``width`` pixels."""
    lines: list[str] = []
    for paragraph in text.splitlines():
        current = ""
        for word in paragraph.split():
            trial = f"{current} {word}".strip()
            if font.getlength(trial) <= width or not current:
                current = trial
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


def clean_page(spec: PageSpec, text: str | None = None) -> Image.Image:
    """Black text on off-white paper with book margins and a drawn illustration box."""
    page = Image.new("RGB", SIZE, (250, 247, 240))
    draw = ImageDraw.Draw(page)
    draw.rounded_rectangle(
        (300, 90, 940, 470), radius=40, outline=(120, 160, 90), width=8, fill=(225, 238, 215)
    )
    draw.ellipse((520, 180, 720, 380), fill=(240, 200, 80))
    font = font_for(spec)
    y = 560
    for line in wrap(true_text(spec) if text is None else text, font, SIZE[0] - 220):
        draw.text((110, y), line, font=font, fill=(25, 25, 25))
        y += int(spec.font_px * 1.55)
    return page


def spread_page(spec: PageSpec) -> Image.Image:
    """Two facing pages photographed together: the first half of the text on the left page."""
    lines = true_text(spec).splitlines()
    half = (len(lines) + 1) // 2
    left = clean_page(spec, "\n".join(lines[:half]))
    right = clean_page(spec, "\n".join(lines[half:]))
    spread = Image.new("RGB", (SIZE[0] * 2 + 40, SIZE[1]), (70, 60, 50))
    spread.paste(left, (0, 0))
    spread.paste(right, (SIZE[0] + 40, 0))
    return spread


def colour_page(spec: PageSpec) -> Image.Image:
    """Dark text printed over a full-page coloured illustration (sky, hills, sun)."""
    w, h = SIZE
    ys = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    sky = np.array([120, 180, 235], np.float32) * (1 - ys) + np.array([250, 200, 150]) * ys
    page = Image.fromarray(np.broadcast_to(sky, (h, w, 3)).astype(np.uint8))
    draw = ImageDraw.Draw(page)
    draw.ellipse((850, 80, 1100, 330), fill=(250, 215, 60))
    draw.ellipse((-300, 900, 800, 1900), fill=(110, 170, 90))
    draw.ellipse((500, 1000, 1700, 2000), fill=(80, 140, 70))
    font = font_for(spec)
    y = 980  # over the hills and the sky between them
    for line in wrap(true_text(spec), font, w - 220):
        draw.text((110, y), line, font=font, fill=(30, 20, 60))
        y += int(spec.font_px * 1.55)
    return page


def title_page(spec: PageSpec) -> Image.Image:
    """A first line set as a large coloured title above the illustration, then the text."""
    title, *rest = true_text(spec).splitlines()
    page = clean_page(spec, "\n".join(rest))
    draw = ImageDraw.Draw(page)
    big = ImageFont.truetype(font_for(spec).path, 120)
    x = (SIZE[0] - big.getlength(title)) / 2
    shifted = Image.new("RGB", SIZE, (250, 247, 240))
    shifted.paste(page.crop((0, 60, SIZE[0], SIZE[1])).resize((SIZE[0], SIZE[1] - 200)), (0, 200))
    ImageDraw.Draw(shifted).text((x, 30), title, font=big, fill=(200, 60, 40))
    del draw
    return shifted


def degrade(page: Image.Image, condition: str, rng: np.random.Generator) -> Image.Image:
    """Apply one named degradation, deterministic for a given generator."""
    if condition == "tilt":
        return page.rotate(
            4.5, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(200, 200, 200)
        )
    if condition == "blur":
        return page.filter(ImageFilter.GaussianBlur(1.6))
    if condition == "noise":
        arr = np.asarray(page, dtype=np.float32) + rng.normal(0, 28, (SIZE[1], SIZE[0], 1))
        return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if condition == "jpeg":
        return jpeg(page, 12)
    if condition == "perspective":
        return perspective(page)
    if condition == "shadow":
        return shadow(page)
    if condition == "lowres":
        small = page.resize((SIZE[0] // 2, SIZE[1] // 2), Image.Resampling.BILINEAR)
        return small
    if condition == "photo":
        photo = shadow(
            perspective(
                page.rotate(2.0, resample=Image.Resampling.BICUBIC, fillcolor=(200, 200, 200))
            )
        )
        arr = np.asarray(photo, dtype=np.float32) + rng.normal(0, 10, (SIZE[1], SIZE[0], 1))
        return jpeg(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), 40)
    return page


def jpeg(page: Image.Image, quality: int) -> Image.Image:
    """Round-trip through JPEG at ``quality``."""
    buffer = BytesIO()
    page.save(buffer, "JPEG", quality=quality)
    return Image.open(BytesIO(buffer.getvalue())).convert("RGB")


def perspective(page: Image.Image) -> Image.Image:
    """A page photographed slightly from below-left (keystone)."""
    w, h = page.size
    quad = (-40, 30, 0, h + 10, w + 10, h - 20, w + 60, -10)  # UL, LL, LR, UR
    return page.transform(
        page.size,
        Image.Transform.QUAD,
        quad,
        resample=Image.Resampling.BICUBIC,
        fillcolor=(90, 80, 70),
    )


def shadow(page: Image.Image) -> Image.Image:
    """A soft hand/phone shadow darkening one side of the page."""
    w, h = page.size
    xs = np.linspace(0.0, 1.0, w, dtype=np.float32)
    ys = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    factor = 1.0 - 0.55 * np.clip(1.2 - xs * 1.6 - ys * 0.4, 0, 1)
    arr = np.asarray(page, dtype=np.float32) * factor[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def render(spec: PageSpec) -> Image.Image:
    """The page image for ``spec`` (same pixels on every run), as a viewer shows it."""
    seed = int(spec.name[1:])
    rng = np.random.default_rng(seed)
    if spec.condition == "rotated":
        return jpeg(clean_page(spec), 85).transpose(Image.Transpose.ROTATE_90)
    if spec.condition == "spread":
        return jpeg(spread_page(spec), 85)
    if spec.condition == "colour":
        return jpeg(colour_page(spec), 85)
    if spec.condition == "title":
        return jpeg(title_page(spec), 85)
    if spec.condition == "exif":
        return degrade(clean_page(spec), "photo", rng)
    return degrade(clean_page(spec), spec.condition, rng)


def upload(spec: PageSpec) -> bytes:
    """The bytes a phone would send: JPEG; for ``exif`` the pixels stored sideways (as a
    phone held in portrait stores them) with EXIF orientation 6 to show them upright."""
    page = render(spec)
    exif = Image.Exif()
    if spec.condition == "exif":
        page = page.transpose(Image.Transpose.ROTATE_90)  # stored turned; 6 turns it back
        exif[EXIF_ORIENTATION] = 6
    buffer = BytesIO()
    page.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def main(outdir: str) -> None:
    """Write every page as PNG into ``outdir``."""
    target = Path(outdir)
    target.mkdir(parents=True, exist_ok=True)
    for spec in PAGES:
        render(spec).save(target / f"{spec.name}-{spec.condition}.png")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(HERE / "out"))
