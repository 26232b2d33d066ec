#!/usr/bin/python3
"""Golden values for the torchvision weight-import parity tests (retinanet4j, issue 8).

Builds a torchvision RetinaNet (v1 layout) or ResNet classifier with seeded random weights, exports its weights
with export_torchvision_weights.py's functions, and writes torchvision's outputs on a normalised input.

  retinanet mode: <out>/weights.npz and, per image size HxW, <out>/io_HxW.npz with
      image [1,3,H,W] (already normalised), c3 c4 c5 (backbone outputs), p3..p7 (FPN outputs),
      cls [1, A*K] and box [1, A*4] (torchvision's head outputs flattened: column a*K+k / a*4+j),
      det_boxes [D,4] det_scores [D] det_labels [D] (postprocess_detections on the unpadded HxW input).
  backbone mode: <out>/weights.npz (classifier without fc) and <out>/io_HxW.npz with image, c3, c4, c5.
  --pth (either mode): also <out>/weights.pth and <out>/weights_legacy.pth, the model's state_dict() exactly as
      torch.save writes it (torch's zip format, and the legacy format of torch < 1.6 via
      _use_new_zipfile_serialization=False), num_batches_tracked and fc included, for the .pth parity tests.
  tiny mode: the small .pth files committed under retinanet-model/src/test/resources/fixtures/pth (a few KB;
      values the Java tests know: see write_tiny), made once with
      /usr/bin/python3 tools/make_import_fixtures.py tiny --out retinanet-model/src/test/resources/fixtures/pth

The parity tests run this at test time (torch is not a build dependency), e.g.
  /usr/bin/python3 tools/make_import_fixtures.py retinanet --depth resnet50 --num-classes 91 \
      --sizes 128x128,128x256 --out target/import-fixtures/r50
"""
import argparse
import math
import os
import sys

import numpy as np
import torch
from torchvision.models.detection.image_list import ImageList

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_torchvision_weights as exporter  # noqa: E402


def parse_sizes(text):
    return [tuple(int(v) for v in s.split("x")) for s in text.split(",")]


def liven_head(model, generator, images, candidates=150):
    """torchvision's head init (std 0.01, prior bias -4.6) scores every anchor ~0.01, below the 0.05 threshold:
    spread the logits and pick the class bias so that about `candidates` (anchor, class) scores of `image` pass
    0.05 in the image that has the most, leaving postprocess_detections under its 300-detection cap."""
    cls = model.head.classification_head.cls_logits
    box = model.head.regression_head.bbox_reg
    with torch.no_grad():
        for conv in list(model.head.classification_head.conv) + list(model.head.regression_head.conv):
            c = conv[0].weight.shape[1]  # He-scaled so that the signal survives narrow (reduced) heads
            conv[0].weight.normal_(0.0, math.sqrt(2.0 / (9 * c)), generator=generator)
            conv[0].bias.normal_(0.0, 0.01, generator=generator)
        cls.weight.normal_(0.0, 0.05, generator=generator)
        cls.bias.zero_()
        box.weight.normal_(0.0, 0.02, generator=generator)
        box.bias.normal_(0.0, 0.1, generator=generator)
        kth = []
        for image in images:
            raw = model.head(list(model.backbone(image).values()))["cls_logits"].flatten()
            kth.append(float(torch.topk(raw, candidates).values[-1]))
        cls.bias.fill_(math.log(0.05 / 0.95) - max(kth) + 1e-3)


def retinanet_outputs(model, image):
    h, w = image.shape[-2:]
    body = model.backbone.body(image)
    fpn = model.backbone.fpn(body)
    features = list(fpn.values())
    head = model.head(features)
    anchors = model.anchor_generator(ImageList(image, [(h, w)]), features)
    hw = [f.size(2) * f.size(3) for f in features]
    a = head["cls_logits"].size(1) // sum(hw)
    per_level = [x * a for x in hw]
    split_head = {k: list(v.split(per_level, dim=1)) for k, v in head.items()}
    split_anchors = [list(x.split(per_level)) for x in anchors]
    det = model.postprocess_detections(split_head, split_anchors, [(h, w)])[0]
    out = {"image": image}
    out.update({f"c{i + 3}": v for i, v in enumerate(body.values())})
    out.update({f"p{i + 3}": v for i, v in enumerate(features)})
    out["cls"] = head["cls_logits"].reshape(1, -1)
    out["box"] = head["bbox_regression"].reshape(1, -1)
    out["det_boxes"] = det["boxes"]
    out["det_scores"] = det["scores"]
    out["det_labels"] = det["labels"].to(torch.float32)
    return out


def backbone_outputs(model, image):
    x = model.maxpool(model.relu(model.bn1(model.conv1(image))))
    c2 = model.layer1(x)
    c3 = model.layer2(c2)
    c4 = model.layer3(c3)
    c5 = model.layer4(c4)
    return {"image": image, "c3": c3, "c4": c4, "c5": c5}


def save_pth(out_dir, state):
    """state_dict() in both torch.save formats."""
    torch.save(state, os.path.join(out_dir, "weights.pth"))
    torch.save(state, os.path.join(out_dir, "weights_legacy.pth"), _use_new_zipfile_serialization=False)


