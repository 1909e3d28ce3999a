#!/usr/bin/python3
"""Collects the source artwork of the offline quality evaluation (docs/quality.md) into one folder.

Input: Debian desktop-artwork packages unpacked with `dpkg -x PKG.deb PKGDIR/NAME` (NAME = package
name) and npm emoji packages unpacked with `tar xzf` into EMOJIDIR/NAME (NAME = package name).
Output: OUT/GROUP__NAME.png, RGB, shrunk (Pillow LANCZOS) to a 1024-px short side when larger.

GROUP names one artwork: variants of one design (GNOME's -l/-d pairs, KDE Plasma's light and dark
images, MATE's colour variants) share a group, and the evaluation keeps a group on one side of
every split, so a test image never has a sibling in training. Resolution duplicates of one image
(KDE's 1920x1080/5120x2880 renders, MATE's Elephants_3840x2160) are dropped: only the largest
landscape image is kept. SVG wallpapers are skipped (no SVG renderer in the tool chain).

Emoji art: the 64-px sprite sheets ("sheets-clean", no fallback images from other vendors) of
emoji-datasource-google (Noto Color Emoji, Apache-2.0) and emoji-datasource-twitter (Twemoji,
CC-BY-4.0) are cut into non-overlapping 512x512 tiles composited over white; tiles that are more
than 75% empty (the sheet's tail) are dropped. The sheets share one layout, so tile (r, c) shows
the same emoji in both vendors' drawings: both go into group emoji-rRcC.

Images are never committed; this script only reorganises what the registries ship.
Usage: /usr/bin/python3 tools/quality/eval_sources.py PKGDIR EMOJIDIR OUT
"""
import glob
import os
import re
import sys

import numpy as np
from PIL import Image

RASTER = (".png", ".jpg", ".jpeg", ".webp")
SHORT = 1024
TILE = 512


def save(img, out, group, name):
    img = img.convert("RGBA")
    flat = Image.new("RGBA", img.size, (255, 255, 255, 255))
    flat.alpha_composite(img)
    img = flat.convert("RGB")
    w, h = img.size
    s = min(w, h)
    if s > SHORT:
        img = img.resize((round(w * SHORT / s), round(h * SHORT / s)), Image.LANCZOS)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
    img.save(os.path.join(out, "%s__%s.png" % (group, safe)))
    return 1


def largest_landscape(files):
    best, area = None, -1
    for f in files:
        with Image.open(f) as im:
            w, h = im.size
        if w >= h and w * h > area:
            best, area = f, w * h
    return best


def stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def gnome(root, out):
    n = 0
    for f in sorted(glob.glob(os.path.join(root, "usr/share/backgrounds/gnome/*"))):
        if f.lower().endswith(RASTER):
            s = stem(f)
            n += save(Image.open(f), out, "gnome-" + re.sub(r"-[ld]$", "", s).lower(), s)
    return n


def plasma(root, out):
    n = 0
    for d in sorted(glob.glob(os.path.join(root, "usr/share/wallpapers/*"))):
        name = os.path.basename(d)
        for variant in ("images", "images_dark"):
            files = [f for f in glob.glob(os.path.join(d, "contents", variant, "*")) if f.lower().endswith(RASTER)]
            best = largest_landscape(files)
            if best:
                n += save(Image.open(best), out, "plasma-" + name.lower(), name + "-" + variant)
    return n


MATE_VARIANT = re.compile(r"(-(dark|light|cold|warm|radioactive))|(_\d+x\d+)|(-no-logo)", re.I)


def mate(root, out):
    families = {}
    for f in sorted(glob.glob(os.path.join(root, "usr/share/backgrounds/mate/*/*"))):
        if f.lower().endswith(RASTER):
            families.setdefault(MATE_VARIANT.sub("", stem(f)).lower(), []).append(f)
    n = 0
    for family, files in sorted(families.items()):
        # Resolution duplicates differ only in a _WxH suffix: keep the largest of each variant.
        variants = {}
        for f in files:
            variants.setdefault(re.sub(r"_\d+x\d+$", "", stem(f)), []).append(f)
        for v, fs in sorted(variants.items()):
            best = largest_landscape(fs) or fs[0]
            n += save(Image.open(best), out, "mate-" + family, v)
    return n


def each_file(pattern, prefix):
    def run(root, out):
        n = 0
        for f in sorted(glob.glob(os.path.join(root, pattern))):
            if f.lower().endswith(RASTER):
                n += save(Image.open(f), out, prefix + stem(f).lower(), stem(f))
        return n

    return run


def sway(root, out):
    files = [f for f in glob.glob(os.path.join(root, "usr/share/backgrounds/sway/*")) if f.lower().endswith(RASTER)]
    best = largest_landscape(files)
    return save(Image.open(best), out, "sway-blue", stem(best)) if best else 0


def desktop_base(root, out):
    n = 0
    for f in sorted(glob.glob(os.path.join(root, "usr/share/plymouth/themes/*/*background*.png"))):
        theme = os.path.basename(os.path.dirname(f))
        n += save(Image.open(f), out, "debian-" + theme, theme)
    return n


PACKAGES = {
    "gnome-backgrounds": gnome,
    "plasma-workspace-wallpapers": plasma,
    "mate-backgrounds": mate,
    "ukui-wallpapers": each_file("usr/share/backgrounds/*", "ukui-"),
    "lomiri-wallpapers": each_file("usr/share/backgrounds/*", "lomiri-"),
    "sway-backgrounds": sway,
    "desktop-base": desktop_base,
}


def emoji(root, vendor, out):
    sheets = glob.glob(os.path.join(root, "emoji-datasource-" + vendor, "**", "sheets-clean", "64.png"), recursive=True)
    if not sheets:
        return 0
    sheet = Image.open(sheets[0]).convert("RGBA")
    a = np.asarray(sheet)
    n = 0
    for r in range(sheet.size[1] // TILE):
        for c in range(sheet.size[0] // TILE):
            tile = a[r * TILE:(r + 1) * TILE, c * TILE:(c + 1) * TILE]
            if (tile[..., 3] < 16).mean() > 0.75:
                continue
            n += save(Image.fromarray(tile, "RGBA"), out, "emoji-r%dc%d" % (r, c), vendor)
    return n


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    pkgdir, emojidir, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    for pkg, fn in PACKAGES.items():
        root = os.path.join(pkgdir, pkg)
        if os.path.isdir(root):
            print("%-28s %3d images" % (pkg, fn(root, out)))
        else:
            print("%-28s missing (%s)" % (pkg, root))
    for vendor in ("google", "twitter"):
        print("%-28s %3d tiles" % ("emoji-datasource-" + vendor, emoji(emojidir, vendor, out)))
    groups = {f.split("__")[0] for f in os.listdir(out) if f.endswith(".png")}
    print("%d images in %d groups in %s" % (len([f for f in os.listdir(out) if f.endswith(".png")]), len(groups), out))


if __name__ == "__main__":
    main()
