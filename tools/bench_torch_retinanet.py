#!/usr/bin/python3
"""torchvision reference for RetinaNetBenchmark: backbone+FPN+head forward at SIZE x SIZE batch 1, one training
step from scratch (trainable BatchNorm, every stage trains) and one fine-tuning step (FrozenBatchNorm2d, conv1 and
layer1 frozen: what retinanet_resnet50_fpn builds with pretrained weights and trainable_backbone_layers=3), each
step = forward with losses, backward, SGD step, at batch 2, 2 threads. Each form is timed after three untimed
calls, as RetinaNetBenchmark is.

Run: /usr/bin/python3 tools/bench_torch_retinanet.py [size=512] [runs=5] [forms=forward,train,finetune]
(the form `profile` prints torch.profiler's table of one step from scratch: where torchvision's time goes)
The forward times model.backbone + model.head (no resize/normalise transform, no post-processing), as the DL4J
graph does; the steps use the full model on SIZE x SIZE images (min_size=max_size=SIZE so no resize). No weights
are downloaded: the fine-tuning model is built the way torchvision builds it around pretrained weights, with its
default (random) initialisation, which does not change the time.
"""
import statistics
import sys
import time

import torch
import torchvision
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
from torchvision.models.detection.retinanet import RetinaNet
from torchvision.models.resnet import resnet50
from torchvision.ops import misc as misc_nn_ops
from torchvision.ops.feature_pyramid_network import LastLevelP6P7

torch.set_num_threads(2)
size = int(sys.argv[1]) if len(sys.argv) > 1 else 512
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
forms = (sys.argv[3] if len(sys.argv) > 3 else "forward,train,finetune").split(",")
torch.manual_seed(0)
model = torchvision.models.detection.retinanet_resnet50_fpn(weights=None, weights_backbone=None, num_classes=91,
                                                            min_size=size, max_size=size)


WARM_UP_STEPS = 3  # as RetinaNetBenchmark: the JVM side sizes its workspaces over its first steps


def timed(fn):
    for _ in range(WARM_UP_STEPS):
        fn()
    out = []
    for _ in range(runs):
        s = time.perf_counter()
        fn()
        out.append((time.perf_counter() - s) * 1000)
    return f"median {statistics.median(out):.1f} ms, min {min(out):.1f} ms over {runs} runs"


def fine_tuning_model():
    """retinanet_resnet50_fpn(weights=..., trainable_backbone_layers=3) without the download."""
    body = resnet50(weights=None, norm_layer=misc_nn_ops.FrozenBatchNorm2d)
    backbone = _resnet_fpn_extractor(body, 3, returned_layers=[2, 3, 4], extra_blocks=LastLevelP6P7(256, 256))
    return RetinaNet(backbone, 91, min_size=size, max_size=size)


print(f"torchvision {torchvision.__version__}, torch {torch.__version__}, threads {torch.get_num_threads()}")
x = torch.randn(1, 3, size, size)


def forward():
    with torch.no_grad():
        model.head(list(model.backbone(x).values()))


if "forward" in forms:
    model.eval()
    print("forward batch 1 (backbone+FPN+head):", timed(forward))

images = [torch.rand(3, size, size) for _ in range(2)]
targets = []
g = torch.Generator().manual_seed(1)
for _ in range(2):
    xy = torch.randint(0, size // 2, (5, 2), generator=g).float()
    wh = 32 + torch.randint(0, size // 2 - 32, (5, 2), generator=g).float()
    targets.append({"boxes": torch.cat([xy, xy + wh], 1), "labels": torch.randint(1, 91, (5,), generator=g)})


def stepper(net):
    net.train()
    opt = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=1e-4, momentum=0.9)

    def step():
        opt.zero_grad()
        losses = net(images, targets)
        sum(losses.values()).backward()
        opt.step()
    return step


if "train" in forms:
    print("training iteration batch 2:", timed(stepper(model)))
if "finetune" in forms:
    tuned = fine_tuning_model()
    frozen = sum(p.numel() for p in tuned.parameters() if not p.requires_grad)
    print(f"fine-tuning model: {frozen} frozen parameters (conv1, layer1), FrozenBatchNorm2d")
    print("fine-tuning step:", timed(stepper(tuned)))
if "profile" in forms:
    # where torchvision's step from scratch goes: torch.profiler's operators by their own CPU time
    step = stepper(model)
    step()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        step()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))
