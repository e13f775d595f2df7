#!/usr/bin/python3
"""Draws a COCO file's boxes onto copies of its images, to check a generated dataset by eye.

    /usr/bin/python3 bench/datasets/draw_boxes.py --data /tmp/textured/train.json --images /tmp/textured/images \
        --out /tmp/textured_boxes [--count 6] [--scale 3] [--grid 3]

Writes one PNG per image (scaled up with nearest-neighbour, boxes in a colour per class, labelled) and, with --grid,
a contact sheet of the first images.
"""

import argparse
import json
import os

from PIL import Image, ImageDraw

COLOURS = [(255, 40, 40), (40, 255, 40), (60, 120, 255), (255, 220, 0), (255, 0, 255), (0, 255, 255)]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True)
    p.add_argument("--images", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--count", type=int, default=6)
    p.add_argument("--first", type=int, default=0, help="index of the first image drawn")
    p.add_argument("--scale", type=int, default=3)
    p.add_argument("--grid", type=int, default=0, help="also write sheet.png with the drawn images, this many per row")
    args = p.parse_args()
    with open(args.data) as f:
        coco = json.load(f)
    names = {c["id"]: c["name"] for c in coco["categories"]}
    by_image = {}
    for a in coco["annotations"]:
        by_image.setdefault(a["image_id"], []).append(a)
    os.makedirs(args.out, exist_ok=True)
    drawn = []
    for entry in coco["images"][args.first:args.first + args.count]:
        img = Image.open(os.path.join(args.images, entry["file_name"])).convert("RGB")
        s = args.scale
        img = img.resize((img.width * s, img.height * s), Image.NEAREST)
        draw = ImageDraw.Draw(img)
        for a in by_image.get(entry["id"], []):
            x, y, w, h = a["bbox"]
            c = COLOURS[(a["category_id"] - 1) % len(COLOURS)]
            # the box's outer edge is the pixel extent: [x, x+w) scaled
            draw.rectangle([x * s, y * s, (x + w) * s - 1, (y + h) * s - 1], outline=c, width=1)
            draw.text((x * s + 2, y * s + 1), f"{names[a['category_id']]} {a['area']:.0f}", fill=c)
        path = os.path.join(args.out, os.path.splitext(entry["file_name"])[0] + "_boxes.png")
        img.save(path)
        drawn.append(img)
        print(path, len(by_image.get(entry["id"], [])), "boxes")
    if args.grid and drawn:
        cols = args.grid
        rows = (len(drawn) + cols - 1) // cols
        w, h = drawn[0].size
        sheet = Image.new("RGB", (cols * (w + 4), rows * (h + 4)), (255, 255, 255))
        for i, img in enumerate(drawn):
            sheet.paste(img, ((i % cols) * (w + 4), (i // cols) * (h + 4)))
        sheet.save(os.path.join(args.out, "sheet.png"))
        print(os.path.join(args.out, "sheet.png"))


if __name__ == "__main__":
    main()
