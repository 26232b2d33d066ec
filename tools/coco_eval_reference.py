#!/usr/bin/env python3
"""Golden values for the COCO evaluator tests, computed by pycocotools' own cocoeval.py.

pycocotools cannot be pip-installed on the build machine (no compiler/network), so this script runs the
unmodified pure-Python files coco.py and cocoeval.py from a cocoapi checkout with two stand-ins:
  * `mask.iou` for boxes: a line-by-line port of cocoapi's C function bbIou (common/maskApi.c);
  * matplotlib (only used by coco.py's showAnns) is stubbed out.
numpy >= 1.24 removed np.float, which cocoeval.accumulate uses; it is aliased back to float.

Usage: /usr/bin/python3 tools/coco_eval_reference.py COCOAPI_DIR GT.json DT.json [OUT.json]
  COCOAPI_DIR: a checkout of github.com/cocodataset/cocoapi (its PythonAPI/pycocotools is read).
Writes {"stats": {AP..ARl}, "perCategoryAP": {catId: AP or -1}} (AP at IoU .50:.95, area all, maxDets 100).
"""
import json
import os
import sys
import tempfile
import types

import numpy as np

np.float = float  # removed in numpy 1.24; cocoeval.accumulate still uses it


def bb_iou(dt, gt, iscrowd):
    """Port of cocoapi common/maskApi.c bbIou: o[d, g] for boxes [x, y, w, h]."""
    m, n = len(dt), len(gt)
    if m == 0 or n == 0:
        return []
    o = np.zeros((m, n), dtype=np.double)
    for g in range(n):
        G = [float(v) for v in gt[g]]
        ga = G[2] * G[3]
        crowd = bool(iscrowd[g])
        for d in range(m):
            D = [float(v) for v in dt[d]]
            da = D[2] * D[3]
            w = min(D[2] + D[0], G[2] + G[0]) - max(D[0], G[0])
            if w <= 0:
                continue
            h = min(D[3] + D[1], G[3] + G[1]) - max(D[1], G[1])
            if h <= 0:
                continue
            i = w * h
            u = da if crowd else da + ga - i
            o[d, g] = i / u
    return o


def load_pycocotools(cocoapi_dir):
    src = os.path.join(cocoapi_dir, "PythonAPI", "pycocotools")
    pkg_dir = tempfile.mkdtemp()
    pkg = os.path.join(pkg_dir, "pycocotools")
    os.makedirs(pkg)
    open(os.path.join(pkg, "__init__.py"), "w").close()
    with open(os.path.join(pkg, "mask.py"), "w") as f:
        f.write("from coco_eval_reference import bb_iou as iou\n")
    for name in ("coco.py", "cocoeval.py"):
        with open(os.path.join(src, name)) as f:
            text = f.read()
        text = "\n".join("# stubbed: " + line if line.startswith(("import matplotlib", "from matplotlib")) else line
                         for line in text.split("\n"))
        with open(os.path.join(pkg, name), "w") as f:
            f.write(text)
    sys.path.insert(0, pkg_dir)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    return COCO, COCOeval


NAMES = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]


def main():
    cocoapi, gt_path, dt_path = sys.argv[1:4]
    COCO, COCOeval = load_pycocotools(cocoapi)
    gt = COCO(gt_path)
    dt = gt.loadRes(dt_path)
    ev = COCOeval(gt, dt, "bbox")
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    prec = ev.eval["precision"]  # [T, R, K, A, M]
    per_cat = {}
    for k, cat in enumerate(ev.params.catIds):
        s = prec[:, :, k, 0, 2]
        per_cat[str(cat)] = float(np.mean(s[s > -1])) if (s > -1).any() else -1.0
    out = {"stats": {n: float(v) for n, v in zip(NAMES, ev.stats)}, "perCategoryAP": per_cat}
    text = json.dumps(out, indent=1)
    if len(sys.argv) > 4:
        with open(sys.argv[4], "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
