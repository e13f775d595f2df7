#!/usr/bin/python3
"""Glyph scenes: 192x144 RGB, classes ring / cross / star / arrow on photograph-like backgrounds.

A second generator, different from both the demo's SyntheticShapesDataset and make_textured_shapes.py: non-square
images; backgrounds are smooth random colour fields (a coarse grid of related colours upsampled bicubically) with
lighting gradients, mid-scale texture, Gaussian noise and blur; the objects are antialiased polygons (annulus, plus or
Latin cross, 5-7 point star, arrow) at any rotation, alpha-blended (some semi-transparent) with colours chosen
relative to what lies under them, a third of them at low contrast, shaded, then the whole image gets sensor noise
and a slight blur. Out-of-focus blobs, wires and pebble-like patches act as distractors; about 10% of the images have no
object at all. Boxes are the extent of the pixels left visible; objects under 40% visible are not annotated.

    /usr/bin/python3 bench/datasets/make_glyph_scenes.py --out /tmp/glyphs [--train 600 --val 100 --seed 1922]
"""

import math
import sys

sys.dont_write_bytecode = True  # keep bench/datasets free of __pycache__
import numpy as np  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402

import scenekit as sk  # noqa: E402

W, H = 192, 144
CATEGORIES = ["ring", "cross", "star", "arrow"]
SIDES = {"small": (10, 31), "medium": (35, 90), "large": (106, 136)}
BUCKET_P = [0.34, 0.26, 0.40]
EMPTY_P = 0.1


# ---------------------------------------------------------------- background

def _blur(img, radius):
    return np.asarray(Image.fromarray(sk.to_uint8(img)).filter(ImageFilter.GaussianBlur(radius)), np.float32)


def background(rng):
    hue = rng.random()
    gh, gw = int(rng.integers(2, 6)), int(rng.integers(2, 7))
    cells = np.empty((gh, gw, 3), np.float32)
    for i in range(gh):
        for j in range(gw):
            h = hue + rng.normal(0, 0.06) if rng.random() < 0.8 else rng.random()
            cells[i, j] = sk.hsv(h, rng.uniform(0.05, 0.6), rng.uniform(0.2, 0.9))
    field = np.stack([np.asarray(Image.fromarray(cells[..., c], mode="F").resize((W, H), Image.BICUBIC), np.float32)
                      for c in range(3)], axis=-1)
    light = 1 + rng.uniform(-0.25, 0.25) * (sk.linear_t(H, W, rng.uniform(0, 2 * math.pi)) - 0.5) * 2
    field = field * light[..., None]
    texture = sk.value_noise(rng, H, W, cells=int(rng.integers(6, 24)), octaves=2) - 0.5
    field = field + texture[..., None] * rng.uniform(5, 40)
    field = field + rng.normal(0, rng.uniform(2, 9), (H, W, 3)).astype(np.float32)
    return _blur(field, rng.uniform(0.5, 2.0))


# ---------------------------------------------------------------- objects

def shape(rng, category):
    angle = rng.uniform(0, 2 * math.pi)
    if category == 1:  # ring: annulus, nearly circular
        ry = rng.uniform(0.75, 1.0)
        k = rng.uniform(0.45, 0.72)
        parts = [("poly", sk.ellipse(1.0, ry), True), ("poly", sk.ellipse(k, k * ry), False)]
    elif category == 2:  # cross: plus or Latin cross
        t = rng.uniform(0.11, 0.21)
        c = 0.0 if rng.random() < 0.6 else rng.uniform(-0.45, -0.2)
        h = 1.0 if c == 0.0 else rng.uniform(0.55, 0.8)
        p = np.array([(-t, -1), (t, -1), (t, c - t), (h, c - t), (h, c + t), (t, c + t), (t, 1), (-t, 1),
                      (-t, c + t), (-h, c + t), (-h, c - t), (-t, c - t)], np.float64)
        parts = [("poly", p, True)]
    elif category == 3:  # star: 5-7 points
        n = int(rng.integers(5, 8))
        inner = rng.uniform(0.38, 0.55)
        a = np.arange(2 * n) * math.pi / n
        r = np.where(np.arange(2 * n) % 2 == 0, 1.0, inner)
        parts = [("poly", np.stack([r * np.cos(a), r * np.sin(a)], 1), True)]
    else:  # arrow pointing +x before rotation
        sw, hw, hl = rng.uniform(0.1, 0.2), rng.uniform(0.32, 0.55), rng.uniform(0.45, 0.8)
        p = np.array([(-1, -sw), (1 - hl, -sw), (1 - hl, -hw), (1, 0), (1 - hl, hw), (1 - hl, sw), (-1, sw)], np.float64)
        parts = [("poly", p, True)]
    return [(k, sk.rotate(p, angle), e) for k, p, e in parts]


def object_colour(rng, under):
    """A colour at a chosen distance from the mean under the object: a third low contrast (28-55), the rest 55-150."""
    target = rng.uniform(28, 55) if rng.random() < 0.35 else rng.uniform(55, 150)
    best, best_err = None, 1e9
    for _ in range(20):
        d = rng.normal(0, 1, 3) + rng.choice([-1.0, 1.0]) * 0.8  # some shift in lightness, some in hue
        c = np.clip(under + d / np.linalg.norm(d) * target, 0, 255).astype(np.float32)
        err = abs(float(np.linalg.norm(c - under)) - target)
        if err < best_err:
            best, best_err = c, err
        if err < 0.2 * target:
            break
    return best, float(np.linalg.norm(best - under))


