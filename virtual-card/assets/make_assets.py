#!/usr/bin/env python3
"""Makes the virtual card's image assets (run once; the outputs are committed).

- photo.jp2: a 96x120 grey, face-like drawing (an oval face, eyes, brows, nose, mouth on a
  light background), written as a binary PGM and compressed to JPEG 2000 (JP2 boxes) with
  opj_compress from Debian's libopenjp2-tools:
      opj_compress -i photo.pgm -o photo.jp2 -r 4
- name.png, address.png, security_code.png, my_number.png: grey placeholder labels ("NAME",
  ...), rendered with a small 5x7 bitmap font and written with zlib (8-bit greyscale PNG).
  They stand for the card's rendered images; they do not show the holder's data.

Usage: python3 make_assets.py  (in this folder; needs opj_compress on PATH)
"""
import os
import struct
import subprocess
import zlib

FONT = {
    "A": ["01110", "10001", "10001", "11111", "10001", "10001", "10001"],
    "B": ["11110", "10001", "10001", "11110", "10001", "10001", "11110"],
    "C": ["01110", "10001", "10000", "10000", "10000", "10001", "01110"],
    "D": ["11110", "10001", "10001", "10001", "10001", "10001", "11110"],
    "E": ["11111", "10000", "10000", "11110", "10000", "10000", "11111"],
    "I": ["01110", "00100", "00100", "00100", "00100", "00100", "01110"],
    "M": ["10001", "11011", "10101", "10101", "10001", "10001", "10001"],
    "N": ["10001", "11001", "10101", "10011", "10001", "10001", "10001"],
    "O": ["01110", "10001", "10001", "10001", "10001", "10001", "01110"],
    "R": ["11110", "10001", "10001", "11110", "10100", "10010", "10001"],
    "S": ["01111", "10000", "10000", "01110", "00001", "00001", "11110"],
    "T": ["11111", "00100", "00100", "00100", "00100", "00100", "00100"],
    "U": ["10001", "10001", "10001", "10001", "10001", "10001", "01110"],
    "Y": ["10001", "10001", "01010", "00100", "00100", "00100", "00100"],
    " ": ["00000"] * 7,
}


def png(width, height, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def label(text, scale=3, margin=6):
    width = (len(text) * 6 - 1) * scale + 2 * margin
    height = 7 * scale + 2 * margin
    rows = [[255] * width for _ in range(height)]
    for i, ch in enumerate(text):
        glyph = FONT[ch]
        for gy, line in enumerate(glyph):
            for gx, bit in enumerate(line):
                if bit == "1":
                    for dy in range(scale):
                        for dx in range(scale):
                            x = margin + (i * 6 + gx) * scale + dx
                            y = margin + gy * scale + dy
                            rows[y][x] = 32
    return png(width, height, rows)


def face(width=96, height=120):
    pixels = []
    cx, cy = width / 2, height * 0.46
    for y in range(height):
        for x in range(width):
            v = 225  # background
            # shoulders
            if y > height * 0.82 and abs(x - cx) < width * 0.45 - (height - y) * 0.2:
                v = 90
            # neck
            if height * 0.68 < y <= height * 0.86 and abs(x - cx) < width * 0.1:
                v = 160
            # face oval and hair
            d = ((x - cx) / (width * 0.3)) ** 2 + ((y - cy) / (height * 0.3)) ** 2
            if d < 1:
                v = 175 + int(20 * (1 - d))
                if y < cy - height * 0.17:
                    v = 50  # hair
            # eyes, brows
            for ex in (cx - width * 0.11, cx + width * 0.11):
                if ((x - ex) / 4.5) ** 2 + ((y - (cy - 4)) / 2.5) ** 2 < 1:
                    v = 30
                if abs(y - (cy - 10)) < 1.2 and abs(x - ex) < 6:
                    v = 60
            # nose
            if cy - 2 < y < cy + 10 and abs(x - cx - (y - cy) * 0.15) < 1:
                v = 130
            # mouth
            if abs(y - (cy + 17 + 0.02 * (x - cx) ** 2)) < 1.3 and abs(x - cx) < 10:
                v = 90
            pixels.append(max(0, min(255, v)))
    return width, height, bytes(pixels)


def main():
    for name, text in [
        ("name.png", "NAME"),
        ("address.png", "ADDRESS"),
        ("security_code.png", "SECURITY CODE"),
        ("my_number.png", "MY NUMBER"),
    ]:
        with open(name, "wb") as f:
            f.write(label(text))
    width, height, pixels = face()
    with open("photo.pgm", "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (width, height) + pixels)
    subprocess.run(
        ["opj_compress", "-i", "photo.pgm", "-o", "photo.jp2", "-r", "4"], check=True
    )
    os.remove("photo.pgm")


if __name__ == "__main__":
    main()
