#!/usr/bin/python3
"""Golden values for anchors, matching, box coding, NMS and post-processing, from torchvision 0.14.

Run from the project root with Debian's torch/torchvision:

    /usr/bin/python3 tools/make_anchor_fixtures.py            # all files
    /usr/bin/python3 tools/make_anchor_fixtures.py box_iou    # only box_iou.json

It writes small JSON files under retinanet-model/src/test/resources/fixtures/anchors/ that the Java tests in
org.retinanet4j.{anchors,boxes,targets,decode} compare against. Everything is deterministic: random inputs come from
torch.Generator with fixed seeds, and the post-processing logits/regressions come from an integer formula that the
Java test recomputes bit for bit (see synthetic_outputs), so only the outputs need storing.

What each file holds:
  anchors.json      per image size: ResNet-FPN feature sizes (measured by running torchvision's resnet50 + FPN +
                    LastLevelP6P7(256, 256) on a zero image, exactly as retinanet_resnet50_fpn builds it), strides,
                    cell anchors, anchor count, SHA-256 of the float32 little-endian anchor bytes and sampled rows.
  matcher.json      torchvision Matcher(0.5, 0.4, allow_low_quality_matches=True) on box_iou(gt, anchors) of a
                    192x256 input: random boxes, exact ties, a tiny box only the low-quality rule matches, an image
                    with no boxes (RetinaNet.compute_loss: all -1). Stored as [anchor, match] for non-background,
                    with random labels (K = 5) and BoxCoder encodings of the foreground anchors (loss targets).
  box_coder.json    BoxCoder((1, 1, 1, 1)).encode_single / decode_single, including dw/dh above the clamp.
  box_iou.json      box_iou of two sets of boxes (random float32 corners, duplicates, touching, nested and zero-area
                    boxes), as float32 bit patterns so NaN (0 / 0 for two zero-area boxes) compares exactly.
  nms.json          nms and batched_nms on clustered, overlapping boxes with tied scores (coordinate-trick path,
                    <= 1000 boxes) and on 1,500 boxes with distinct scores (per-class path).
  loss.json         RetinaNet.compute_loss (Matcher + head losses) on the same synthetic outputs for a 3-image batch
                    (boxes, a tiny box, an image without boxes): targets built in Java must reproduce both losses.
  postprocess.json  RetinaNet.postprocess_detections + GeneralizedRCNNTransform.postprocess on a 2-image batch of
                    synthetic outputs (K = 3, 128x192 input) under two decoder settings.
"""
import hashlib
import json
import math
import os
import sys
import types

import torch
import torchvision
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
from torchvision.models.detection.image_list import ImageList
from torchvision.models.detection.retinanet import RetinaNet, RetinaNetHead, _default_anchorgen
from torchvision.models.detection.transform import resize_boxes
from torchvision.models.resnet import resnet50
from torchvision.ops import boxes as box_ops
from torchvision.ops.feature_pyramid_network import LastLevelP6P7

torch.set_num_threads(2)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "retinanet-model", "src", "test", "resources",
                   "fixtures", "anchors")


def write(name, obj):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")


def flat(t):
    return [float(v) for v in t.reshape(-1).tolist()]


def sha256_f32(t):
    return hashlib.sha256(t.to(torch.float32).contiguous().numpy().astype("<f4").tobytes()).hexdigest()


_BACKBONE = None


def backbone():
    """The v1 RetinaNet backbone: ResNet-50 + FPN with P6/P7 from P5, as retinanet_resnet50_fpn(weights=None)."""
    global _BACKBONE
    if _BACKBONE is None:
        torch.manual_seed(0)
        net = _resnet_fpn_extractor(resnet50(weights=None), 5, returned_layers=[2, 3, 4],
                                    extra_blocks=LastLevelP6P7(256, 256))
        _BACKBONE = net.eval()
    return _BACKBONE


def torchvision_anchors(height, width):
    """Anchors for one padded input, with the feature maps torchvision's network really produces."""
    with torch.no_grad():
        features = list(backbone()(torch.zeros(1, 3, height, width)).values())
    image_list = ImageList(torch.zeros(1, 3, height, width), [(height, width)])
    anchors = _default_anchorgen()(image_list, features)[0]
    sizes = [list(f.shape[-2:]) for f in features]
    return anchors, sizes


