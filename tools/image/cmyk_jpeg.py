"""Makes a small CMYK JPEG and records the RGB pixels Pillow decodes CMYK and YCCK JPEGs to.

Run: /usr/bin/python3 tools/image/cmyk_jpeg.py (after `java tools/image/YcckJpeg.java`, which
writes ycck.jpg: Pillow cannot write YCCK).
Writes core/src/test/resources/image/cmyk.jpg (Pillow writes CMYK JPEGs with an Adobe marker and
inverted values, as Photoshop does), cmyk-expected.json and ycck-expected.json: width, height and
every pixel's (r, g, b) from Pillow's own decode and convert("RGB"). Deterministic.
"""
import json
import pathlib

import PIL
from PIL import Image

W, H = 16, 12
OUT = pathlib.Path(__file__).resolve().parents[2] / "core/src/test/resources/image"


def main():
    img = Image.new("CMYK", (W, H))
    px = img.load()
    for y in range(H):
        for x in range(W):
            # ink ramps in every channel, plus a few flat patches to test against
            px[x, y] = ((x * 17) % 256, (y * 23) % 256, ((x + y) * 11) % 256, (x * y * 3) % 256)
    for y in range(4):
        for x in range(4):
            px[x, y] = (20, 180, 10, 30)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "cmyk.jpg"
    img.save(path, quality=95)
    expected(path, "cmyk-expected.json")
    ycck = OUT / "ycck.jpg"
    expected(ycck, "ycck-expected.json")


def expected(path, name):
    back = Image.open(path)
    assert back.mode == "CMYK", back.mode
    rgb = back.convert("RGB")
    pixels = [list(rgb.getpixel((x, y))) for y in range(back.height) for x in range(back.width)]
    meta = {
        "source": "tools/image/cmyk_jpeg.py",
        "pillow": PIL.__version__,
        "adobe": back.info.get("adobe"),
        "adobe_transform": back.info.get("adobe_transform"),
        "width": back.width,
        "height": back.height,
        "rgb": pixels,
    }
    (OUT / name).write_text(json.dumps(meta) + "\n")
    print("wrote", name, "for", path.name, "; pixel (0,0) ->", pixels[0])


if __name__ == "__main__":
    main()
