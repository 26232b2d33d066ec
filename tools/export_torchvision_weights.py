#!/usr/bin/python3
"""Export a torchvision model's state_dict to an .npz file that retinanet4j's importer reads.

Every tensor is stored as float32 under its torchvision name (e.g. ``backbone.body.layer1.0.conv1.weight``).
BatchNorm bookkeeping (``num_batches_tracked``) is dropped: it carries no weights.
One extra entry, ``__meta__``, holds UTF-8 JSON (a uint8 array) describing the export; the importer reads
from it the BatchNorm epsilon to use (``bn_eps``), the architecture and the class count.

Why the eps matters: torchvision's FrozenBatchNorm2d computes ``w / sqrt(running_var + eps)``. Its default eps
is 1e-5, but loading the COCO RetinaNet weights calls ``overwrite_eps(model, 0.0)``, so the published
detector runs with eps = 0. The exporter records the eps torchvision would use for the weights at hand:

* ``retinanet_resnet50_fpn`` from a ``.pth`` file (the COCO weights): 0.0, as torchvision's builder sets.
* a randomly initialised ``retinanet_resnet50_fpn`` (nn.BatchNorm2d in eval mode): 1e-5.
* a ResNet classifier (ImageNet weights or random; nn.BatchNorm2d): 1e-5.
``--bn-eps`` overrides the recorded value.

Examples (nothing is downloaded; the user fetches .pth files themselves):
  /usr/bin/python3 tools/export_torchvision_weights.py --arch retinanet_resnet50_fpn \
      --weights retinanet_resnet50_fpn_coco-eeacb38b.pth --out coco.npz
  /usr/bin/python3 tools/export_torchvision_weights.py --arch resnet50 --weights resnet50-0676ba61.pth --out r50.npz
  /usr/bin/python3 tools/export_torchvision_weights.py --arch retinanet_resnet50_fpn --random --seed 1 \
      --num-classes 5 --out random.npz

Uses only torch, torchvision and numpy.
"""
import argparse
import json
import sys

import numpy as np
import torch
import torchvision
from torchvision.models import resnet as tv_resnet
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.retinanet import RetinaNet
from torchvision.ops import misc as misc_nn_ops
from torchvision.ops.feature_pyramid_network import LastLevelP6P7

FORMAT = "retinanet4j-torchvision-npz"
RESNETS = {"resnet18": tv_resnet.resnet18, "resnet34": tv_resnet.resnet34,
           "resnet50": tv_resnet.resnet50, "resnet101": tv_resnet.resnet101}
ARCHS = ["retinanet_resnet50_fpn"] + sorted(RESNETS)
DEFAULT_EPS = 1e-5
COCO_RETINANET_EPS = 0.0


def build_retinanet(num_classes, depth="resnet50", frozen_bn=False, bn_eps=DEFAULT_EPS, fpn_channels=256):
    """torchvision's retinanet_resnet50_fpn (v1) layout, for any ResNet depth and FPN width (256 in torchvision);
    FrozenBatchNorm2d when frozen_bn. Same module names as torchvision's builder, so the same state_dict keys."""
    norm = (lambda c: misc_nn_ops.FrozenBatchNorm2d(c, eps=bn_eps)) if frozen_bn else torch.nn.BatchNorm2d
    body = RESNETS[depth](weights=None, norm_layer=norm)
    in_stage2 = body.inplanes // 8
    in_channels = [in_stage2 * 2 ** (i - 1) for i in (2, 3, 4)]
    backbone = BackboneWithFPN(body, {"layer2": "0", "layer3": "1", "layer4": "2"}, in_channels, fpn_channels,
                               extra_blocks=LastLevelP6P7(fpn_channels, fpn_channels))
    return RetinaNet(backbone, num_classes)


def randomise_batchnorm(model, generator):
    """Give every BatchNorm non-trivial statistics so that a parity test exercises the BN maths."""
    for m in model.modules():
        if isinstance(m, (torch.nn.BatchNorm2d, misc_nn_ops.FrozenBatchNorm2d)):
            c = m.weight.shape[0]
            with torch.no_grad():
                m.weight.copy_(0.5 + torch.rand(c, generator=generator))
                m.bias.copy_(0.2 * torch.randn(c, generator=generator))
                m.running_mean.copy_(0.2 * torch.randn(c, generator=generator))
                m.running_var.copy_(0.5 + torch.rand(c, generator=generator))