def anchors_fixture():
    cases = []
    gen = _default_anchorgen()
    for height, width in [(256, 256), (384, 512), (320, 448), (256, 320), (333, 517), (128, 192), (192, 256)]:
        anchors, sizes = torchvision_anchors(height, width)
        counts = [h * w * 9 for h, w in sizes]
        starts = [sum(counts[:i]) for i in range(len(counts))]
        # sampled rows: first and last anchor of every level plus a few inside
        rows = sorted({r for s, c in zip(starts, counts) for r in (s, s + 1, s + 8, s + c // 2, s + c - 1)})
        cases.append({
            "height": height, "width": width,
            "featureSizes": sizes,
            "strides": [[height // h, width // w] for h, w in sizes],
            "numAnchors": int(anchors.shape[0]),
            "sha256": sha256_f32(anchors),
            "sum": float(anchors.double().sum()),
            "sampleRows": rows,
            "sampleAnchors": [flat(anchors[r]) for r in rows],
        })
    write("anchors.json", {
        "torchvision": torchvision.__version__,
        "cellAnchors": [flat(c) for c in gen.cell_anchors],
        "sizes": [list(s) for s in gen.sizes],
        "cases": cases,
    })


def match(gt, anchors):
    if gt.shape[0] == 0:  # RetinaNet.compute_loss: no ground truth -> every anchor background
        return torch.full((anchors.shape[0],), -1, dtype=torch.int64)
    matcher = det_utils.Matcher(0.5, 0.4, allow_low_quality_matches=True)
    return matcher(box_ops.box_iou(gt, anchors))


def matcher_fixture():
    height, width = 192, 256
    anchors, _ = torchvision_anchors(height, width)
    g = torch.Generator().manual_seed(42)
    cases = {}

    xy = torch.rand(12, 2, generator=g) * torch.tensor([width - 40.0, height - 40.0])
    wh = 8 + torch.rand(12, 2, generator=g) * 150
    random_boxes = torch.cat([xy, xy + wh], dim=1)
    random_boxes[:, 2].clamp_(max=width + 20)
    random_boxes[:, 3].clamp_(max=height + 20)
    cases["random"] = random_boxes

    # exact ties: a duplicate box (argmax ties -> lowest index) and a box centred between anchor centres, so
    # several anchors share its best IoU (low-quality ties); box 3 overlaps box 0 so some anchors' own best box is
    # not the box whose maximum they tie
    cases["ties"] = torch.tensor([[40.0, 40.0, 104.0, 104.0], [40.0, 40.0, 104.0, 104.0],
                                  [116.0, 60.0, 148.0, 92.0], [56.0, 30.0, 120.0, 100.0]])

    tiny = torch.tensor([[101.0, 77.0, 107.0, 83.0], [150.0, 20.0, 230.0, 180.0]])
    best = box_ops.box_iou(tiny, anchors).max(dim=1).values
    assert best[0] < 0.4, f"tiny box must only match through the low-quality rule, best IoU {best[0]}"
    cases["tiny"] = tiny
    cases["empty"] = torch.zeros(0, 4)

    out = []
    for name, gt in cases.items():
        m = match(gt, anchors)
        nonbg = torch.where(m != -1)[0]
        iou = box_ops.box_iou(gt, anchors) if gt.shape[0] else None
        low_quality = 0
        if iou is not None:
            best_per_gt = iou.max(dim=1).values
            low_quality = int(((iou == best_per_gt[:, None]).any(dim=0) & (iou.max(dim=0).values < 0.5)).sum())
        labels = torch.randint(0, 5, (gt.shape[0],), generator=g)
        fg = torch.where(m >= 0)[0]
        # what RetinaNetRegressionHead.compute_loss regresses towards: encode(matched gt, anchor) of foreground anchors
        encoded = det_utils.BoxCoder((1.0, 1.0, 1.0, 1.0)).encode_single(gt[m[fg]], anchors[fg]) if len(fg) else None
        out.append({
            "name": name,
            "boxes": flat(gt),
            "labels": labels.tolist(),
            "encodedPositives": flat(encoded) if encoded is not None else [],
            "numAnchors": int(anchors.shape[0]),
            "matches": [[int(a), int(m[a])] for a in nonbg],
            "positives": int((m >= 0).sum()),
            "ignored": int((m == -2).sum()),
            "lowQualityMatches": low_quality,
        })
        print(f"  matcher case {name}: positives {int((m >= 0).sum())}, ignored {int((m == -2).sum())}, "
              f"low-quality {low_quality}")
    write("matcher.json", {"height": height, "width": width, "anchorsSha256": sha256_f32(anchors), "cases": out})


def box_coder_fixture():
    g = torch.Generator().manual_seed(7)
    coder = det_utils.BoxCoder((1.0, 1.0, 1.0, 1.0))
    n = 24
    a_xy = torch.rand(n, 2, generator=g) * 300
    anchors = torch.cat([a_xy, a_xy + 4 + torch.rand(n, 2, generator=g) * 400], dim=1)
    g_xy = torch.rand(n, 2, generator=g) * 300
    gt = torch.cat([g_xy, g_xy + 1 + torch.rand(n, 2, generator=g) * 500], dim=1)
    encoded = coder.encode_single(gt, anchors)
    codes = (torch.rand(n, 4, generator=g) - 0.5) * 4
    codes[::3, 2] = 4.0 + torch.rand(len(codes[::3]), generator=g) * 3  # above log(1000/16): clamped
    codes[1::3, 3] = 5.5
    decoded = coder.decode_single(codes, anchors)
    write("box_coder.json", {"anchors": flat(anchors), "gt": flat(gt), "encoded": flat(encoded),
                             "codes": flat(codes), "decoded": flat(decoded), "clip": coder.bbox_xform_clip})


def clustered_boxes(g, n, centres, spread, size):
    idx = torch.randint(0, centres.shape[0], (n,), generator=g)
    c = centres[idx] + (torch.rand(n, 2, generator=g) - 0.5) * spread
    wh = size * (0.6 + 0.8 * torch.rand(n, 2, generator=g))
    boxes = torch.cat([c - wh / 2, c + wh / 2], dim=1)
    return torch.round(boxes * 2) / 2  # half-pixel grid: exact in float32 and short in JSON


def box_iou_fixture():
    g = torch.Generator().manual_seed(5)
    def random_boxes(n):
        xy = torch.rand(n, 2, generator=g) * 100
        wh = torch.rand(n, 2, generator=g) * 60
        return torch.cat([xy, xy + wh], dim=1)
    special = torch.tensor([[10.0, 10.0, 20.0, 20.0],    # duplicated in both sets: IoU 1
                            [20.0, 10.0, 30.0, 20.0],    # touches the first: IoU 0
                            [12.0, 12.0, 18.0, 18.0],    # inside the first
                            [5.0, 5.0, 5.0, 15.0],       # zero width: 0 / 0 against itself
                            [0.0, 0.0, 0.0, 0.0]])       # a point
    a = torch.cat([random_boxes(40), special]).to(torch.float32)
    b = torch.cat([special, random_boxes(30)]).to(torch.float32)
    iou = box_ops.box_iou(a, b).contiguous()
    bits = iou.numpy().view("<i4").reshape(-1).tolist()
    write("box_iou.json", {"a": flat(a), "b": flat(b), "iouBits": bits,
                           "nans": int(torch.isnan(iou).sum()), "zeros": int((iou == 0).sum())})


def nms_fixture():
    g = torch.Generator().manual_seed(3)
    centres = torch.rand(6, 2, generator=g) * 300
    boxes = clustered_boxes(g, 300, centres, 40.0, 60.0)
    tied_scores = torch.randint(1, 9, (300,), generator=g).to(torch.float32) / 8  # many exact ties
    labels = torch.randint(0, 4, (300,), generator=g)
    nms_keep = box_ops.nms(boxes, tied_scores, 0.5)
    batched_keep = box_ops.batched_nms(boxes, tied_scores, labels, 0.5)  # 300 boxes: coordinate trick
    nms_keep_03 = box_ops.nms(boxes, tied_scores, 0.3)

    centres2 = torch.rand(10, 2, generator=g) * 600
    boxes2 = clustered_boxes(g, 1500, centres2, 80.0, 90.0)
    distinct = (torch.randperm(1500, generator=g).to(torch.float32) + 1) / 2048  # distinct, exact
    labels2 = torch.randint(0, 5, (1500,), generator=g)
    batched_keep2 = box_ops.batched_nms(boxes2, distinct, labels2, 0.5)  # 1500 boxes: per-class loop
    write("nms.json", {
        "tied": {"boxes": flat(boxes), "scores": flat(tied_scores), "labels": labels.tolist(),
                 "nmsKeep05": nms_keep.tolist(), "nmsKeep03": nms_keep_03.tolist(),
                 "batchedKeep05": batched_keep.tolist()},
        "large": {"boxes": flat(boxes2), "scores": flat(distinct), "labels": labels2.tolist(),
                  "batchedKeep05": batched_keep2.tolist()},
    })


def synthetic_outputs(num_anchors, num_classes, image):
    """Distinct logits and regressions from integer permutations; the Java test computes the same float32 values.

    logit[i] = float32(-4 + 5 * (p / M)), p = (i * 7919 + image * 104729) mod M, M = A * K (7919 coprime to M)
    reg[j]   = float32(lo + span * (q / R)), q = (j * 15485863 + image * 1299709) mod R, R = A * 4;
               (lo, span) = (-0.3, 0.6) for dx, dy and (-1, 6) for dw, dh (reaching above the clamp)
    """
    m = num_anchors * num_classes
    r = num_anchors * 4
    assert math.gcd(7919, m) == 1 and math.gcd(15485863, r) == 1
    logits = [-4.0 + 5.0 * (((i * 7919 + image * 104729) % m) / m) for i in range(m)]
    regs = []
    for j in range(r):
        q = ((j * 15485863 + image * 1299709) % r) / r
        regs.append(-0.3 + 0.6 * q if j % 4 < 2 else -1.0 + 6.0 * q)
    return (torch.tensor(logits, dtype=torch.float32).reshape(num_anchors, num_classes),
            torch.tensor(regs, dtype=torch.float32).reshape(num_anchors, 4))


def postprocess_fixture():
    height, width, k = 128, 192, 3
    anchors, sizes = torchvision_anchors(height, width)
    per_level = [h * w * 9 for h, w in sizes]
    resized = [(128, 192), (100, 150)]
    original = [(256, 384), (333, 500)]
    outputs = [synthetic_outputs(anchors.shape[0], k, i) for i in range(2)]
    cls = torch.stack([o[0] for o in outputs])
    reg = torch.stack([o[1] for o in outputs])
    head = {"cls_logits": list(cls.split(per_level, dim=1)), "bbox_regression": list(reg.split(per_level, dim=1))}
    split_anchors = [list(anchors.split(per_level)) for _ in range(2)]
    configs = [
        {"scoreThreshold": 0.05, "topKCandidates": 1000, "nmsIouThreshold": 0.5, "detectionsPerImage": 300},
        {"scoreThreshold": 0.3, "topKCandidates": 100, "nmsIouThreshold": 0.4, "detectionsPerImage": 50},
    ]
    results = []
    for cfg in configs:
        fake = types.SimpleNamespace(score_thresh=cfg["scoreThreshold"], topk_candidates=cfg["topKCandidates"],
                                     nms_thresh=cfg["nmsIouThreshold"], detections_per_img=cfg["detectionsPerImage"],
                                     box_coder=det_utils.BoxCoder((1.0, 1.0, 1.0, 1.0)))
        dets = RetinaNet.postprocess_detections(fake, head, split_anchors, resized)
        images = []
        for i, d in enumerate(dets):
            candidates = 0
            for lvl in head["cls_logits"]:
                candidates += min(cfg["topKCandidates"], int((torch.sigmoid(lvl[i]) > cfg["scoreThreshold"]).sum()))
            images.append({
                "candidates": candidates,
                "boxes": flat(d["boxes"]), "scores": flat(d["scores"]), "labels": d["labels"].tolist(),
                "originalBoxes": flat(resize_boxes(d["boxes"], resized[i], original[i])),
            })
            print(f"  postprocess {cfg}: image {i}: {candidates} candidates -> {len(d['scores'])} detections")
        results.append({"config": cfg, "images": images})
    write("postprocess.json", {"height": height, "width": width, "numClasses": k, "anchorsPerLevel": per_level,
                               "resized": resized, "original": original, "results": results})


def loss_fixture():
    height, width, k = 128, 192, 3
    anchors, sizes = torchvision_anchors(height, width)
    targets = [
        {"boxes": torch.tensor([[10.0, 12.0, 70.0, 90.0], [100.0, 20.0, 180.0, 60.0], [61.0, 97.0, 67.0, 103.0]]),
         "labels": torch.tensor([2, 0, 1])},
        {"boxes": torch.tensor([[0.0, 0.0, 190.0, 126.0], [30.5, 40.25, 95.75, 80.0]]), "labels": torch.tensor([1, 1])},
        {"boxes": torch.zeros(0, 4), "labels": torch.zeros(0, dtype=torch.int64)},
    ]
    outputs = [synthetic_outputs(anchors.shape[0], k, i) for i in range(len(targets))]
    head_outputs = {"cls_logits": torch.stack([o[0] for o in outputs]),
                    "bbox_regression": torch.stack([o[1] for o in outputs])}
    fake = types.SimpleNamespace(proposal_matcher=det_utils.Matcher(0.5, 0.4, allow_low_quality_matches=True),
                                 head=RetinaNetHead(8, 9, k))
    losses = RetinaNet.compute_loss(fake, targets, head_outputs, [anchors] * len(targets))
    write("loss.json", {"height": height, "width": width, "numClasses": k,
                        "boxes": [flat(t["boxes"]) for t in targets], "labels": [t["labels"].tolist() for t in targets],
                        "classification": float(losses["classification"]),
                        "boxRegression": float(losses["bbox_regression"])})
    print(f"  compute_loss: {losses}")


FIXTURES = {"anchors": anchors_fixture, "matcher": matcher_fixture, "box_coder": box_coder_fixture,
            "box_iou": box_iou_fixture, "nms": nms_fixture, "postprocess": postprocess_fixture, "loss": loss_fixture}

if __name__ == "__main__":
    # all fixtures, or only those named: tools/make_anchor_fixtures.py box_iou nms
    for name in sys.argv[1:] or FIXTURES:
        FIXTURES[name]()
