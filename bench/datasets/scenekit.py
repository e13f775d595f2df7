"""Shared pieces of the bench/datasets generators: antialiased rasterising, layer compositing with occlusion
bookkeeping, COCO JSON writing and the size summary.

Boxes are measured, not assumed: every layer (object, distractor) is composited in order, and an object's box is
the extent of the pixels where the object still shows. A pixel counts as the object's when its own geometric
coverage is at least 0.5 and what lies on top of it (later layers, with their opacity) lets at least half of it
through. Objects whose visible part is below a fraction of their full (unclipped, unoccluded) extent are left out
of the annotations. Needs only numpy and Pillow (Debian: python3-numpy, python3-pil).
"""

import argparse
import colorsys
import json
import math
import os

import numpy as np
from PIL import Image, ImageDraw

SUPERSAMPLE = 4
SMALL, MEDIUM = 32 * 32, 96 * 96  # COCO area buckets: small < 32², medium < 96², large otherwise


# ---------------------------------------------------------------- geometry

def rotate(points, angle):
    c, s = math.cos(angle), math.sin(angle)
    return points @ np.array([[c, s], [-s, c]], dtype=np.float64)


def ellipse(rx, ry, n=64, start=0.0, stop=2 * math.pi):
    t = np.linspace(start, stop, n, endpoint=(stop - start) < 2 * math.pi - 1e-9)
    return np.stack([rx * np.cos(t), ry * np.sin(t)], axis=1)


def fit(parts, side, max_w, max_h):
    """Scales and centres unit-space parts so that their bounding box has area side², within max_w × max_h.
    parts: list of (kind, points, extra). Returns (new parts, box width, box height)."""
    pts = np.concatenate([p for _, p, _ in parts])
    lo, hi = pts.min(0), pts.max(0)
    bw, bh = hi - lo
    scale = side / math.sqrt(bw * bh)
    scale = min(scale, max_w / bw, max_h / bh)
    centre = (lo + hi) / 2
    return [(k, (p - centre) * scale, e) for k, p, e in parts], bw * scale, bh * scale


def translate(parts, dx, dy):
    return [(k, p + np.array([dx, dy]), e) for k, p, e in parts]


# ---------------------------------------------------------------- rasterising

def _down(image, h, w):
    a = np.asarray(image, dtype=np.float32) / 255.0
    return a.reshape(h, SUPERSAMPLE, w, SUPERSAMPLE).mean(axis=(1, 3))


def rasterize(parts, outline=0.0):
    """Antialiased coverage of parts in image coordinates.

    parts: ("poly", points, add: bool) fills (add=False cuts a hole), ("line", points, (width, closed)) strokes.
    outline: width of a stroke along every polygon (0: none). Returns (x0, y0, fill coverage, outline coverage or
    None), the arrays covering [x0, x0+w) × [y0, y0+h)."""
    widths = [e[0] for k, _, e in parts if k == "line"] + [outline]
    pad = int(math.ceil(max(widths) / 2)) + 2
    pts = np.concatenate([p for _, p, _ in parts])
    x0, y0 = int(math.floor(pts[:, 0].min())) - pad, int(math.floor(pts[:, 1].min())) - pad
    x1, y1 = int(math.ceil(pts[:, 0].max())) + pad, int(math.ceil(pts[:, 1].max())) + pad
    w, h = x1 - x0, y1 - y0
    S = SUPERSAMPLE

    def local(p):
        return [((x - x0) * S, (y - y0) * S) for x, y in p]

    fill = Image.new("L", (w * S, h * S), 0)
    draw = ImageDraw.Draw(fill)
    for kind, p, extra in parts:
        if kind == "poly":
            draw.polygon(local(p), fill=255 if extra else 0)
        else:
            width, closed = extra
            q = local(p)
            draw.line(q + q[:1] if closed else q, fill=255, width=max(1, round(width * S)), joint="curve")
    ocov = None
    if outline > 0:
        stroke = Image.new("L", (w * S, h * S), 0)
        draw = ImageDraw.Draw(stroke)
        for kind, p, extra in parts:
            if kind == "poly":
                q = local(p)
                draw.line(q + q[:1], fill=255, width=max(1, round(outline * S)), joint="curve")
        ocov = _down(stroke, h, w)
    return x0, y0, _down(fill, h, w), ocov


# ---------------------------------------------------------------- colour fields

def hsv(h, s, v):
    return np.array(colorsys.hsv_to_rgb(h % 1.0, s, v), dtype=np.float32) * 255.0


