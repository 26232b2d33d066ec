#!/usr/bin/python3
"""torchvision reference for RetinaNetBenchmark: backbone+FPN+head forward at SIZE x SIZE batch 1 and one training
step (forward with losses, backward, SGD step) at batch 2, 2 threads.

Run: /usr/bin/python3 tools/bench_torch_retinanet.py [size=512] [runs=5]
The forward times model.backbone + model.head (no resize/normalise transform, no post-processing), as the DL4J
graph does; the training step uses the full model on SIZE x SIZE images (min_size=max_size=SIZE so no resize).
"""
import statistics
import sys
import time

import torch
import torchvision

torch.set_num_threads(2)
size = int(sys.argv[1]) if len(sys.argv) > 1 else 512
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
torch.manual_seed(0)
model = torchvision.models.detection.retinanet_resnet50_fpn(weights=None, weights_backbone=None, num_classes=91,
                                                            min_size=size, max_size=size)


def timed(fn):
    fn()
    out = []
    for _ in range(runs):
        s = time.perf_counter()
        fn()
        out.append((time.perf_counter() - s) * 1000)
    return f"median {statistics.median(out):.1f} ms, min {min(out):.1f} ms over {runs} runs"


model.eval()
x = torch.randn(1, 3, size, size)


def forward():
    with torch.no_grad():
        model.head(list(model.backbone(x).values()))


print(f"torchvision {torchvision.__version__}, torch {torch.__version__}, threads {torch.get_num_threads()}")
print("forward batch 1 (backbone+FPN+head):", timed(forward))

model.train()
images = [torch.rand(3, size, size) for _ in range(2)]
targets = []
g = torch.Generator().manual_seed(1)
for _ in range(2):
    xy = torch.randint(0, size // 2, (5, 2), generator=g).float()
    wh = 32 + torch.randint(0, size // 2 - 32, (5, 2), generator=g).float()
    targets.append({"boxes": torch.cat([xy, xy + wh], 1), "labels": torch.randint(1, 91, (5,), generator=g)})
opt = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)


def step():
    opt.zero_grad()
    losses = model(images, targets)
    sum(losses.values()).backward()
    opt.step()


print("training iteration batch 2:", timed(step))
