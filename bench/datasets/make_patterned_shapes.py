#!/usr/bin/python3
"""Patterned shapes: 160x160 RGB, classes ellipse / rectangle / triangle on patterned backgrounds, little overlap.

The kind of set issue 13 describes (600 training images of 160x160, three shape classes, textured backgrounds, a
third of the objects smaller than 32x32 px), without the heavy occlusion and clutter of make_textured_shapes.py:
objects are rotated ellipses, rectangles and triangles of any aspect, filled flat or with a pattern of their own,
on backgrounds of wood-like rings, fabric weaves, tiles, marble veins or soft noise; a few thin lines cross the image.
A new object may hide at most 15% of an earlier one and keeps at least 85% of itself in the frame, so boxes are close
to the whole object's extent (still measured from the visible pixels, as the other bench/datasets generators).

    /usr/bin/python3 bench/datasets/make_patterned_shapes.py --out /tmp/patterned [--train 600 --val 100 --seed 2718]
"""

import math
import sys

sys.dont_write_bytecode = True  # keep bench/datasets free of __pycache__
import numpy as np  # noqa: E402

import scenekit as sk  # noqa: E402

W = H = 160
CATEGORIES = ["ellipse", "rectangle", "triangle"]
SIDES = {"small": (12, 31), "medium": (34, 80), "large": (98, 130)}
BUCKET_P = [0.36, 0.40, 0.24]


# ---------------------------------------------------------------- backgrounds

