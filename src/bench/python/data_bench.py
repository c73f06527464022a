#!/usr/bin/python3
"""PyTorch's DataLoader on the same work as pipit's DataPipelineBench: JPEG decode (Pillow) and
torchvision-style augmentation written out (python3-torch has no torchvision): RandomResizedCrop(224)
with scale (0.08, 1) and log-uniform ratio (3/4, 4/3), bilinear resize, horizontal flip with p = 0.5,
ImageNet mean/std on 0-1 RGB, CHW float32. Batches of 32, one line per num_workers:

data-bench impl=pytorch-dataloader workers=W batch=32 prefetch=2 images=N seconds=S images_per_s=X

Usage: /usr/bin/python3 data_bench.py [DIR=models/cache/samples] [IMAGES=256] [WORKERS=0,1,2]
"""
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32).reshape(3, 1, 1)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32).reshape(3, 1, 1)
SIDE = 224
BATCH = 32


def crop_box(width, height, rng):
    area = width * height
    for _ in range(10):
        target = area * rng.uniform(0.08, 1.0)
        ratio = math.exp(rng.uniform(math.log(3 / 4), math.log(4 / 3)))
        w = int(round(math.sqrt(target * ratio)))
        h = int(round(math.sqrt(target / ratio)))
        if 0 < w <= width and 0 < h <= height:
            return rng.randint(0, width - w), rng.randint(0, height - h), w, h
    ratio = width / height
    w, h = width, height
    if ratio < 3 / 4:
        h = int(round(w / (3 / 4)))
    elif ratio > 4 / 3:
        w = int(round(h * (4 / 3)))
    return (width - w) // 2, (height - h) // 2, w, h


class Images(Dataset):
    def __init__(self, files, n):
        self.files, self.n = files, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        rng = random.Random(i)  # per-image seed: the same images whatever num_workers is
        img = Image.open(self.files[i % len(self.files)]).convert("RGB")
        x, y, w, h = crop_box(img.width, img.height, rng)
        img = img.resize((SIDE, SIDE), Image.BILINEAR, box=(x, y, x + w, y + h))
        if rng.random() < 0.5:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
        a = np.asarray(img, dtype=np.float32).transpose(2, 0, 1) / 255.0
        return torch.from_numpy((a - MEAN) / STD)


def epoch(dataset, workers):
    start = time.perf_counter()
    loader = DataLoader(dataset, batch_size=BATCH, shuffle=False, num_workers=workers)
    checksum = 0.0
    for batch in loader:
        checksum += float(batch[0, 0, 0, 0])
    return time.perf_counter() - start


def main():
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "models/cache/samples")
    images = int(sys.argv[2]) if len(sys.argv) > 2 else 256
    workers = [int(w) for w in (sys.argv[3] if len(sys.argv) > 3 else "0,1,2").split(",")]
    files = sorted(str(p) for p in folder.glob("*.jpg"))
    torch.set_num_threads(1)
    print("settings python torch=%s pillow=%s files=%d images=%d load=%s" % (
        torch.__version__, Image.__version__, len(files), images, "/".join("%.2f" % v for v in os.getloadavg())))
    for w in workers:
        epoch(Images(files, min(images, 64)), w)  # warm-up: worker start, first decode
        seconds = epoch(Images(files, images), w)
        print("data-bench impl=pytorch-dataloader workers=%d batch=%d prefetch=%d images=%d seconds=%.2f"
              " images_per_s=%.1f" % (w, BATCH, 2 if w > 0 else 0, images, seconds, images / seconds))


if __name__ == "__main__":
    main()
