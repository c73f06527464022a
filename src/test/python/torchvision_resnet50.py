#!/usr/bin/python3
"""A torchvision-layout ResNet-50 (v1.5) in plain PyTorch, with random but fixed weights, written the
ways a user would hand one to pipit: a state-dict safetensors file and a TorchScript export.

Test-only (python3-torch has no torchvision, so the layout is built here from its definition:
stride on the 3x3 conv of each bottleneck, no conv biases, BN eps 1e-5, fc 2048 -> 1000).

Usage: /usr/bin/python3 torchvision_resnet50.py OUT_DIR SIZE BATCH
Writes OUT_DIR/resnet50.safetensors (every state-dict entry, num_batches_tracked as I64, fc.* too),
OUT_DIR/resnet50.pt (torch.jit.trace of the whole classifier), OUT_DIR/input.f32 (BATCH,3,SIZE,SIZE)
and OUT_DIR/features.f32 (BATCH,2048,S,S): layer4's output in eval mode, little-endian float32.
"""
import json
import struct
import sys
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F


class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride, project):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, 4 * width, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(4 * width)
        self.downsample = None
        if project:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, 4 * width, 1, stride=stride, bias=False), nn.BatchNorm2d(4 * width))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNet50(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        cin = 64
        for i, (depth, width) in enumerate(zip((3, 4, 6, 3), (64, 128, 256, 512))):
            blocks = []
            for b in range(depth):
                blocks.append(Bottleneck(cin, width, 2 if (b == 0 and i > 0) else 1, b == 0))
                cin = 4 * width
            setattr(self, "layer%d" % (i + 1), nn.Sequential(*blocks))
        self.fc = nn.Linear(2048, 1000)

    def features(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))

    def forward(self, x):
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(self.features(x), 1), 1))


def write_safetensors(path, state):
    header, blobs, offset = {}, [], 0
    for name, t in state.items():
        if t.dtype == torch.int64:
            dtype, data = "I64", t.contiguous().numpy().astype("<i8").tobytes()
        else:
            dtype, data = "F32", t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    out, size, batch = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(1516)
    net = ResNet50()
    # Running statistics from a few random batches (cumulative average), then random affine BN
    # parameters: every tensor differs from its default, and activations keep a sane scale.
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = None
    net.train()
    with torch.no_grad():
        for _ in range(3):
            net(torch.randn(4, 3, size, size))
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
    net.eval()
    x = torch.randn(batch, 3, size, size)
    with torch.no_grad():
        y = net.features(x)
        traced = torch.jit.trace(net, x)
    traced.save(str(out / "resnet50.pt"))
    write_safetensors(out / "resnet50.safetensors", net.state_dict())
    x.numpy().astype("<f4").tofile(out / "input.f32")
    y.numpy().astype("<f4").tofile(out / "features.f32")
    print("features", tuple(y.shape), "max", float(y.abs().max()))


if __name__ == "__main__":
    main()
