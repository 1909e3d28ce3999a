#!/usr/bin/python3
"""Makes core/src/test/resources/quality/photo/seeding-crop.jpg, the real photo of the quality tests.

Source: seeding_by_Clements_Engelhardt.jpg (5312x2988, CC0-1.0, Clemens Engelhardt 2018) from the
Debian package lomiri-wallpapers-16.04 20.04.0-2 (usr/share/backgrounds/). It is shrunk (Pillow
LANCZOS) to a 1024-px short side, as the quality data sets are, and a 384x384 crop around the
dandelion head is saved as JPEG quality 95.
Usage: apt-get download lomiri-wallpapers-16.04 && dpkg -x lomiri-wallpapers-16.04_*.deb x
       /usr/bin/python3 tools/quality/test_photo.py x/usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg OUT.jpg
"""
import sys

from PIL import Image


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    im = Image.open(sys.argv[1]).convert("RGB")
    w, h = im.size
    s = 1024 / min(w, h)
    im = im.resize((round(w * s), round(h * s)), Image.LANCZOS)
    im.crop((380, 150, 380 + 384, 150 + 384)).save(sys.argv[2], quality=95)


if __name__ == "__main__":
    main()
