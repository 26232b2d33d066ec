#!/usr/bin/python3
"""torchvision reference for `./retinanet demo`: the demo's configuration trained with torchvision on the dataset
the demo generated, under the same time limit, evaluated by the project's COCO evaluator.

Run (after `./retinanet demo --out OUT`, which writes OUT/shapes):
    /usr/bin/python3 tools/train_torch_demo.py OUT/shapes [--minutes 6] [--iterations 1200] [--out torch-demo]

Configuration, as DemoCommand builds it: ResNet-18 with trainable BatchNorm from scratch (every stage trains),
FPN 32 wide (P3-P5 from C3-C5, P6 from P5, P7 from ReLU(P6)), classification and box heads of one 3x3 convolution
(32 wide, ReLU) plus the predictor, torchvision's initialisation and prior 0.01, anchors sized 1/16 of the image per
P3 (8, 16, 32, 64, 128 at 128 px) with scales 2^0, 2^(1/3), 2^(2/3) and ratios 0.5, 1, 2, torchvision's matcher
(0.5 / 0.4, low-quality matches), focal loss (alpha 0.25, gamma 2) and L1 box loss; Adam (lr 1e-3, no weight decay),
linear warm-up from 1% over min(100, iterations / 10) iterations, lr x 0.1 at 80% of the iterations (of those the
time limit allows, projected from the measured speed, when it stops the run first: TimeFittedMilestone), gradient L2
norm clipped to 10 per layer (per convolution and BatchNorm, each head as a whole, as DL4J's ClipL2PerLayer does),
batch 8, a shuffle per epoch and horizontal flips with probability 0.5, 2 threads. Detections: score 0.05, NMS 0.5,
100 per image (COCO's count). Writes OUT/val_results.json, evaluates it with `./retinanet evaluate` when the
launcher is found next to this folder and prints AP50 and AP in the demo's words.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import torch
import torchvision
from PIL import Image
from torch import nn
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.retinanet import RetinaNet
from torchvision.ops.feature_pyramid_network import LastLevelP6P7
from torchvision.transforms.functional import pil_to_tensor


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data", help="the demo's dataset folder (annotations/, train/, val/)")
    p.add_argument("--minutes", type=float, default=6.0, help="training time limit (default 6)")
    p.add_argument("--iterations", type=int, default=1200)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--head-depth", type=int, default=1)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", default="torch-demo", help="output folder (default torch-demo)")
    return p.parse_args()


def load_split(root, split):
    with open(os.path.join(root, "annotations", f"instances_{split}.json")) as f:
        coco = json.load(f)
    categories = sorted(c["id"] for c in coco["categories"])
    label_of = {cid: i for i, cid in enumerate(categories)}
    boxes = {img["id"]: [] for img in coco["images"]}
    labels = {img["id"]: [] for img in coco["images"]}
    for a in coco["annotations"]:
        if a.get("iscrowd", 0):
            continue
        x, y, w, h = a["bbox"]
        boxes[a["image_id"]].append([x, y, x + w, y + h])
        labels[a["image_id"]].append(label_of[a["category_id"]])
    samples = []
    for img in coco["images"]:
        pixels = pil_to_tensor(Image.open(os.path.join(root, split, img["file_name"])).convert("RGB"))
        samples.append((img["id"], pixels, torch.tensor(boxes[img["id"]], dtype=torch.float32).reshape(-1, 4),
                        torch.tensor(labels[img["id"]], dtype=torch.int64)))
    return samples, categories


def build_model(num_classes, size, width, head_depth):
    body = torchvision.models.resnet18(weights=None)  # nn.BatchNorm2d, every stage trainable
    backbone = BackboneWithFPN(body, {"layer2": "0", "layer3": "1", "layer4": "2"}, [128, 256, 512], width,
                               extra_blocks=LastLevelP6P7(width, width))
    base = max(8, size // 16)
    sizes = tuple((s, int(s * 2 ** (1.0 / 3)), int(s * 2 ** (2.0 / 3))) for s in [base * 2 ** i for i in range(5)])
    anchors = AnchorGenerator(sizes, ((0.5, 1.0, 2.0),) * 5)
    model = RetinaNet(backbone, num_classes, min_size=size, max_size=size, anchor_generator=anchors,
                      score_thresh=0.05, nms_thresh=0.5, detections_per_img=100, topk_candidates=1000)
    for head in (model.head.classification_head, model.head.regression_head):
        convs = []
        for _ in range(head_depth):
            conv = nn.Conv2d(width, width, kernel_size=3, padding=1)
            nn.init.normal_(conv.weight, std=0.01)
            nn.init.constant_(conv.bias, 0)
            convs += [conv, nn.ReLU(inplace=True)]
        head.conv = nn.Sequential(*convs)
    return model


def clip_groups(model):
    """Parameter groups clipped separately: each backbone/FPN convolution and BatchNorm, each head as a whole."""
    groups = [list(model.head.classification_head.parameters()), list(model.head.regression_head.parameters())]
    for m in model.backbone.modules():
        params = list(m.parameters(recurse=False))
        if params:
            groups.append(params)
    return groups


def timing_setup(size, batch):
    """The timing scripts' step (bench_torch_demo_phases.py, profile_torch_demo.py): the demo's model on 2 threads,
    its clipping groups, Adam, and a batch of random images with two boxes each."""
    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = build_model(3, size, 32, 1)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    images = [torch.rand(3, size, size) for _ in range(batch)]
    box = [size * 0.08, size * 0.08, size * 0.47, size * 0.55]
    targets = [{"boxes": torch.tensor([box, [size * 0.55, size * 0.15, size * 0.94, size * 0.7]]),
                "labels": torch.tensor([0, 1])} for _ in range(batch)]
    return model, clip_groups(model), opt, images, targets


class TimeFittedMilestone:
    """The demo's milestone fitted to the time limit, as the project's TimeFittedMilestones does: from iteration 10
    on the speed is measured, and every 50 iterations the milestone moves to 80% of the iterations projected by the
    deadline (never beyond 80% of --iterations; once passed it stays)."""

    def __init__(self, iterations, deadline):
        self.nominal = int(iterations * 0.8)
        self.current = self.nominal
        self.iterations = iterations
        self.deadline = deadline
        self.start = None
        self.last_fit = None

    def after(self, iteration, now):
        if self.current <= iteration:
            return
        if self.start is None:
            if iteration >= 10:
                self.start = (iteration, now)
            return
        if iteration - self.start[0] < 50 or (self.last_fit is not None and iteration - self.last_fit < 50):
            return
        self.last_fit = iteration
        rate = (iteration - self.start[0]) / (now - self.start[1])
        projected = iteration + int(rate * max(0.0, self.deadline - now))
        moved = max(iteration, round(self.nominal * min(1.0, projected / self.iterations)))
        if moved != self.current:
            self.current = moved
            print(f"iteration {iteration}: the time limit allows about {projected} of {self.iterations} "
                  f"iterations; learning-rate milestone now {moved}", flush=True)


def learning_rate(base, iteration, iterations, milestone):
    warmup = min(100, iterations // 10)
    lr = base * (0.1 if iteration >= milestone else 1.0)
    if iteration < warmup:
        alpha = iteration / warmup
        lr *= 0.01 * (1 - alpha) + alpha
    return lr


def main():
    begin = time.perf_counter()
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train, categories = load_split(args.data, "train")
    val, _ = load_split(args.data, "val")
    size = train[0][1].shape[1]
    model = build_model(len(categories), size, args.width, args.head_depth)
    groups = clip_groups(model)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=0)
    rng = torch.Generator().manual_seed(args.seed)
    limit = args.minutes * 60
    print(f"torchvision {torchvision.__version__}, torch {torch.__version__}, threads {torch.get_num_threads()}; "
          f"{len(train)} train + {len(val)} val images {size}x{size}, {len(categories)} classes", flush=True)

    model.train()
    start = time.perf_counter()
    fitted = TimeFittedMilestone(args.iterations, start + limit)
    iteration, epoch, loss_value = 0, 0, float("nan")
    stop = "ITERATIONS"
    while iteration < args.iterations:
        order = torch.randperm(len(train), generator=rng).tolist()
        for b in range(0, len(order) - args.batch + 1, args.batch):
            if iteration >= args.iterations:
                break
            if time.perf_counter() - start > limit:
                stop = "TIME_LIMIT"
                break
            images, targets = [], []
            for i in order[b:b + args.batch]:
                _, pixels, boxes, labels = train[i]
                image = pixels.float() / 255
                if torch.rand(1, generator=rng).item() < 0.5:
                    image = image.flip(-1)
                    boxes = torch.stack([size - boxes[:, 2], boxes[:, 1], size - boxes[:, 0], boxes[:, 3]], 1)
                images.append(image)
                targets.append({"boxes": boxes, "labels": labels})
            for group in opt.param_groups:
                group["lr"] = learning_rate(args.lr, iteration, args.iterations, fitted.current)
            losses = model(images, targets)
            loss = sum(losses.values())
            opt.zero_grad()
            loss.backward()
            for params in groups:
                torch.nn.utils.clip_grad_norm_(params, 10.0)
            opt.step()
            loss_value = loss.item()
            iteration += 1
            fitted.after(iteration, time.perf_counter())
            if iteration % 50 == 0:
                elapsed = time.perf_counter() - start
                print(f"iteration {iteration}: loss {loss_value:.4f}, {iteration * args.batch / elapsed:.1f} images/s",
                      flush=True)
        else:
            epoch += 1
            continue
        break
    elapsed = time.perf_counter() - start
    print(f"trained {iteration} iterations ({stop}) in {elapsed / 60:.1f} min, "
          f"{iteration * args.batch / elapsed:.1f} images/s, last loss {loss_value:.4f}", flush=True)

    model.eval()
    results = []
    with torch.no_grad():
        for b in range(0, len(val), args.batch):
            chunk = val[b:b + args.batch]
            outputs = model([pixels.float() / 255 for _, pixels, _, _ in chunk])
            for (image_id, _, _, _), out in zip(chunk, outputs):
                for box, score, label in zip(out["boxes"].tolist(), out["scores"].tolist(), out["labels"].tolist()):
                    x1, y1, x2, y2 = box
                    results.append({"image_id": image_id, "category_id": categories[label],
                                    "bbox": [x1, y1, x2 - x1, y2 - y1], "score": score})
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "val_results.json")
    with open(path, "w") as f:
        json.dump(results, f)
    print(f"{len(results)} detections written to {path}", flush=True)
    launcher = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "retinanet")
    if not os.path.exists(launcher):
        print("evaluate with: ./retinanet evaluate --annotations DATA/annotations/instances_val.json --detections "
              + path)
        return
    # the project's COCO evaluator (the same numbers as pycocotools, which need not be installed)
    evaluate = [launcher, "evaluate", "--annotations", os.path.join(args.data, "annotations", "instances_val.json"),
                "--detections", path, "--json"]
    done = subprocess.run(evaluate, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(done.returncode)
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\nAP50 on the validation split: {stats['AP50']:.3f}, AP: {stats['AP']:.3f} "
          f"(total {(time.perf_counter() - begin) / 60:.1f} min)", flush=True)


if __name__ == "__main__":
    main()
