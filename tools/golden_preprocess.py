#!/usr/bin/python3
"""Golden values of torchvision 0.14's GeneralizedRCNNTransform for the preprocess tests.

Writes
  retinanet-model/src/test/resources/fixtures/preprocess/resize-sizes.txt
      lines "h w min_size max_size resized_h resized_w" (torchvision's resize of an h x w image)
  retinanet-data/src/test/resources/fixtures/preprocess/resize-normalize.txt
      for a small deterministic uint8 image: header lines, then the normalised, resized CHW tensor values
      and the boxes after resize_boxes.
Run: /usr/bin/python3 tools/golden_preprocess.py
"""
import os
import torch
from torchvision.models.detection.transform import GeneralizedRCNNTransform, resize_boxes

torch.set_num_threads(2)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def resized_size(h, w, min_size, max_size):
    t = GeneralizedRCNNTransform(min_size, max_size, MEAN, STD, size_divisible=1)
    t.eval()
    images, _ = t([torch.zeros(3, h, w)])
    return images.image_sizes[0]


def sizes():
    cases = [(480, 640, 800, 1333), (640, 480, 800, 1333), (500, 1500, 800, 1333), (375, 500, 800, 1333),
             (427, 640, 512, 512), (333, 500, 600, 1000), (281, 500, 800, 1333), (1, 1000, 800, 1333),
             (100, 200, 150, 400), (7, 11, 10, 30), (7, 11, 4, 30), (256, 256, 256, 256), (300, 451, 512, 683),
             (768, 1024, 800, 1333), (799, 1201, 800, 1333), (123, 457, 321, 654)]
    out = os.path.join(ROOT, "retinanet-model/src/test/resources/fixtures/preprocess/resize-sizes.txt")
    with open(out, "w") as f:
        f.write("# h w min_size max_size resized_h resized_w (torchvision 0.14 GeneralizedRCNNTransform)\n")
        for h, w, mn, mx in cases:
            rh, rw = resized_size(h, w, mn, mx)
            f.write(f"{h} {w} {mn} {mx} {rh} {rw}\n")


def image_case(f, name, h, w, min_size, max_size):
    c, i, j = torch.meshgrid(torch.arange(3), torch.arange(h), torch.arange(w), indexing="ij")
    img_u8 = ((i * 37 + j * 11 + c * 101) % 256).to(torch.uint8)
    boxes = torch.tensor([[1.0, 2.0, 5.5, 6.0], [0.0, 0.0, float(w), float(h)]])
    t = GeneralizedRCNNTransform(min_size, max_size, MEAN, STD, size_divisible=1)
    t.eval()
    images, _ = t([img_u8.float() / 255.0])
    x = images.tensors[0]
    rh, rw = images.image_sizes[0]
    rb = resize_boxes(boxes, (h, w), (rh, rw))
    f.write(f"case {name} {h} {w} {min_size} {max_size} {rh} {rw}\n")
    f.write(" ".join(f"{v:.7g}" for v in x.flatten().tolist()) + "\n")
    f.write(" ".join(f"{v:.7g}" for v in rb.flatten().tolist()) + "\n")


def images():
    out = os.path.join(ROOT, "retinanet-data/src/test/resources/fixtures/preprocess/resize-normalize.txt")
    with open(out, "w") as f:
        f.write("# per case: 'case name h w min max resized_h resized_w', CHW normalised resized values, boxes\n")
        f.write("# image[c,i,j] = (i*37 + j*11 + c*101) % 256 (RGB uint8); boxes 1,2,5.5,6 and 0,0,w,h\n")
        image_case(f, "up", 7, 11, 10, 30)
        image_case(f, "down", 14, 22, 6, 30)


if __name__ == "__main__":
    sizes()
    images()
