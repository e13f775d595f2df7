#!/usr/bin/python3
"""Textured shapes: 160x160 RGB, classes disc / box / wedge on textured backgrounds with clutter.

Not the demo's SyntheticShapesDataset (flat, unoutlined, axis-aligned circle/square/triangle on plain, gradient or
noise backgrounds): here the objects are rotated ellipses, rotated (sometimes round-cornered) rectangles and circular
sectors, filled with solid colour, gradients, hatching or shading, with or without an outline, on noise, stripes,
gradients, checkerboards or blobs (sometimes two mixed), with distractor strokes, arcs and irregular patches
under and over them. Objects overlap (a later one may hide up to half of an earlier one) and may be cut by the
frame; boxes are the extent of the pixels left visible; objects under 40% visible are not annotated.

    /usr/bin/python3 bench/datasets/make_textured_shapes.py --out /tmp/textured [--train 600 --val 100 --seed 1601]
"""

import math
import sys

sys.dont_write_bytecode = True  # keep bench/datasets free of __pycache__
import numpy as np  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402

import scenekit as sk  # noqa: E402

W = H = 160
CATEGORIES = ["disc", "box", "wedge"]
# sqrt(COCO area) ranges per size bucket; small < 32, medium 32..96, large > 96 (measured after occlusion).
SIDES = {"small": (10, 31), "medium": (35, 90), "large": (110, 152)}
BUCKET_P = [0.34, 0.24, 0.42]


# ---------------------------------------------------------------- backgrounds

def _background_layer(rng, kind):
    c1 = sk.random_colour(rng, s=(0.0, 0.9), v=(0.15, 0.95))
    c2 = sk.random_colour(rng, s=(0.0, 0.9), v=(0.15, 0.95))
    xx, yy = sk.grid(H, W)
    angle = rng.uniform(0, math.pi)
    if kind == "noise":
        t = sk.value_noise(rng, H, W, cells=int(rng.integers(3, 12)), octaves=int(rng.integers(1, 4)))
        return sk.lerp(c1, c2, t) + rng.normal(0, rng.uniform(4, 22), (H, W, 3)).astype(np.float32)
    if kind == "stripes":
        period = rng.uniform(4, 28)
        u = (xx * math.cos(angle) + yy * math.sin(angle)) / period
        if rng.random() < 0.5:
            t = ((u % 1.0) < rng.uniform(0.25, 0.75)).astype(np.float32)
        else:
            t = 0.5 + 0.5 * np.sin(2 * math.pi * u)
        return sk.lerp(c1, c2, t)
    if kind == "gradient":
        if rng.random() < 0.5:
            t = sk.linear_t(H, W, rng.uniform(0, 2 * math.pi))
        else:
            cx, cy = rng.uniform(-0.2, 1.2) * W, rng.uniform(-0.2, 1.2) * H
            d = np.hypot(xx - cx, yy - cy)
            t = d / d.max()
        if rng.random() < 0.4:  # three colours
            c3 = sk.random_colour(rng)
            return np.where((t < 0.5)[..., None], sk.lerp(c1, c2, t * 2), sk.lerp(c2, c3, t * 2 - 1))
        return sk.lerp(c1, c2, t)
    if kind == "checker":
        cell = rng.uniform(5, 24)
        u = xx * math.cos(angle) + yy * math.sin(angle)
        v = -xx * math.sin(angle) + yy * math.cos(angle)
        t = ((np.floor(u / cell) + np.floor(v / cell)) % 2).astype(np.float32)
        c2 = c1 + (c2 - c1) * rng.uniform(0.3, 1.0)  # checkerboards of every contrast
        return sk.lerp(c1, c2, t)
    # blobs: soft Gaussian blobs of random colours over a base colour
    img = np.broadcast_to(c1, (H, W, 3)).astype(np.float32).copy()
    for _ in range(int(rng.integers(8, 30))):
        cx, cy, sigma = rng.uniform(0, W), rng.uniform(0, H), rng.uniform(4, 30)
        g = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * sigma * sigma))[..., None] * rng.uniform(0.5, 1.0)
        img = img * (1 - g) + sk.random_colour(rng) * g
    return img