def random_colour(rng, s=(0.0, 1.0), v=(0.15, 1.0)):
    return hsv(rng.random(), rng.uniform(*s), rng.uniform(*v))


def grid(h, w):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return xx, yy


def lerp(c1, c2, t):
    t = t[..., None]
    return c1 * (1 - t) + c2 * t


def linear_t(h, w, angle):
    xx, yy = grid(h, w)
    u = xx * math.cos(angle) + yy * math.sin(angle)
    return (u - u.min()) / max(float(u.max() - u.min()), 1e-6)


def value_noise(rng, h, w, cells, octaves=3):
    """Smooth noise in [0, 1]: random grids of cells, cells*2, ... upsampled bicubically and summed."""
    total = np.zeros((h, w), np.float32)
    weight, norm = 1.0, 0.0
    for o in range(octaves):
        gh, gw = max(2, int(cells * h / max(h, w)) * 2 ** o), max(2, int(cells * w / max(h, w)) * 2 ** o)
        g = Image.fromarray(rng.random((gh, gw)).astype(np.float32), mode="F")
        total += weight * np.asarray(g.resize((w, h), Image.BICUBIC), dtype=np.float32)
        norm += weight
        weight *= 0.5
    total /= norm
    lo, hi = total.min(), total.max()
    return (total - lo) / max(float(hi - lo), 1e-6)


def region_mean(img, x0, y0, cov):
    """Mean colour of img under cov (placed at x0, y0), clipped to the image."""
    h, w = cov.shape
    H, W = img.shape[:2]
    ix0, iy0, ix1, iy1 = max(x0, 0), max(y0, 0), min(x0 + w, W), min(y0 + h, H)
    if ix1 <= ix0 or iy1 <= iy0:
        return img.reshape(-1, 3).mean(0)
    c = cov[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0]
    region = img[iy0:iy1, ix0:ix1]
    if c.sum() < 1e-3:
        return region.reshape(-1, 3).mean(0)
    return (region * c[..., None]).sum((0, 1)) / c.sum()


def to_uint8(img):
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- scene

class _Object:
    __slots__ = ("category", "geometry", "full", "through")

    def __init__(self, category, geometry, full):
        self.category, self.geometry, self.full = category, geometry, full
        self.through = np.ones(geometry.shape, np.float32)  # how much of it the layers on top let through


class Scene:
    """An image built from layers; remembers for every object how much of it the later layers hide."""

    def __init__(self, background):
        self.img = background.astype(np.float32).copy()
        self.h, self.w = self.img.shape[:2]
        self.objects = []

    def _full(self, x0, y0, local):
        h, w = local.shape
        ix0, iy0, ix1, iy1 = max(x0, 0), max(y0, 0), min(x0 + w, self.w), min(y0 + h, self.h)
        out = np.zeros((self.h, self.w), np.float32)
        if ix1 > ix0 and iy1 > iy0:
            out[iy0:iy1, ix0:ix1] = local[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0]
        return out

    def add(self, x0, y0, coverage, colour, opacity=1.0, category=None, keep=0.5, inside=0.6):
        """Composites a layer. coverage: geometric coverage (h, w) at (x0, y0); colour: (h, w, 3) or (3,).
        Refused (False, nothing drawn) when it would leave an earlier object less than `keep` visible (keep=None:
        never refused for that), or, for an object (category set), when less than `inside` of it is in the frame."""
        geometry = self._full(x0, y0, coverage)
        alpha = geometry * opacity
        if keep is not None:
            for o in self.objects:
                visible = np.count_nonzero((o.geometry >= 0.5) & (o.through * (1 - alpha) >= 0.5))
                if visible < keep * o.full:
                    return False
        if category is not None:
            full = np.count_nonzero(coverage >= 0.5)
            if full == 0 or np.count_nonzero(geometry >= 0.5) < inside * full:
                return False
        colour = np.asarray(colour, np.float32)
        if colour.ndim == 1:
            colour = np.broadcast_to(colour, coverage.shape + (3,))
        field = np.zeros((self.h, self.w, 3), np.float32)
        h, w = coverage.shape
        ix0, iy0, ix1, iy1 = max(x0, 0), max(y0, 0), min(x0 + w, self.w), min(y0 + h, self.h)
        if ix1 > ix0 and iy1 > iy0:
            field[iy0:iy1, ix0:ix1] = colour[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0]
        a = alpha[..., None]
        self.img = self.img * (1 - a) + field * a
        for o in self.objects:
            o.through *= 1 - alpha
        if category is not None:
            self.objects.append(_Object(category, geometry, full))
        return True

    def annotations(self, min_visible=0.4, min_side=2):
        """[(category, [x, y, w, h], visible fraction)] of the objects still visible enough, and how many were
        dropped. Boxes are integer pixel extents of the visible pixels."""
        kept, dropped = [], 0
        for o in self.objects:
            visible = (o.geometry >= 0.5) & (o.through >= 0.5)
            fraction = np.count_nonzero(visible) / o.full
            if fraction < min_visible:
                dropped += 1
                continue
            ys, xs = np.nonzero(visible)
            x0, x1, y0, y1 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
            if x1 - x0 < min_side or y1 - y0 < min_side:
                dropped += 1
                continue
            kept.append((o.category, [x0, y0, x1 - x0, y1 - y0], fraction))
        return kept, dropped