def background(rng):
    c1 = sk.random_colour(rng, s=(0.0, 0.7), v=(0.2, 0.9))
    c2 = sk.random_colour(rng, s=(0.0, 0.7), v=(0.2, 0.9))
    xx, yy = sk.grid(H, W)
    kind = rng.choice(["rings", "weave", "tiles", "marble", "noise"])
    if kind == "rings":  # wood-like growth rings around a point off the image, wobbling with noise
        cx, cy = rng.uniform(-W, 2 * W), rng.uniform(-H, 2 * H)
        wobble = sk.value_noise(rng, H, W, cells=4, octaves=2) * rng.uniform(4, 14)
        t = 0.5 + 0.5 * np.sin((np.hypot(xx - cx, yy - cy) + wobble) / rng.uniform(2, 6))
    elif kind == "weave":  # two crossing stripe sets
        p1, p2 = rng.uniform(3, 10, 2)
        a = rng.uniform(0, math.pi)
        u = xx * math.cos(a) + yy * math.sin(a)
        v = -xx * math.sin(a) + yy * math.cos(a)
        t = 0.5 * (np.sin(2 * math.pi * u / p1) > 0) + 0.5 * (np.sin(2 * math.pi * v / p2) > 0)
    elif kind == "tiles":  # square tiles with grout lines
        cell = rng.uniform(10, 30)
        gu, gv = (xx % cell) < 1.5, (yy % cell) < 1.5
        t = (((xx // cell) + (yy // cell)) % 2) * rng.uniform(0.2, 0.6)
        t = np.where(gu | gv, 1.0, t)
    elif kind == "marble":  # smooth field with sharp veins
        n = sk.value_noise(rng, H, W, cells=int(rng.integers(3, 7)), octaves=3)
        t = np.abs(np.sin((xx * rng.uniform(0.02, 0.08) + n * rng.uniform(4, 9)))) ** 0.3
    else:
        t = sk.value_noise(rng, H, W, cells=int(rng.integers(4, 16)), octaves=3)
    img = sk.lerp(c1, c2, t.astype(np.float32))
    return img + rng.normal(0, rng.uniform(2, 10), (H, W, 3)).astype(np.float32)


# ---------------------------------------------------------------- objects

def shape(rng, category):
    angle = rng.uniform(0, 2 * math.pi)
    if category == 1:  # ellipse of aspect 0.4..1
        p = sk.ellipse(1.0, rng.uniform(0.4, 1.0))
    elif category == 2:  # rectangle of aspect 0.3..1
        h = rng.uniform(0.3, 1.0)
        p = np.array([[1, h], [-1, h], [-1, -h], [1, -h]], np.float64)
    else:  # triangle: three points with angles of at least 25 degrees
        while True:
            p = rng.uniform(-1, 1, (3, 2))
            a, b, c = (np.linalg.norm(p[i] - p[j]) for i, j in ((1, 2), (0, 2), (0, 1)))
            if min(a, b, c) < 0.4:
                continue
            angles = [math.acos(np.clip((y * y + z * z - x * x) / (2 * y * z), -1, 1)) for x, y, z in ((a, b, c), (b, a, c), (c, a, b))]
            if min(angles) > math.radians(25):
                break
    return [("poly", sk.rotate(p, angle), True)]


def object_fill(rng, h, w, under):
    for _ in range(20):
        c = sk.random_colour(rng, s=(0.25, 1.0), v=(0.25, 1.0))
        if np.linalg.norm(c - under) >= 60:
            break
    if rng.random() < 0.35:  # a pattern of its own: dots or stripes in a darker shade
        xx, yy = sk.grid(h, w)
        period = rng.uniform(3, 7)
        if rng.random() < 0.5:
            t = ((np.hypot(xx % period - period / 2, yy % period - period / 2)) < period / 4).astype(np.float32)
        else:
            a = rng.uniform(0, math.pi)
            t = (((xx * math.cos(a) + yy * math.sin(a)) / period) % 1 < 0.5).astype(np.float32)
        return sk.lerp(c, c * 0.6, t)
    return np.broadcast_to(c, (h, w, 3)).astype(np.float32) + rng.normal(0, 4, (h, w, 1)).astype(np.float32)


def place_object(rng, scene, category, side):
    parts, bw, bh = sk.fit(shape(rng, category), side, 0.95 * W, 0.95 * H)
    for _ in range(30):
        cx, cy = rng.uniform(0.45 * bw, W - 0.45 * bw), rng.uniform(0.45 * bh, H - 0.45 * bh)
        x0, y0, cov, _ = sk.rasterize(sk.translate(parts, cx, cy))
        fill = object_fill(rng, *cov.shape, sk.region_mean(scene.img, x0, y0, cov))
        if scene.add(x0, y0, cov, fill, category=category, keep=0.85, inside=0.85):
            return True
    return False


def draw_image(rng):
    for _ in range(10):
        scene = sk.Scene(background(rng))
        specs, large = [], 0
        for _ in range(int(rng.integers(1, 6))):
            bucket = ["small", "medium", "large"][rng.choice(3, p=BUCKET_P)]
            if bucket == "large":
                if large >= 1:
                    bucket = "medium"
                large += bucket == "large"
            specs.append((int(rng.integers(1, 4)), sk.sample_side(rng, bucket, SIDES)))
        specs.sort(key=lambda s: -s[1])  # large first, so small ones are not hidden under them
        for category, side in specs:
            place_object(rng, scene, category, side)
        for _ in range(int(rng.integers(0, 4))):  # thin lines over everything
            a, b = rng.uniform(0, W, 2), rng.uniform(0, H, 2)
            x0, y0, cov, _ = sk.rasterize([("line", np.stack([a, b], 1), (rng.uniform(0.8, 1.6), False))])
            scene.add(x0, y0, cov, sk.random_colour(rng), opacity=rng.uniform(0.5, 0.9), keep=0.85)
        objects, dropped = scene.annotations(min_visible=0.6)
        if objects:
            return sk.to_uint8(scene.img), objects, dropped
    return sk.to_uint8(scene.img), objects, dropped


if __name__ == "__main__":
    sk.generate(sk.arguments("Patterned shapes: 160x160, ellipse / rectangle / triangle on patterned backgrounds.", 2718),
                "patterned-shapes", CATEGORIES, W, H, draw_image)
