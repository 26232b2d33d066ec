#!/usr/bin/python3
"""Dumps name -> shape of every tensor in torchvision's retinanet_resnet50_fpn (v1, 91 classes, no weights,
so nn.BatchNorm2d as when training from scratch) to
retinanet-model/src/test/resources/fixtures/graph/torchvision_retinanet_resnet50_fpn_params.json.

Parameters and buffers are listed separately (BatchNorm running statistics are buffers; num_batches_tracked is
left out: DL4J keeps no such counter). Run: /usr/bin/python3 tools/list_torchvision_retinanet_params.py
"""
import json
import os

import torch
import torchvision

torch.set_num_threads(2)
model = torchvision.models.detection.retinanet_resnet50_fpn(weights=None, weights_backbone=None, num_classes=91)
params = {n: list(p.shape) for n, p in model.named_parameters()}
buffers = {n: list(b.shape) for n, b in model.named_buffers() if not n.endswith("num_batches_tracked")}
out = {
    "torchvision": torchvision.__version__,
    "model": "retinanet_resnet50_fpn(weights=None, weights_backbone=None, num_classes=91)",
    "parameters": params,
    "buffers": buffers,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "retinanet-model", "src", "test", "resources",
                    "fixtures", "graph", "torchvision_retinanet_resnet50_fpn_params.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
n_params = sum(torch.Size(s).numel() for s in params.values())
n_buffers = sum(torch.Size(s).numel() for s in buffers.values())
print(f"{len(params)} parameters ({n_params} values), {len(buffers)} buffers ({n_buffers} values) -> {path}")