def place_object(rng, scene, category, side):
    parts, bw, bh = sk.fit(shape(rng, category), side, 0.96 * W, 0.96 * H)
    for _ in range(25):
        cx, cy = rng.uniform(0.3 * bw, W - 0.3 * bw), rng.uniform(0.3 * bh, H - 0.3 * bh)
        outline = rng.uniform(0.8, 1.6) if rng.random() < 0.2 else 0.0
        x0, y0, cov, ocov = sk.rasterize(sk.translate(parts, cx, cy), outline)
        c, contrast = object_colour(rng, sk.region_mean(scene.img, x0, y0, cov))
        opacity = rng.uniform(0.5, 0.85) if rng.random() < 0.4 else 1.0
        opacity = max(opacity, min(1.0, 25.0 / max(contrast, 1e-3)))  # never fainter than ~25 levels
        shade = sk.linear_t(*cov.shape, rng.uniform(0, 2 * math.pi)) - 0.5
        field = c * (1 + rng.uniform(0, 0.35) * shade)[..., None]
        field = field + rng.normal(0, rng.uniform(0, 6), cov.shape + (1,))
        if ocov is not None:
            field = field * (1 - ocov[..., None]) + c * 0.45 * ocov[..., None]
            cov = np.maximum(cov, ocov)
        if scene.add(x0, y0, cov, np.clip(field, 0, 255), opacity=opacity, category=category, keep=0.5, inside=0.6):
            return True
    return False


# ---------------------------------------------------------------- distractors

def distractor(rng, scene, on_top):
    kind = rng.choice(["bokeh", "wire", "patch"], p=[0.4, 0.35, 0.25])
    under_mean = scene.img.reshape(-1, 3).mean(0)
    colour = np.clip(under_mean + rng.normal(0, 50, 3), 0, 255)
    if kind == "bokeh":  # soft out-of-focus blob
        r = rng.uniform(5, 30)
        pts = sk.ellipse(r, r * rng.uniform(0.6, 1.0), 32) + rng.uniform(0, [W, H])
        x0, y0, cov, _ = sk.rasterize([("poly", pts, True)])
        pad = int(math.ceil(r))  # room for the blur to spread
        cov, x0, y0 = np.pad(cov, pad), x0 - pad, y0 - pad
        cov = np.asarray(Image.fromarray(sk.to_uint8(cov * 255)).filter(ImageFilter.GaussianBlur(r / 3)), np.float32) / 255
        scene.add(x0, y0, cov, colour, opacity=rng.uniform(0.25, 0.6), keep=0.5 if on_top else None)
        return
    if kind == "wire":
        a = rng.uniform(-10, [W + 10, H + 10])
        b = rng.uniform(-10, [W + 10, H + 10])
        mid = (a + b) / 2 + rng.normal(0, 20, 2)
        t = np.linspace(0, 1, 16)[:, None]
        pts = (1 - t) ** 2 * a + 2 * (1 - t) * t * mid + t ** 2 * b
        parts = [("line", pts, (rng.uniform(0.8, 2.2), False))]
    else:  # pebble: smooth lumpy blob, elongated (no spikes, which would read as stars or arrow heads)
        ang = np.linspace(0, 2 * math.pi, 32, endpoint=False)
        rad = 1 + sum(rng.uniform(0, 0.15) * np.cos(f * ang + rng.uniform(0, 2 * math.pi)) for f in (2, 3))
        pts = np.stack([rad * np.cos(ang), rad * np.sin(ang) * rng.uniform(0.35, 0.9)], 1) * rng.uniform(4, 16)
        parts = [("poly", sk.rotate(pts, rng.uniform(0, math.pi)) + rng.uniform(0, [W, H]), True)]
    x0, y0, cov, _ = sk.rasterize(parts)
    scene.add(x0, y0, cov, colour, opacity=rng.uniform(0.5, 1.0), keep=0.5 if on_top else None)


# ---------------------------------------------------------------- image

def draw_image(rng):
    empty = rng.random() < EMPTY_P
    for _ in range(10):
        scene = sk.Scene(background(rng))
        n_distractors = int(rng.integers(0, 6))
        under = int(round(n_distractors * 0.7))
        for _ in range(under):
            distractor(rng, scene, on_top=False)
        count = 0 if empty else int(rng.integers(1, 7))
        specs, large = [], 0
        for _ in range(count):
            bucket = ["small", "medium", "large"][rng.choice(3, p=BUCKET_P)]
            if bucket == "large":
                if large >= 2:
                    bucket = "medium"
                large += bucket == "large"
            specs.append((int(rng.integers(1, 5)), sk.sample_side(rng, bucket, SIDES)))
        order = np.argsort([-(math.log(s) + rng.normal(0, 0.4)) for _, s in specs])
        for i in order:
            place_object(rng, scene, *specs[i])
        for _ in range(n_distractors - under):
            distractor(rng, scene, on_top=True)
        objects, dropped = scene.annotations(min_visible=0.4)
        if objects or empty:
            break
    img = scene.img + rng.normal(0, rng.uniform(1, 4), (H, W, 3)).astype(np.float32)  # sensor noise
    if rng.random() < 0.6:
        img = _blur(img, rng.uniform(0.3, 0.8))
    return sk.to_uint8(img), objects, dropped


if __name__ == "__main__":
    args = sk.arguments(__doc__.splitlines()[0], default_seed=1922)
    sk.generate(args, "glyph-scenes", CATEGORIES, W, H, draw_image)