def smooth_image(generator, h, w, batch=1):
    """An image-like input (smooth 0..1 pixels, ImageNet-normalised), not white noise."""
    img = torch.rand(batch, 3, max(1, h // 8), max(1, w // 8), generator=generator)
    img = torch.nn.functional.interpolate(img, size=(h, w), mode="bilinear", align_corners=False)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return (img - mean) / std


def calibrate_batchnorm(model, generator, size=128):
    """Set BN running statistics to the batch statistics of image-like inputs, so activations keep a sane scale
    through deep random ResNets (otherwise they grow by orders of magnitude and float32 parity means little),
    then give gamma/beta non-trivial values so that the BN maths is exercised."""
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average: one batch sets the statistics exactly
    model.train()
    with torch.no_grad():
        body = model.backbone.body if hasattr(model, "backbone") else model
        body(smooth_image(generator, size, size, batch=4))
    model.eval()
    for m in bns:
        c = m.weight.shape[0]
        with torch.no_grad():
            m.weight.copy_(0.5 + 0.5 * torch.rand(c, generator=generator))
            m.bias.copy_(0.1 * torch.randn(c, generator=generator))


def state_dict_arrays(model):
    """torchvision name -> float32 numpy array, in state_dict order, without num_batches_tracked."""
    out = {}
    for name, t in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        out[name] = t.detach().cpu().numpy().astype(np.float32)
    return out


def meta_entry(meta):
    return np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8)


def write_npz(path, arrays, meta):
    full = dict(arrays)
    full["__meta__"] = meta_entry(meta)
    np.savez(path, **full)


def make_meta(arch, num_classes, bn_eps, source, frozen_bn):
    return {"format": FORMAT, "version": 1, "arch": arch, "num_classes": num_classes,
            "bn_eps": bn_eps, "norm": "FrozenBatchNorm2d" if frozen_bn else "BatchNorm2d",
            "source": source, "torchvision": torchvision.__version__, "torch": torch.__version__}


def load_pth(path):
    state = torch.load(path, map_location="cpu")
    if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
        state = state["model"]  # torchvision reference-script checkpoints
    if not isinstance(state, dict):
        sys.exit(f"{path}: not a state_dict (got {type(state).__name__})")
    return state


def export(args):
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    if args.arch == "retinanet_resnet50_fpn":
        frozen = args.weights is not None
        eps = args.bn_eps if args.bn_eps is not None else (COCO_RETINANET_EPS if frozen else DEFAULT_EPS)
        model = build_retinanet(args.num_classes, "resnet50", frozen_bn=frozen, bn_eps=eps)
    else:
        frozen = False
        eps = args.bn_eps if args.bn_eps is not None else DEFAULT_EPS
        model = RESNETS[args.arch](weights=None)
    if args.weights is not None:
        # load_state_dict upgrades old key layouts (torchvision's COCO file predates Conv2dNormActivation)
        # and checks that every tensor is present with the right shape.
        model.load_state_dict(load_pth(args.weights), strict=True)
        source = args.weights
    else:
        calibrate_batchnorm(model, generator)
        source = f"random(seed={args.seed})"
    model.eval()
    arrays = state_dict_arrays(model)
    if args.arch != "retinanet_resnet50_fpn":
        # backbone-only use: the ImageNet classifier's fc layer has no counterpart in a detector.
        arrays = {k: v for k, v in arrays.items() if not k.startswith("fc.")}
    num_classes = args.num_classes if args.arch == "retinanet_resnet50_fpn" else None
    write_npz(args.out, arrays, make_meta(args.arch, num_classes, eps, source, frozen))
    total = sum(a.size for a in arrays.values())
    print(f"wrote {args.out}: {len(arrays)} tensors, {total} values, bn_eps={eps}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", choices=ARCHS, default="retinanet_resnet50_fpn")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--weights", help="a .pth state_dict downloaded by the user")
    src.add_argument("--random", action="store_true", help="random weights built in the script (seeded)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--num-classes", type=int, default=91, help="RetinaNet classes (91 for COCO weights)")
    p.add_argument("--bn-eps", type=float, default=None, help="override the BatchNorm eps recorded in __meta__")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    torch.set_num_threads(2)
    export(args)


if __name__ == "__main__":
    main()
