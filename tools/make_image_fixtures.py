#!/usr/bin/python3
"""Writes the tiny image fixtures of the decoder tests (retinanet-data/src/test/resources/fixtures/images).

Each image is 16x8 pixels (width x height), left half pure red, right half pure blue, in a format the decoder must
turn into the same 3-channel RGB: CMYK JPEG, JPEG with an EXIF orientation tag, 16-bit grayscale PNG, gray+alpha
PNG, RGBA PNG. Run: /usr/bin/python3 tools/make_image_fixtures.py
"""
import os
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "retinanet-data", "src", "test", "resources", "fixtures",
                   "images")


def red_blue():
    im = Image.new("RGB", (16, 8), (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, 8, 8))
    return im


def main():
    os.makedirs(OUT, exist_ok=True)
    rb = red_blue()
    rb.convert("CMYK").save(os.path.join(OUT, "cmyk.jpg"), quality=100)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    rb.save(os.path.join(OUT, "exif-orientation6.jpg"), quality=100, exif=exif.tobytes())
    rgba = rb.convert("RGBA")
    rgba.putalpha(128)
    rgba.save(os.path.join(OUT, "rgba.png"))
    gray = Image.new("I;16", (16, 8), 0)
    gray.paste(65535, (0, 0, 8, 8))
    gray.save(os.path.join(OUT, "gray16.png"))
    la = Image.new("LA", (16, 8), (0, 255))
    la.paste((200, 100), (0, 0, 8, 8))
    la.save(os.path.join(OUT, "gray-alpha.png"))


if __name__ == "__main__":
    main()
