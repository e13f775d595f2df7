"""COCO-sized synthetic evaluation data: a ground-truth file and a results file for `detr evaluate --gt --dt`.

Defaults give issue 15's size: 5,000 images of 640x480, ~8 ground-truth boxes each (about 40k) in COCO's 80
category ids, 50 detections per image (250,000): one jittered copy of each ground-truth box (the right category 90 %
of the time) and random boxes for the rest. 1 % of the ground truth is crowd; areas are 50-100 % of the box, as a
segmentation's area is. Boxes have two decimals and scores four, so equal scores occur, as they do in real results.

    /usr/bin/python3 bench/make_coco_eval_data.py --out /tmp/coco-eval          # gt.json (5.3 MB) + dt.json (24 MB)
    detr evaluate --gt /tmp/coco-eval/gt.json --dt /tmp/coco-eval/dt.json --json

Deterministic for a given --seed. Needs numpy only.
"""
import argparse
import json
import os

import numpy as np

# COCO 2017's 80 category ids (1..90 with gaps).
COCO_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33,
            34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61,
            62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="folder for gt.json and dt.json")
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--detections", type=int, default=50, help="detections per image")
    parser.add_argument("--categories", type=int, default=80, help="the first N of COCO's category ids")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    categories = COCO_IDS[:args.categories]
    width, height = 640, 480

    def box():
        w = float(rng.uniform(4, 300))
        h = float(rng.uniform(4, 300))
        return [round(float(rng.uniform(0, width - 4)), 2), round(float(rng.uniform(0, height - 4)), 2), round(w, 2), round(h, 2)]

    images, annotations, results = [], [], []
    for image_id in range(1, args.images + 1):
        images.append({"id": image_id, "file_name": f"{image_id:012d}.jpg", "width": width, "height": height})
        objects = int(rng.integers(1, 16))
        per_image = 0
        for _ in range(objects):
            category = categories[int(rng.integers(len(categories)))]
            x, y, w, h = box()
            crowd = 1 if rng.random() < 0.01 else 0
            annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": category,
                                "bbox": [x, y, w, h], "area": round(w * h * float(rng.uniform(0.5, 1.0)), 2), "iscrowd": crowd})
            if per_image < args.detections:
                per_image += 1
                jittered = [round(x + float(rng.uniform(-6, 6)), 2), round(y + float(rng.uniform(-6, 6)), 2),
                            round(w * float(rng.uniform(0.85, 1.15)), 2), round(h * float(rng.uniform(0.85, 1.15)), 2)]
                label = category if rng.random() < 0.9 else categories[int(rng.integers(len(categories)))]
                results.append({"image_id": image_id, "category_id": label, "bbox": jittered,
                                "score": round(float(rng.uniform(0.3, 1.0)), 4)})
        while per_image < args.detections:
            per_image += 1
            results.append({"image_id": image_id, "category_id": categories[int(rng.integers(len(categories)))],
                            "bbox": box(), "score": round(float(rng.uniform(0.0, 0.6)), 4)})

    os.makedirs(args.out, exist_ok=True)
    gt = {"info": {"description": "bench/make_coco_eval_data.py", "seed": args.seed}, "images": images,
          "annotations": annotations, "categories": [{"id": c, "name": f"class{c}", "supercategory": "none"} for c in categories]}
    with open(os.path.join(args.out, "gt.json"), "w") as f:
        json.dump(gt, f, separators=(",", ":"))
    with open(os.path.join(args.out, "dt.json"), "w") as f:
        json.dump(results, f, separators=(",", ":"))
    print(f"{len(images)} images, {len(annotations)} ground-truth boxes, {len(results)} detections, {len(categories)} categories -> {args.out}")


if __name__ == "__main__":
    main()
