"""Draw the demo consultants' portraits: small illustrated busts, made here so the demo needs no image from
the web. Run once after changing a look, then commit the files:

    .venv/bin/python bench/demo_photos.py   # writes consultants/demo_assets/<slug>.jpg (320×320, < 40 kB)
"""

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parent.parent / "consultants" / "demo_assets"
SIZE = 320
SCALE = 2  # drawn at twice the size, then scaled down: smooth edges without an anti-aliasing library

# slug: (background top, background bottom, skin, hair, clothes, hair style)
LOOKS = {
    "anna-lindqvist": ((214, 228, 240), (164, 190, 214), (238, 205, 180), (196, 150, 92), (38, 70, 112), "long"),
    "mads-norgaard": ((232, 226, 212), (196, 184, 160), (228, 190, 160), (92, 64, 44), (64, 98, 72), "short"),
    "sofia-berg": ((240, 220, 222), (206, 168, 176), (176, 128, 96), (34, 26, 24), (120, 44, 64), "bun"),
}


def _gradient(top, bottom, size):
    img = Image.new("RGB", (size, size))
    draw = ImageDraw.Draw(img)
    for y in range(size):
        t = y / (size - 1)
        draw.line([(0, y), (size, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return img


def _shade(colour, by):
    return tuple(max(0, min(255, c + by)) for c in colour)


def portrait(top, bottom, skin, hair, clothes, style) -> Image.Image:
    s = SIZE * SCALE
    img = _gradient(top, bottom, s)
    d = ImageDraw.Draw(img)
    u = s / 320  # one unit of the 320-px design
    cx = s / 2
    if style == "long":  # hair behind the shoulders
        d.rounded_rectangle([cx - 92 * u, 88 * u, cx + 92 * u, 250 * u], radius=70 * u, fill=hair)
    # shoulders and neck
    d.ellipse([cx - 140 * u, 232 * u, cx + 140 * u, 420 * u], fill=clothes)
    d.polygon([(cx - 30 * u, 240 * u), (cx + 30 * u, 240 * u), (cx, 282 * u)], fill=_shade(clothes, 40))
    d.rectangle([cx - 26 * u, 180 * u, cx + 26 * u, 246 * u], fill=_shade(skin, -18))
    # head and ears
    d.ellipse([cx - 76 * u, 162 * u - 92 * u, cx + 76 * u, 162 * u + 84 * u], fill=skin)
    for side in (-1, 1):
        ex = cx + side * 74 * u
        d.ellipse([ex - 12 * u, 150 * u, ex + 12 * u, 182 * u], fill=_shade(skin, -10))
    # hair on top
    if style == "bun":
        d.ellipse([cx - 34 * u, 28 * u, cx + 34 * u, 92 * u], fill=hair)
    if style == "short":
        d.chord([cx - 80 * u, 62 * u, cx + 80 * u, 190 * u], 180, 360, fill=hair)
    else:
        d.chord([cx - 82 * u, 60 * u, cx + 82 * u, 200 * u], 175, 365, fill=hair)
        d.pieslice([cx - 82 * u, 60 * u, cx + 40 * u, 190 * u], 180, 250, fill=hair)
    # eyes, brows, smile
    for side in (-1, 1):
        ex = cx + side * 28 * u
        d.ellipse([ex - 7 * u, 152 * u, ex + 7 * u, 166 * u], fill=(40, 36, 40))
        d.line([(ex - 14 * u, 138 * u), (ex + 12 * u, 136 * u)], fill=_shade(hair, -20), width=round(5 * u))
    d.arc([cx - 26 * u, 178 * u, cx + 26 * u, 214 * u], 20, 160, fill=(150, 70, 70), width=round(5 * u))
    d.ellipse([cx - 5 * u, 168 * u, cx + 5 * u, 184 * u], fill=_shade(skin, -24))
    img = img.filter(ImageFilter.GaussianBlur(0.6 * SCALE))
    return img.resize((SIZE, SIZE), Image.LANCZOS)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for slug, look in LOOKS.items():
        path = OUT / f"{slug}.jpg"
        portrait(*look).save(path, "JPEG", quality=82, optimize=True, progressive=True)
        size = path.stat().st_size
        print(f"{path.relative_to(OUT.parent.parent)}: {size} bytes")
        if size > 40_000:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
