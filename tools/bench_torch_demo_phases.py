#!/usr/bin/python3
"""Where torchvision's training step goes for the demo's configuration (tools/train_torch_demo.py's model:
ResNet-18, FPN and heads 32 wide, one head convolution, the demo's anchors): forward with both losses, backward,
per-layer gradient clipping and the Adam step, timed separately on 8 random 128x128 images with two boxes each,
2 threads; medians after 5 warm-up steps. The counterpart of TrainingThroughputBenchmark's `small 128 8 1 N`.

Run: /usr/bin/python3 tools/bench_torch_demo_phases.py [steps=20] [size=128] [batch=8]
"""
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_torch_demo  # noqa: E402  (the demo's model, built as that script builds it)

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
size = int(sys.argv[2]) if len(sys.argv) > 2 else 128
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 8
model, groups, opt, images, targets = train_torch_demo.timing_setup(size, batch)
times = {"forward with losses": [], "backward": [], "clipping": [], "Adam step": []}
for i in range(steps + 5):
    t0 = time.perf_counter()
    loss = sum(model(images, targets).values())
    t1 = time.perf_counter()
    opt.zero_grad()
    loss.backward()
    t2 = time.perf_counter()
    for g in groups:
        torch.nn.utils.clip_grad_norm_(g, 10.0)
    t3 = time.perf_counter()
    opt.step()
    t4 = time.perf_counter()
    if i >= 5:
        for name, t in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            times[name].append(t * 1000)
print(f"torch {torch.__version__}, {sum(p.numel() for p in model.parameters())} parameters, batch {batch}, "
      f"{size}x{size}, medians of {steps} steps:")
for name, values in times.items():
    print(f"  {name}: {statistics.median(values):.1f} ms")
total = sum(statistics.median(v) for v in times.values())
print(f"step: {total:.1f} ms ({batch * 1000 / total:.1f} images/s)")