def background(rng):
    kinds = ["noise", "stripes", "gradient", "checker", "blobs"]
    img = _background_layer(rng, kinds[rng.integers(len(kinds))])
    if rng.random() < 0.35:
        a = rng.uniform(0.25, 0.6)
        img = img * (1 - a) + _background_layer(rng, kinds[rng.integers(len(kinds))]) * a
    return img + rng.normal(0, rng.uniform(0, 6), (H, W, 3)).astype(np.float32)


# ---------------------------------------------------------------- objects

def shape(rng, category):
    """Unit-space parts of one object, rotated."""
    angle = rng.uniform(0, 2 * math.pi)
    if category == 1:  # disc: ellipse close to round
        p = sk.ellipse(1.0, rng.uniform(0.7, 1.0))
    elif category == 2:  # box: rectangle, sometimes with slightly rounded corners
        hw, hh = 1.0, rng.uniform(0.5, 1.0)
        r = rng.uniform(0.0, 0.22) * hh if rng.random() < 0.35 else 0.0
        if r > 0:
            corners = [(hw - r, hh - r, 0.0), (-hw + r, hh - r, 0.5 * math.pi), (-hw + r, -hh + r, math.pi), (hw - r, -hh + r, 1.5 * math.pi)]
            p = np.concatenate([sk.ellipse(r, r, 7, a0, a0 + 0.5 * math.pi) + np.array([cx, cy]) for cx, cy, a0 in corners])
        else:
            p = np.array([[hw, hh], [-hw, hh], [-hw, -hh], [hw, -hh]], np.float64)
    else:  # wedge: circular sector of 50..140 degrees
        spread = math.radians(rng.uniform(50, 140))
        p = np.concatenate([[[0.0, 0.0]], sk.ellipse(1.0, 1.0, 24, -spread / 2, spread / 2)])
    return [("poly", sk.rotate(p, angle), True)]


def object_colour(rng, under):
    """A random colour at least 70 (RGB distance) away from the mean colour under the object."""
    best, best_d = None, -1.0
    for _ in range(20):
        c = sk.random_colour(rng, s=(0.2, 1.0), v=(0.2, 1.0))
        d = float(np.linalg.norm(c - under))
        if d >= 70:
            return c
        if d > best_d:
            best, best_d = c, d
    return best


def fill_field(rng, h, w, c):
    kind = rng.choice(["solid", "gradient", "hatch", "shade"], p=[0.4, 0.25, 0.15, 0.2])
    if kind == "gradient":
        c2 = np.clip(c + rng.normal(0, 60, 3), 0, 255).astype(np.float32)
        f = sk.lerp(c, c2, sk.linear_t(h, w, rng.uniform(0, 2 * math.pi)))
    elif kind == "hatch" and min(h, w) >= 14:
        xx, yy = sk.grid(h, w)
        a = rng.uniform(0, math.pi)
        t = (((xx * math.cos(a) + yy * math.sin(a)) / rng.uniform(3, 8)) % 1.0 < 0.5).astype(np.float32)
        f = sk.lerp(c, np.clip(c * rng.uniform(0.45, 0.8), 0, 255), t)
    elif kind == "shade":
        xx, yy = sk.grid(h, w)
        cx, cy = rng.uniform(0.25, 0.75) * w, rng.uniform(0.25, 0.75) * h
        d = np.hypot(xx - cx, yy - cy) / (0.6 * max(h, w))
        f = c * np.clip(1.25 - 0.55 * d, 0.5, 1.3)[..., None]
    else:
        f = np.broadcast_to(c, (h, w, 3)).astype(np.float32)
    return np.clip(f + rng.normal(0, rng.uniform(0, 10), (h, w, 1)), 0, 255)


