#!/usr/bin/python3
"""Golden values for org.retinanet4j.loss.FocalLoss and BoxRegressionLoss, computed with torchvision.

How to run (from the repository root; Debian's python3-torch and python3-torchvision):

    /usr/bin/python3 tools/make_loss_fixtures.py

It (re)writes retinanet-model/src/test/resources/fixtures/loss/*.json. Deterministic: fixed seeds, float64.

Reference semantics (torchvision 0.14 RetinaNet.compute_loss):
  focal: per image, torchvision.ops.sigmoid_focal_loss(logits[valid], labels[valid], alpha, gamma, "sum")
         / max(1, #positive anchors), valid = label != -1 (ignored anchor); minibatch loss = mean over images.
  box:   per image, F.l1_loss / F.smooth_l1_loss(beta=...)(pred[pos], target[pos], "sum") / max(1, #positive
         anchors), pos = anchors whose 4 label entries are not NOT_POSITIVE (-1e6); mean over images.
Each file holds: the inputs, "per_image_loss" [N], "mean_loss", "grad_sum" = d(sum of per-image losses)/d(input)
(what DL4J's ILossFunction.computeGradient returns) and "grad_mean" = d(mean_loss)/d(input) (what reaches the
layer below through DL4J's minibatch averaging). Focal files also hold "elementwise_loss" [N, C]: torchvision's
element-wise loss with ignored entries set to 0.
"""
import json
import os

import torch
import torch.nn.functional as F
from torchvision.ops import sigmoid_focal_loss

torch.set_num_threads(2)
torch.manual_seed(20240607)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "retinanet-model", "src", "test",
                   "resources", "fixtures", "loss")
IGNORE = -1.0
NOT_POSITIVE = -1.0e6


def focal_reference(logits, labels, alpha, gamma):
    x = logits.clone().double().requires_grad_(True)
    per_image = []
    for i in range(x.shape[0]):
        valid = labels[i] != IGNORE
        num_pos = int((labels[i] == 1).sum())
        per_image.append(sigmoid_focal_loss(x[i][valid], labels[i][valid], alpha=alpha, gamma=gamma,
                                            reduction="sum") / max(1, num_pos))
    per_image = torch.stack(per_image)
    grad_sum, = torch.autograd.grad(per_image.sum(), x, retain_graph=True)
    grad_mean, = torch.autograd.grad(per_image.mean(), x)
    with torch.no_grad():
        elementwise = sigmoid_focal_loss(logits.double(), labels.clamp(min=0).double(), alpha=alpha, gamma=gamma,
                                         reduction="none") * (labels != IGNORE)
    return per_image.detach(), grad_sum, grad_mean, elementwise


def box_reference(pred, targets, kind, beta):
    x = pred.clone().double().requires_grad_(True)
    per_image = []
    for i in range(x.shape[0]):
        anchors = targets[i].view(-1, 4)
        pos = (anchors != NOT_POSITIVE).all(dim=1)
        p = x[i].view(-1, 4)[pos]
        t = anchors[pos]
        if kind == "L1":
            loss = F.l1_loss(p, t, reduction="sum")
        else:
            loss = F.smooth_l1_loss(p, t, reduction="sum", beta=beta)
        per_image.append(loss / max(1, int(pos.sum())))
    per_image = torch.stack(per_image)
    grad_sum, = torch.autograd.grad(per_image.sum(), x, retain_graph=True)
    grad_mean, = torch.autograd.grad(per_image.mean(), x)
    return per_image.detach(), grad_sum, grad_mean


def one_hot_labels(n, anchors, classes, positives, ignored):
    """positives/ignored: per image, lists of anchor indices (positives get a random class)."""
    labels = torch.zeros(n, anchors * classes, dtype=torch.float64)
    for i in range(n):
        for a in positives[i]:
            labels[i, a * classes + int(torch.randint(classes, (1,)))] = 1.0
        for a in ignored[i]:
            labels[i, a * classes:(a + 1) * classes] = IGNORE
    return labels