# ---------------------------------------------------------------- sizes

def size_bucket(area):
    return "small" if area < SMALL else "medium" if area < MEDIUM else "large"


def sample_side(rng, bucket, ranges):
    lo, hi = ranges[bucket]
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


# ---------------------------------------------------------------- driver

def arguments(description, default_seed):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--out", required=True, help="output folder: images/, train.json, val.json")
    p.add_argument("--train", type=int, default=600, help="training images (default 600)")
    p.add_argument("--val", type=int, default=100, help="validation images (default 100), from a separate random stream")
    p.add_argument("--seed", type=int, default=default_seed, help=f"seed (default {default_seed})")
    return p.parse_args()


def generate(args, name, categories, width, height, draw_image):
    """Writes DIR/images/{train,val}_NNNNN.png, DIR/train.json, DIR/val.json and prints a summary.
    draw_image(rng) -> (HxWx3 uint8, [(category, bbox, fraction)], dropped). Every image has its own random stream
    seeded by (seed, split, index); the validation split is split 1, the training split 0, so they never share
    draws, and changing --train does not change the validation images."""
    images_dir = os.path.join(args.out, "images")
    os.makedirs(images_dir, exist_ok=True)
    cat_list = [{"id": i + 1, "name": n, "supercategory": "shape"} for i, n in enumerate(categories)]
    summary = {}
    for split, stream, count in (("train", 0, args.train), ("val", 1, args.val)):
        images, annotations = [], []
        stats = {"images": 0, "empty": 0, "objects": 0, "dropped": 0, "small": 0, "medium": 0, "large": 0,
                 "per_class": {c: 0 for c in categories}, "visible": []}
        for i in range(count):
            rng = np.random.default_rng([args.seed, stream, i])
            pixels, objects, dropped = draw_image(rng)
            file_name = f"{split}_{i:05d}.png"
            Image.fromarray(pixels, mode="RGB").save(os.path.join(images_dir, file_name), optimize=False)
            image_id = i + 1
            images.append({"id": image_id, "file_name": file_name, "width": width, "height": height})
            for category, bbox, fraction in objects:
                area = bbox[2] * bbox[3]
                annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": category,
                                    "bbox": bbox, "area": area, "iscrowd": 0})
                stats[size_bucket(area)] += 1
                stats["per_class"][categories[category - 1]] += 1
                stats["visible"].append(fraction)
            stats["images"] += 1
            stats["objects"] += len(objects)
            stats["dropped"] += dropped
            stats["empty"] += not objects
        coco = {"info": {"description": f"{name} (bench/datasets), split {split}, seed {args.seed}",
                         "area": "area = bbox width x height of the visible pixels"},
                "images": images, "annotations": annotations, "categories": cat_list}
        with open(os.path.join(args.out, f"{split}.json"), "w") as f:
            json.dump(coco, f, separators=(",", ":"))
        summary[split] = stats
    print(f"{name}: {width}x{height}, classes {', '.join(f'{i + 1}={c}' for i, c in enumerate(categories))}, seed {args.seed}, out {args.out}")
    for split, s in summary.items():
        n = max(s["objects"], 1)
        occluded = sum(1 for v in s["visible"] if v < 0.999) / n
        print(f"  {split:5s}: {s['images']} images ({s['empty']} without objects), {s['objects']} objects "
              f"({s['objects'] / max(s['images'], 1):.2f}/image; {s['dropped']} more drawn but left out as <40% visible), "
              f"small {s['small'] / n:.3f} / medium {s['medium'] / n:.3f} / large {s['large'] / n:.3f} by COCO area; "
              f"partly hidden or cut {occluded:.3f}; per class " + ", ".join(f"{k} {v}" for k, v in s["per_class"].items()))
