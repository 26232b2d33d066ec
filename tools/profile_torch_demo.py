#!/usr/bin/python3
"""torch.profiler on torchvision's training step for the demo's configuration (tools/train_torch_demo.py's model:
ResNet-18, FPN and heads 32 wide, one head convolution, the demo's anchors; Adam, per-layer clipping), 8 random
128x128 images with two boxes each, 2 threads: the operators by self time and input shape, so that each of this
project's layers can be compared with torch's at the same shape (docs/benchmarks.md, "Model").

Run: /usr/bin/python3 tools/profile_torch_demo.py [steps=5] [rows=45]
"""
import os
import sys

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_torch_demo  # noqa: E402  (the demo's model, built as that script builds it)

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 45
size, batch = 128, 8
model, groups, opt, images, targets = train_torch_demo.timing_setup(size, batch)


def step():
    loss = sum(model(images, targets).values())
    opt.zero_grad()
    loss.backward()
    for g in groups:
        torch.nn.utils.clip_grad_norm_(g, 10.0)
    opt.step()


for _ in range(8):
    step()
with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
    for _ in range(steps):
        step()
print(f"{steps} steps; divide the totals by {steps} for one step")
print(prof.key_averages(group_by_input_shape=True).table(sort_by="self_cpu_time_total", row_limit=rows,
                                                          max_name_column_width=40, max_shapes_column_width=90))
