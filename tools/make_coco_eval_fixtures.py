#!/usr/bin/env python3
"""Writes the COCO-evaluation test fixtures: small ground-truth/detection pairs (hand-checkable cases and one
seeded random stress case) and, for each, pycocotools' statistics via tools/coco_eval_reference.py.

Usage: /usr/bin/python3 tools/make_coco_eval_fixtures.py COCOAPI_DIR
Output: retinanet-data/src/test/resources/fixtures/coco-eval/<case>/{gt.json,dt.json,expected.json}
"""
import json
import os
import random
import subprocess
import sys

OUT = os.path.join(os.path.dirname(__file__), "..", "retinanet-data", "src", "test", "resources", "fixtures",
                   "coco-eval")


def gt_json(image_ids, cats, anns):
    annotations = []
    for i, (img, cat, box, area, crowd) in enumerate(anns):
        annotations.append({"id": i + 1, "image_id": img, "category_id": cat, "bbox": box, "area": area,
                            "iscrowd": crowd})
    return {"images": [{"id": i} for i in image_ids],
            "categories": [{"id": c, "name": "c%d" % c} for c in cats],
            "annotations": annotations}


def dets(rows):
    return [{"image_id": i, "category_id": c, "bbox": b, "score": s} for (i, c, b, s) in rows]


def box(x, y, w, h):
    return [x, y, w, h], w * h


def cases():
    c = {}
    # crowd: detections inside a crowd region are ignored, not false positives; a crowd box matches many
    b1, a1 = box(10, 10, 50, 50)
    c["crowd"] = (gt_json([1], [1], [(1, 1, b1, a1, 0), (1, 1, [100, 100, 200, 200], 40000, 1)]),
                  dets([(1, 1, [120, 120, 50, 50], 0.95), (1, 1, b1, 0.9), (1, 1, [150, 150, 40, 40], 0.8)]))
    # empty images: image 2 has nothing, image 3 has only a (false-positive) detection
    c["empty-images"] = (gt_json([1, 2, 3], [1], [(1, 1, b1, a1, 0)]),
                         dets([(3, 1, [0, 0, 20, 20], 0.9), (1, 1, b1, 0.8)]))
    # more than 100 detections: category 1's true positive is the 100th by score, category 2's the 101st
    rows = []
    for cat, tp_rank in ((1, 100), (2, 101)):
        for r in range(1, 151):
            score = 1.0 - r * 0.001
            rows.append((1, cat, b1 if r == tp_rank else [300 + r * 3, 300, 2, 2], score))
    c["over-100"] = (gt_json([1], [1, 2], [(1, 1, b1, a1, 0), (1, 2, b1, a1, 0)]), dets(rows))
    # duplicates: three detections of the same box (two with equal scores); a second box is missed
    b2, a2 = box(200, 200, 40, 40)
    c["duplicates"] = (gt_json([1], [1], [(1, 1, b1, a1, 0), (1, 1, b2, a2, 0)]),
                       dets([(1, 1, b1, 0.9), (1, 1, b1, 0.9), (1, 1, b1, 0.8)]))
    # non-contiguous ids declared out of order; 17 has no ground truth; 55 is not a category at all
    c["non-contiguous-ids"] = (
        gt_json([5, 9], [90, 3, 17], [(5, 3, b1, a1, 0), (9, 3, b2, a2, 0), (5, 90, b2, a2, 0)]),
        dets([(5, 3, b1, 0.7), (9, 3, [205, 205, 40, 40], 0.6), (5, 90, [0, 0, 5, 5], 0.9),
              (5, 90, b2, 0.5), (9, 17, b1, 0.4), (5, 55, b1, 0.99)]))
    # area boundaries: 32*32 is small AND medium, 96*96 is medium AND large (both ends inclusive)
    s, as_ = box(0, 0, 32, 32)
    m, am = box(100, 100, 96, 96)
    c["area-bounds"] = (gt_json([1], [1], [(1, 1, s, as_, 0), (1, 1, m, am, 0)]),
                        dets([(1, 1, s, 0.9), (1, 1, m, 0.8)]))
    c["random-stress"] = random_case()
    return c


def random_case():
    rnd = random.Random(20261129)
    cats = [2, 5, 11, 40]
    images = list(range(100, 112))
    anns, rows = [], []
    for img in images:
        for _ in range(rnd.randint(0, 8)):
            cat = rnd.choice(cats)
            x, y = rnd.randint(0, 60) * 4, rnd.randint(0, 60) * 4
            w, h = rnd.choice([8, 16, 24, 32, 48, 64, 96, 128]), rnd.choice([8, 16, 32, 40, 64, 96, 120])
            crowd = 1 if rnd.random() < 0.1 else 0
            area = w * h * rnd.choice([0.5, 0.75, 1.0])  # COCO areas come from polygons, not boxes
            anns.append((img, cat, [x, y, w, h], area, crowd))
            for _ in range(rnd.randint(0, 4)):  # detections near the box, coarse jitter: IoU ties happen
                j = [rnd.choice([-4, 0, 0, 4]) for _ in range(4)]
                rows.append((img, cat, [x + j[0], y + j[1], max(1, w + j[2]), max(1, h + j[3])],
                             rnd.choice([0.3, 0.5, 0.5, 0.7, 0.9])))
        n_fp = 130 if img == 103 else rnd.randint(0, 10)
        for _ in range(n_fp):
            rows.append((img, rnd.choice(cats), [rnd.randint(0, 250), rnd.randint(0, 250), rnd.randint(1, 80),
                                                 rnd.randint(1, 80)], round(rnd.random(), 1)))
    rnd.shuffle(rows)
    return gt_json(images, cats, anns), dets(rows)


def shared_sample_float32(cocoapi, ref):
    """pycocotools on the shared COCO sample with ground-truth bbox/area rounded to float32, as the project's
    DetectionDataset stores them: shows what the float storage costs (and lets the adapter be tested)."""
    import numpy as np
    import tempfile
    sample = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "coco-eval-sample")
    if not os.path.isdir(sample):
        print("shared sample absent; skipping the float32 fixture")
        return
    d = json.load(open(os.path.join(sample, "instances.json")))
    for a in d["annotations"]:
        a["bbox"] = [float(np.float32(v)) for v in a["bbox"]]
        a["area"] = float(np.float32(a["area"]))
    tmp = tempfile.mkdtemp()
    json.dump(d, open(os.path.join(tmp, "gt.json"), "w"))
    subprocess.run([sys.executable, ref, cocoapi, os.path.join(tmp, "gt.json"),
                    os.path.join(sample, "detections.json"), os.path.join(OUT, "shared-sample-float32-gt.json")],
                   check=True, stdout=subprocess.DEVNULL)


def main():
    cocoapi = sys.argv[1]
    ref = os.path.join(os.path.dirname(__file__), "coco_eval_reference.py")
    shared_sample_float32(cocoapi, ref)
    for name, (gt, dt) in cases().items():
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        for fname, obj in (("gt.json", gt), ("dt.json", dt)):
            with open(os.path.join(d, fname), "w") as f:
                json.dump(obj, f, separators=(",", ":"))
        subprocess.run([sys.executable, ref, cocoapi, os.path.join(d, "gt.json"), os.path.join(d, "dt.json"),
                        os.path.join(d, "expected.json")], check=True, stdout=subprocess.DEVNULL)
        print(name, json.load(open(os.path.join(d, "expected.json")))["stats"])


if __name__ == "__main__":
    main()