def place_object(rng, scene, category, side):
    parts, bw, bh = sk.fit(shape(rng, category), side, 0.96 * W, 0.96 * H)
    outline = 0.0
    if rng.random() < 0.5:
        outline = rng.uniform(1.0, max(1.2, min(bw, bh) / 10))
    for _ in range(25):
        # the box may stick out of the frame by up to 20% of its size
        cx, cy = rng.uniform(0.3 * bw, W - 0.3 * bw), rng.uniform(0.3 * bh, H - 0.3 * bh)
        x0, y0, cov, ocov = sk.rasterize(sk.translate(parts, cx, cy), outline)
        c = object_colour(rng, sk.region_mean(scene.img, x0, y0, cov))
        field = fill_field(rng, *cov.shape, c)
        if ocov is not None:
            oc = rng.choice(["dark", "light", "other"])
            ocol = c * 0.35 if oc == "dark" else c + (255 - c) * 0.6 if oc == "light" else sk.random_colour(rng)
            field = field * (1 - ocov[..., None]) + ocol * ocov[..., None]
            cov = np.maximum(cov, ocov)
        if scene.add(x0, y0, cov, field, category=category, keep=0.5, inside=0.6):
            return True
    return False


# ---------------------------------------------------------------- clutter

def clutter(rng, scene, on_top):
    kind = rng.choice(["line", "scribble", "arc", "shard"], p=[0.3, 0.25, 0.2, 0.25])
    colour = sk.random_colour(rng)
    if kind == "line":
        a, b = rng.uniform(-10, W + 10, 2), rng.uniform(-10, H + 10, 2)
        parts = [("line", np.stack([a, b], 1), (rng.uniform(1, 3), False))]
    elif kind == "scribble":
        c = rng.uniform(0, [W, H])
        pts = c + np.cumsum(rng.normal(0, rng.uniform(5, 18), (int(rng.integers(3, 7)), 2)), 0)
        parts = [("line", pts, (rng.uniform(1, 2.5), False))]
    elif kind == "arc":
        r = rng.uniform(6, 40)
        a0 = rng.uniform(0, 2 * math.pi)
        pts = sk.ellipse(r, r * rng.uniform(0.5, 1), 20, a0, a0 + rng.uniform(0.6, 3.5)) + rng.uniform(0, [W, H])
        parts = [("line", sk.rotate(pts - pts.mean(0), rng.uniform(0, math.pi)) + pts.mean(0), (rng.uniform(1, 3), False))]
    else:  # shard: jagged, concave polygon (spikes alternate with notches), not a class shape
        k = 2 * int(rng.integers(3, 6))
        ang = np.sort(rng.uniform(0, 2 * math.pi, k))
        rad = rng.uniform(5, 20) * np.where(np.arange(k) % 2 == 0, rng.uniform(0.7, 1.0, k), rng.uniform(0.15, 0.45, k))
        pts = np.stack([rad * np.cos(ang), rad * np.sin(ang)], 1) + rng.uniform(0, [W, H])
        parts = [("poly", pts, True)]
    x0, y0, cov, _ = sk.rasterize(parts)
    scene.add(x0, y0, cov, colour, opacity=rng.uniform(0.6, 1.0), keep=0.5 if on_top else None)


# ---------------------------------------------------------------- image

def draw_image(rng):
    for _ in range(10):
        scene = sk.Scene(background(rng))
        n_clutter = int(rng.integers(2, 11))
        under = int(round(n_clutter * rng.uniform(0.4, 0.8)))
        for _ in range(under):
            clutter(rng, scene, on_top=False)
        count = int(rng.integers(1, 7))
        specs, large = [], 0
        for _ in range(count):
            bucket = ["small", "medium", "large"][rng.choice(3, p=BUCKET_P)]
            if bucket == "large":
                if large >= 2:
                    bucket = "medium"
                large += bucket == "large"
            specs.append((int(rng.integers(1, 4)), sk.sample_side(rng, bucket, SIDES)))
        # mostly big ones first (small ones sit on top), with some disorder so that small objects get hidden too
        order = np.argsort([-(math.log(s) + rng.normal(0, 0.4)) for _, s in specs])
        for i in order:
            place_object(rng, scene, *specs[i])
        for _ in range(n_clutter - under):
            clutter(rng, scene, on_top=True)
        objects, dropped = scene.annotations(min_visible=0.4)
        if objects:
            break
    img = scene.img
    if rng.random() < 0.3:  # a little softness now and then
        img = np.asarray(Image.fromarray(sk.to_uint8(img)).filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.7))), np.float32)
    return sk.to_uint8(img), objects, dropped


if __name__ == "__main__":
    args = sk.arguments(__doc__.splitlines()[0], default_seed=1601)
    sk.generate(args, "textured-shapes", CATEGORIES, W, H, draw_image)
