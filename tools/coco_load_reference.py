#!/usr/bin/python3
"""Reference for CocoParseBenchmark: what pycocotools' COCO(annotation_file) does on load, in plain Python.

pycocotools is not installable here (its C extension needs a compiler), but COCO.__init__ is pure Python:
json.load of the whole file, then createIndex (dicts anns, imgs, cats, imgToAnns, catToImgs). This script does
the same and prints the seconds and the peak resident memory.
Usage: /usr/bin/python3 tools/coco_load_reference.py instances.json
"""
import json
import resource
import sys
import time
from collections import defaultdict


def main(path):
    t0 = time.time()
    with open(path, "r") as f:
        dataset = json.load(f)
    t1 = time.time()
    anns, cats, imgs = {}, {}, {}
    img_to_anns, cat_to_imgs = defaultdict(list), defaultdict(list)
    for ann in dataset.get("annotations", []):
        img_to_anns[ann["image_id"]].append(ann)
        anns[ann["id"]] = ann
    for img in dataset.get("images", []):
        imgs[img["id"]] = img
    for cat in dataset.get("categories", []):
        cats[cat["id"]] = cat
    for ann in dataset.get("annotations", []):
        cat_to_imgs[ann["category_id"]].append(ann["image_id"])
    t2 = time.time()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"json.load {t1 - t0:.2f} s, createIndex {t2 - t1:.2f} s, total {t2 - t0:.2f} s, "
          f"{len(imgs)} images, {len(anns)} annotations, peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1])
