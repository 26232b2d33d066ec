#!/usr/bin/python3
"""torchvision's sigmoid_focal_loss forward+backward, the reference for FocalLossBenchmark (same machine).

Run:  /usr/bin/python3 tools/bench_torch_focal_loss.py [runs]
Shapes (anchors x classes, one image): 120,000 x 80 and 49,104 x 80, float32, 2 threads; labels with 2% positive
anchors (one-hot) and 5% ignored anchors, like a RetinaNet training image. Prints the median of `runs` timed
forward+backward passes after 2 warm-up passes, as torchvision's compute_loss does it (ignored rows removed,
sum / max(1, positives)).
"""
import statistics
import sys
import time

import torch
from torchvision.ops import sigmoid_focal_loss

torch.set_num_threads(2)
torch.manual_seed(0)


def make(anchors, classes):
    logits = torch.randn(anchors, classes) * 2 - 4
    matched = torch.rand(anchors)
    positive = matched < 0.02
    ignored = (matched >= 0.02) & (matched < 0.07)
    targets = torch.zeros(anchors, classes)
    targets[positive, torch.randint(classes, (int(positive.sum()),))] = 1.0
    return logits, targets, ~ignored, int(positive.sum())


def step(logits, targets, valid, positives):
    x = logits.clone().requires_grad_(True)
    loss = sigmoid_focal_loss(x[valid], targets[valid], reduction="sum") / max(1, positives)
    loss.backward()
    return loss.item()


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    for anchors in (120000, 49104):
        data = make(anchors, 80)
        for _ in range(2):
            step(*data)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            step(*data)
            times.append(time.perf_counter() - t0)
        print(f"torchvision sigmoid_focal_loss fwd+bwd {anchors} x 80 (1 image, float32, 2 threads): "
              f"median {statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms over {runs} runs "
              f"(torch {torch.__version__})")


if __name__ == "__main__":
    main()