def tiny_state_dict():
    """A real module's state_dict() (an OrderedDict with _metadata) plus tensors that exercise the readers:
    float64 and float16 storages, an int64 scalar, a transposed (non-contiguous) tensor, a view at a storage
    offset and two tensors sharing one storage. Values: see the Java test PthReaderTest."""
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 2, 1), torch.nn.BatchNorm2d(2))
    with torch.no_grad():
        net[0].weight.copy_(torch.arange(6, dtype=torch.float32).reshape(2, 3, 1, 1) * 0.5)
        net[0].bias.copy_(torch.tensor([-1.0, 2.0]))
        net[1].weight.copy_(torch.tensor([1.5, 0.25]))
        net[1].bias.copy_(torch.tensor([0.0, -0.5]))
        net[1].running_mean.copy_(torch.tensor([0.1, 0.2]))
        net[1].running_var.copy_(torch.tensor([1.0, 4.0]))
        net[1].num_batches_tracked.fill_(7)
    sd = net.state_dict()
    shared = torch.arange(10, dtype=torch.float64)
    sd["extra.float64"] = shared[:4]
    sd["extra.view"] = shared[2:5]                      # storage offset 2, same storage as extra.float64
    sd["extra.half"] = torch.tensor([1.5, -2.0], dtype=torch.float16)
    sd["extra.transposed"] = torch.arange(6, dtype=torch.float32).reshape(2, 3).t()   # strides (1, 3)
    return sd


def write_tiny(out):
    sd = tiny_state_dict()
    torch.save(sd, os.path.join(out, "tiny.pth"))
    torch.save(sd, os.path.join(out, "tiny_legacy.pth"), _use_new_zipfile_serialization=False)
    # files that are not state dicts
    torch.save([torch.zeros(2), torch.ones(3), 5], os.path.join(out, "list.pth"))
    torch.save({"model": sd, "epoch": 3, "optimizer": {"lr": 0.01}}, os.path.join(out, "checkpoint.pth"))
    torch.save(torch.nn.Sequential(torch.nn.Linear(2, 1)), os.path.join(out, "whole_model.pth"))
    for name in sorted(os.listdir(out)):
        print(f"{out}/{name}: {os.path.getsize(os.path.join(out, name))} bytes")


def save(path, tensors):
    np.savez(path, **{k: v.detach().numpy().astype(np.float32) for k, v in tensors.items()})


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["retinanet", "backbone", "tiny"])
    p.add_argument("--depth", choices=sorted(exporter.RESNETS), default="resnet50")
    p.add_argument("--num-classes", type=int, default=91)
    p.add_argument("--fpn-channels", type=int, default=256)
    p.add_argument("--sizes", default="128x128,128x256")
    p.add_argument("--frozen-bn-eps", type=float, default=None,
                   help="use FrozenBatchNorm2d with this eps (0 = torchvision's COCO weights) instead of BatchNorm2d")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--pth", action="store_true", help="also write weights.pth and weights_legacy.pth")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    if args.mode == "tiny":
        write_tiny(args.out)
        return
    sizes = parse_sizes(args.sizes)
    images = [exporter.smooth_image(gen, h, w) for h, w in sizes]
    if args.mode == "retinanet":
        model = exporter.build_retinanet(args.num_classes, args.depth, fpn_channels=args.fpn_channels)
        exporter.calibrate_batchnorm(model, gen)
        model.eval()
        with torch.no_grad():
            liven_head(model, gen, images)
        eps = exporter.DEFAULT_EPS
        if args.frozen_bn_eps is not None:
            # same weights and statistics, but FrozenBatchNorm2d with the given eps, as the COCO model runs
            eps = args.frozen_bn_eps
            frozen = exporter.build_retinanet(args.num_classes, args.depth, frozen_bn=True, bn_eps=eps,
                                              fpn_channels=args.fpn_channels)
            frozen.load_state_dict(model.state_dict())
            model = frozen
        arch = "retinanet_" + args.depth + "_fpn"
        meta = exporter.make_meta(arch, args.num_classes, eps, f"random(seed={args.seed})",
                                  args.frozen_bn_eps is not None)
    else:
        model = exporter.RESNETS[args.depth](weights=None)
        exporter.calibrate_batchnorm(model, gen)
        arch = args.depth
        meta = exporter.make_meta(arch, None, exporter.DEFAULT_EPS, f"random(seed={args.seed})", False)
    model.eval()
    arrays = exporter.state_dict_arrays(model)
    if args.mode == "backbone":
        arrays = {k: v for k, v in arrays.items() if not k.startswith("fc.")}
    exporter.write_npz(os.path.join(args.out, "weights.npz"), arrays, meta)
    if args.pth:
        save_pth(args.out, model.state_dict())
    with torch.no_grad():
        for (h, w), image in zip(sizes, images):
            outs = retinanet_outputs(model, image) if args.mode == "retinanet" else backbone_outputs(model, image)
            save(os.path.join(args.out, f"io_{h}x{w}.npz"), outs)
            extra = f", {outs['det_scores'].numel()} detections" if "det_scores" in outs else ""
            print(f"{args.out}/io_{h}x{w}.npz{extra}")


if __name__ == "__main__":
    main()
