#!/usr/bin/python3
"""torchvision 0.14 reference timings for docs/benchmarks.md ("Anchors, matching and NMS"), 2 CPU threads.

    /usr/bin/python3 tools/bench_torch_matching_nms.py

Same settings as the Java benchmarks in retinanet-examples/src/main/java/org/retinanet4j/bench/:
  matching: box_iou(50 random boxes, the 119,718 anchors of a 768x832 input) + Matcher(0.5, 0.4, True), as
            RetinaNet.compute_loss does per image (MatchingBenchmark);
  nms:      10,000 random boxes (corners uniform in 1333x800, sides 10..300 px, uniform scores): nms (one class)
            and batched_nms with 91 classes (NmsBenchmark);
  decoding: RetinaNet.postprocess_detections for one 800x1216 image, 91 classes, logits uniform in [-6, -2],
            regressions uniform in [-0.5, 0.5] (DecoderBenchmark).
Prints median and minimum wall time over repeated runs after a warm-up.
"""
import time
import types

import torch
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.image_list import ImageList
from torchvision.models.detection.retinanet import RetinaNet, _default_anchorgen
from torchvision.ops import boxes as box_ops

torch.set_num_threads(2)


def timed(fn, runs, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return f"median {times[len(times) // 2] * 1e3:.2f} ms, min {times[0] * 1e3:.2f} ms over {runs} runs"


def anchors(height, width):
    sizes = [(-(-height // 2 ** l), -(-width // 2 ** l)) for l in range(3, 8)]  # ceil(n / 2^l), see FeatureMapGeometry
    feats = [torch.zeros(1, 1, h, w) for h, w in sizes]
    return _default_anchorgen()(ImageList(torch.zeros(1, 3, height, width), [(height, width)]), feats)[0]


def main():
    g = torch.Generator().manual_seed(0)
    a = anchors(768, 832)
    wh = 16 + torch.rand(50, 2, generator=g) * 384
    xy = torch.rand(50, 2, generator=g) * (torch.tensor([832.0, 768.0]) - wh).clamp(min=1)
    gt = torch.cat([xy, xy + wh], dim=1)
    matcher = det_utils.Matcher(0.5, 0.4, allow_low_quality_matches=True)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    print(f"box_iou + Matcher: {a.shape[0]} anchors x 50 boxes: {timed(lambda: matcher(box_ops.box_iou(gt, a)), 30)}")

    n = 10000
    xy = torch.rand(n, 2, generator=g) * torch.tensor([1333.0, 800.0])
    boxes = torch.cat([xy, xy + 10 + torch.rand(n, 2, generator=g) * 290], dim=1)
    scores = torch.rand(n, generator=g)
    classes = torch.randint(0, 91, (n,), generator=g)
    kept = len(box_ops.nms(boxes, scores, 0.5))
    print(f"nms: {n} boxes, 1 class, kept {kept}: {timed(lambda: box_ops.nms(boxes, scores, 0.5), 10)}")
    kept = len(box_ops.batched_nms(boxes, scores, classes, 0.5))
    print(f"batched_nms: {n} boxes, 91 classes, kept {kept}: "
          f"{timed(lambda: box_ops.batched_nms(boxes, scores, classes, 0.5), 10)}")

    height, width, k = 800, 1216, 91
    a = anchors(height, width)
    per_level = [-(-height // 2 ** l) * -(-width // 2 ** l) * 9 for l in range(3, 8)]
    logits = -6 + 4 * torch.rand(1, a.shape[0], k, generator=g)
    regression = torch.rand(1, a.shape[0], 4, generator=g) - 0.5
    head = {"cls_logits": list(logits.split(per_level, dim=1)),
            "bbox_regression": list(regression.split(per_level, dim=1))}
    fake = types.SimpleNamespace(score_thresh=0.05, topk_candidates=1000, nms_thresh=0.5, detections_per_img=300,
                                 box_coder=det_utils.BoxCoder((1.0, 1.0, 1.0, 1.0)))
    split_anchors = [list(a.split(per_level))]
    run = lambda: RetinaNet.postprocess_detections(fake, head, split_anchors, [(height, width)])
    print(f"postprocess_detections: {a.shape[0]} anchors x {k} classes -> {len(run()[0]['scores'])} detections: "
          f"{timed(run, 10)}")


if __name__ == "__main__":
    main()
