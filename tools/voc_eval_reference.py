#!/usr/bin/env python3
"""Golden values for the VOC evaluator test, computed by py-faster-rcnn's voc_eval.py (the Python port of the
PASCAL VOC devkit's evaluation that most detection code bases copy).

voc_eval.py is Python 2 code; this script runs the unmodified file from a py-faster-rcnn checkout with three
stand-ins, none of which touches the evaluation itself:
  * `print` statements become print() calls (the only source edit, done in memory);
  * `cPickle` (its annotation cache) is Python 3's pickle on the files' byte streams;
  * numpy >= 1.24 removed np.bool, which voc_eval uses; it is aliased back to bool.

Usage: /usr/bin/python3 tools/voc_eval_reference.py PY_FASTER_RCNN_DIR VOC_SAMPLE_DIR OUT_DIR
  PY_FASTER_RCNN_DIR: a checkout of github.com/rbgirshick/py-faster-rcnn (lib/datasets/voc_eval.py is read);
  VOC_SAMPLE_DIR: a VOC folder with Annotations/*.xml (e.g. ../shared/data/voc2012-sample).
Writes OUT_DIR/detections.txt, made here from the ground truth with a fixed seed (jittered copies of every box,
some twice, plus three random false positives per image; unique scores), one detection per line:
  IMAGE CLASS SCORE XMIN YMIN XMAX YMAX      (the devkit's pixel coordinates, as written in the XML)
and OUT_DIR/expected.json: for the VOC2007 11-point and the VOC2010+ all-point definitions, AP per class and
mAP over the classes with at least one non-difficult box (voc_eval gives NaN for the others), at IoU 0.5.
"""
import io
import json
import os
import pickle
import re
import sys
import tempfile
import types
import warnings
import xml.etree.ElementTree as ET

import numpy as np

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # numpy 1.2x warns on the look-up itself
    if not hasattr(np, "bool"):
        np.bool = bool  # removed in numpy 1.24; voc_eval still uses it

SEED = 7
JITTER = 12
FALSE_POSITIVES_PER_IMAGE = 3


def python3_source(path):
    """voc_eval.py with its Python 2 print statements turned into print() calls (statements may span lines)."""
    lines = open(path).read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)print (.*)$", lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent, expr = m.group(1), m.group(2)
        while expr.count("(") > expr.count(")"):
            i += 1
            expr += "\n" + lines[i]
        out.append(indent + "print(" + expr + ")")
        i += 1
    return "\n".join(out)


def load_voc_eval(checkout):
    path = os.path.join(checkout, "lib", "datasets", "voc_eval.py")
    shim = types.ModuleType("cPickle")
    shim.dump = lambda obj, f: pickle.dump(obj, f.buffer if isinstance(f, io.TextIOBase) else f)
    shim.load = lambda f: pickle.load(f.buffer if isinstance(f, io.TextIOBase) else f)
    sys.modules["cPickle"] = shim
    module = types.ModuleType("voc_eval")
    module.__file__ = path
    exec(compile(python3_source(path), path, "exec"), module.__dict__)
    return module


def read_ground_truth(annotations):
    """{image name: [(class, difficult, [xmin, ymin, xmax, ymax])]} in file order, names sorted."""
    out = {}
    for name in sorted(f[:-4] for f in os.listdir(annotations) if f.endswith(".xml")):
        objects = []
        for obj in ET.parse(os.path.join(annotations, name + ".xml")).findall("object"):
            box = obj.find("bndbox")
            objects.append((obj.find("name").text, int(obj.find("difficult").text),
                            [int(box.find(k).text) for k in ("xmin", "ymin", "xmax", "ymax")]))
        out[name] = objects
    return out


def make_detections(gt):
    rng = np.random.RandomState(SEED)
    boxes = []
    classes = sorted({c for objects in gt.values() for c, _, _ in objects})
    for name, objects in gt.items():
        for cls, _, (x1, y1, x2, y2) in objects:
            for _ in range(rng.randint(0, 3)):
                a = x1 + rng.randint(-JITTER, JITTER + 1)
                b = y1 + rng.randint(-JITTER, JITTER + 1)
                c = max(a, x2 + rng.randint(-JITTER, JITTER + 1))
                d = max(b, y2 + rng.randint(-JITTER, JITTER + 1))
                boxes.append((name, cls, a, b, c, d))
        for _ in range(FALSE_POSITIVES_PER_IMAGE):
            a = rng.randint(0, 200)
            b = rng.randint(0, 200)
            boxes.append((name, classes[rng.randint(0, len(classes))], a, b, a + 20 + rng.randint(0, 100),
                          b + 20 + rng.randint(0, 100)))
    # unique scores, so the order voc_eval sorts by is not a matter of tie-breaking
    order = rng.permutation(len(boxes))
    return [(n, c, (order[i] + 1) / (len(boxes) + 1.0), a, b, x2, y2)
            for i, (n, c, a, b, x2, y2) in enumerate(boxes)]


def main():
    checkout, sample, out_dir = sys.argv[1:4]
    voc_eval = load_voc_eval(checkout)
    annotations = os.path.join(sample, "Annotations")
    gt = read_ground_truth(annotations)
    detections = make_detections(gt)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "detections.txt"), "w") as f:
        for n, c, s, a, b, x2, y2 in detections:
            f.write("%s %s %r %d %d %d %d\n" % (n, c, s, a, b, x2, y2))

    work = tempfile.mkdtemp()
    imageset = os.path.join(work, "images.txt")
    with open(imageset, "w") as f:
        f.write("\n".join(gt.keys()) + "\n")
    classes = sorted({c for objects in gt.values() for c, _, _ in objects})
    for cls in classes:
        with open(os.path.join(work, "det_" + cls + ".txt"), "w") as f:
            for n, c, s, a, b, x2, y2 in detections:
                if c == cls:
                    f.write("%s %r %d %d %d %d\n" % (n, s, a, b, x2, y2))

    result = {"reference": "py-faster-rcnn lib/datasets/voc_eval.py, ovthresh 0.5",
              "images": len(gt), "detections": len(detections)}
    for metric, use_07 in (("VOC2007_11_POINT", True), ("VOC2010_ALL_POINT", False)):
        per_class = {}
        with np.errstate(divide="ignore", invalid="ignore"):
            for cls in classes:
                if not any(c == cls for _, c, _, _, _, _, _ in detections):
                    # voc_eval indexes an empty array then; with no detections AP is 0 (NaN without positives)
                    positives = sum(1 for objs in gt.values() for c, d, _ in objs if c == cls and not d)
                    per_class[cls] = 0.0 if positives else None
                    continue
                _, _, ap = voc_eval.voc_eval(os.path.join(work, "det_{}.txt"),
                                             os.path.join(annotations, "{}.xml"), imageset, cls,
                                             os.path.join(work, "cache"), ovthresh=0.5, use_07_metric=use_07)
                per_class[cls] = None if np.isnan(ap) else float(ap)
        scored = [v for v in per_class.values() if v is not None]
        result[metric] = {"map": float(np.mean(scored)), "ap": per_class}
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        f.write(json.dumps(result, indent=1) + "\n")
    print(json.dumps({m: result[m]["map"] for m in ("VOC2007_11_POINT", "VOC2010_ALL_POINT")}))


if __name__ == "__main__":
    main()
