"""Writes a TorchScript hashing network and its expected outputs, for pipit's TorchScript import tests.

Usage: /usr/bin/python3 torchscript_fixture.py OUT_DIR BITS SIZE BATCH

OUT_DIR/model.pt      traced module: (B, 3, SIZE, SIZE) float32 -> (B, BITS) tanh outputs
OUT_DIR/input.f32     BATCH x 3 x SIZE x SIZE float32, little-endian
OUT_DIR/output.f32    BATCH x BITS float32, little-endian: the module's outputs for input.f32
"""
import sys
from pathlib import Path

import torch
import torch.nn as nn


class TinyHashNet(nn.Module):
    """A small stand-in with the shape of a deep hashing network: conv features, pooling, hash layer, tanh."""

    def __init__(self, bits):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(inplace=True))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.hash = nn.Linear(16, bits, bias=False)

    def forward(self, x):
        return torch.tanh(self.hash(torch.flatten(self.pool(self.features(x)), 1)))


def main():
    out, bits, size, batch = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(68)
    net = TinyHashNet(bits).eval()
    with torch.no_grad():
        for p in net.parameters():
            p.normal_(0, 0.5)
        x = torch.randn(batch, 3, size, size)
        traced = torch.jit.trace(net, x)
        y = traced(x)
    traced.save(str(out / "model.pt"))
    x.numpy().astype("<f4").tofile(out / "input.f32")
    y.numpy().astype("<f4").tofile(out / "output.f32")


if __name__ == "__main__":
    main()