def write(name, payload):
    path = os.path.join(OUT, name + ".json")
    with open(path, "w") as f:
        json.dump(payload, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


def tolist(t):
    return t.tolist()


def focal_case(name, logits, labels, alpha, gamma, note):
    per_image, grad_sum, grad_mean, elementwise = focal_reference(logits, labels, alpha, gamma)
    write("focal_" + name, {
        "note": note, "alpha": alpha, "gamma": gamma,
        "logits": tolist(logits), "labels": tolist(labels),
        "per_image_loss": tolist(per_image), "mean_loss": float(per_image.mean()),
        "grad_sum": tolist(grad_sum), "grad_mean": tolist(grad_mean), "elementwise_loss": tolist(elementwise),
    })


def box_case(name, pred, targets, kind, beta, note):
    per_image, grad_sum, grad_mean = box_reference(pred, targets, kind, beta)
    write("box_" + name, {
        "note": note, "type": kind, "beta": beta,
        "predictions": tolist(pred), "labels": tolist(targets),
        "per_image_loss": tolist(per_image), "mean_loss": float(per_image.mean()),
        "grad_sum": tolist(grad_sum), "grad_mean": tolist(grad_mean),
    })


def main():
    os.makedirs(OUT, exist_ok=True)
    n, anchors, classes = 3, 6, 4
    # Image 0: 2 positives, 1 ignored; image 1: 1 positive, 2 ignored; image 2: no positive, 1 ignored.
    labels = one_hot_labels(n, anchors, classes, [[1, 4], [0], []], [[2], [3, 5], [1]])
    logits = torch.randn(n, anchors * classes, dtype=torch.float64) * 3
    focal_case("random", logits, labels, 0.25, 2.0, "ordinary logits, positives, negatives, ignored anchors")
    focal_case("gamma0", logits, labels, 0.25, 0.0, "gamma 0: alpha-weighted binary cross-entropy")
    focal_case("alpha_off", logits, labels, -1.0, 2.0, "alpha -1 disables alpha weighting")
    focal_case("gamma_1_5", logits, labels, 0.5, 1.5, "non-integer gamma")

    # Extreme logits: every combination of {-100, -50, 50, 100} with label 0 and 1, plus ignored ones.
    values = [-100.0, -50.0, 50.0, 100.0]
    ext_logits = torch.tensor([values * 3, values * 3], dtype=torch.float64)
    ext_labels = torch.tensor([[0.0] * 4 + [1.0] * 4 + [IGNORE] * 4,
                               [1.0] * 4 + [0.0] * 4 + [IGNORE] * 4], dtype=torch.float64)
    focal_case("extreme", ext_logits, ext_labels, 0.25, 2.0,
               "logits +/-50 and +/-100, anchors of 4 classes, labels 0, 1 and ignored")
    focal_case("extreme_gamma0", ext_logits, ext_labels, 0.25, 0.0, "extreme logits with gamma 0")

    no_pos_labels = one_hot_labels(2, anchors, classes, [[], []], [[0], []])
    no_pos_logits = torch.randn(2, anchors * classes, dtype=torch.float64) * 2
    focal_case("no_positives", no_pos_logits, no_pos_labels, 0.25, 2.0,
               "images without positive anchors: normalised by max(1, 0) = 1")

    # Box regression: 3 images of 6 anchors; image 2 has no positive anchor.
    pos = [[0, 3, 4], [2], []]
    targets = torch.full((n, anchors * 4), NOT_POSITIVE, dtype=torch.float64)
    for i in range(n):
        for a in pos[i]:
            targets[i, a * 4:(a + 1) * 4] = torch.randn(4, dtype=torch.float64) * 0.5
    pred = torch.randn(n, anchors * 4, dtype=torch.float64) * 0.5
    # A few predictions near the smooth-L1 transition (|d| < beta and > beta for beta = 1/9).
    pred[0, 0:4] = targets[0, 0:4] + torch.tensor([0.05, -0.02, 0.3, -0.5], dtype=torch.float64)
    box_case("l1", pred, targets, "L1", 0.0, "torch l1_loss on positives, / max(1, positives)")
    box_case("smooth_l1_ninth", pred, targets, "SMOOTH_L1", 1.0 / 9.0, "smooth_l1_loss(beta=1/9)")
    box_case("smooth_l1_one", pred, targets, "SMOOTH_L1", 1.0, "smooth_l1_loss(beta=1.0)")


if __name__ == "__main__":
    main()
