#!/usr/bin/python3
"""PyTorch reference modules for pipit's networks, written from shared/METHOD.md, for parity tests.

Test-only; run with Debian's python3-torch:  /usr/bin/python3 parity.py WORKDIR

WORKDIR/job.json:
  {"input": "input.safetensors",                # tensor "images" (B, 3, H, W)
   "networks": [{"name": ..., "arch": "agmh"|"fcaenet"|"adsh-r50", "bits": K,
                 "weights": ["backbone.safetensors", "x.safetensors"], "train": bool}, ...]}
Writes WORKDIR/<name>.out.safetensors with "u_eval" (B, K) and, when "train" is set, "u_train",
the training extras ("siea.<i>" for AGMH, "features" for FCAENet) and "adl" (AGMH, shape [1]).
Every weight must be used and every parameter/buffer set (num_batches_tracked excepted).
"""
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        assert t["dtype"] == "F32", name
        begin, end = t["data_offsets"]
        arr = np.frombuffer(raw, dtype="<f4", count=(end - begin) // 4, offset=8 + n + begin)
        out[name] = torch.from_numpy(arr.reshape(t["shape"]).copy())
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(h)) + h + b"".join(blobs))


# --- ResNet-50, Keras/Caffe v1 layout (STACK.md): stride on the first 1x1, conv biases, BN eps 1e-3 ---

class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride, project, eps):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 1, stride=stride, bias=True)
        self.bn1 = nn.BatchNorm2d(width, eps=eps)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1, bias=True)
        self.bn2 = nn.BatchNorm2d(width, eps=eps)
        self.conv3 = nn.Conv2d(width, 4 * width, 1, bias=True)
        self.bn3 = nn.BatchNorm2d(4 * width, eps=eps)
        self.downsample = None
        if project:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, 4 * width, 1, stride=stride, bias=True), nn.BatchNorm2d(4 * width, eps=eps))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class KerasResNet50(nn.Module):
    def __init__(self, eps=1e-3):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=True)
        self.bn1 = nn.BatchNorm2d(64, eps=eps)
        cin = 64
        for i, (depth, width) in enumerate(zip((3, 4, 6, 3), (64, 128, 256, 512))):
            blocks = []
            for b in range(depth):
                blocks.append(Bottleneck(cin, width, 2 if (b == 0 and i > 0) else 1, b == 0, eps))
                cin = 4 * width
            setattr(self, "layer%d" % (i + 1), nn.Sequential(*blocks))

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))


# --- AGMH (METHOD.md) ---

class SIEA(nn.Module):
    def __init__(self, dim=512, memory=128, steps=4):
        super().__init__()
        self.conv1 = nn.Conv2d(dim, dim, 1)
        self.qry_conv = nn.ModuleList([nn.Conv1d(dim, memory, 1, bias=False) for _ in range(steps)])
        self.alt_conv = nn.ModuleList([nn.Conv1d(2 * memory, memory, 1, bias=False) for _ in range(steps - 1)])
        self.linear = nn.Conv1d(memory, dim, 1, bias=False)
        self.conv2 = nn.Sequential(nn.Conv2d(dim, dim, 1, bias=False), nn.BatchNorm2d(dim))

    def forward(self, d):
        b, c, h, w = d.shape
        x = self.conv1(d).view(b, c, h * w)
        q = [conv(x) for conv in self.qry_conv]
        z = q[0]
        for t in range(1, len(q)):
            z = self.alt_conv[t - 1](torch.cat([z, q[t]], dim=1))
        a = F.softmax(z, dim=-1)
        a = a / (1e-9 + a.sum(dim=1, keepdim=True))
        y = self.linear(a).view(b, c, h, w)
        return F.relu(self.conv2(y) + d)


class Refine(nn.Module):
    def __init__(self, groups=6, dim=512):
        super().__init__()
        self.conv_list = nn.ModuleList(
            [nn.Sequential(nn.Conv2d(2048, dim, 1), nn.BatchNorm2d(dim), nn.ReLU()) for _ in range(groups)])
        self.attn_list = nn.ModuleList([SIEA(dim) for _ in range(groups)])


class AGMH(nn.Module):
    def __init__(self, bits, groups=6, dim=512):
        super().__init__()
        self.backbone = KerasResNet50()
        self.refine = Refine(groups, dim)
        self.hash_map = nn.Parameter(torch.empty(bits, groups * dim))

    def forward(self, x):
        f = self.backbone(x)
        descriptors = [conv(f) for conv in self.refine.conv_list]
        v = torch.cat([d.mean(dim=(2, 3)) for d in descriptors], dim=1)
        u = torch.tanh(F.linear(v, self.hash_map))
        if not self.training:
            return u, {}
        attended = [attn(d) for attn, d in zip(self.refine.attn_list, descriptors)]
        extras = {"siea.%d" % i: a for i, a in enumerate(attended)}
        extras["adl"] = adl(attended).reshape(1)
        return u, extras


def adl(maps):
    """Attention Dispersion Loss (METHOD.md)."""
    b = maps[0].shape[0]
    a = [m.max(dim=1)[0].reshape(b, -1).softmax(dim=1) for m in maps]
    k = len(a)
    total = sum((a[i] * a[j]).sum() for i in range(k) for j in range(i + 1, k))
    return total / (b * k * (k - 1) / 2)


class PooledHash(nn.Module):
    """FCAENet / ADSH-R50 serving path: pooled ResNet-50 -> linear hash layer -> tanh."""

    def __init__(self, bits, expose_features):
        super().__init__()
        self.backbone = KerasResNet50()
        self.hash = nn.Linear(2048, bits)
        self.expose_features = expose_features

    def forward(self, x):
        f = self.backbone(x)
        u = torch.tanh(self.hash(f.mean(dim=(2, 3))))
        return u, ({"features": f} if self.training and self.expose_features else {})


def build(arch, bits):
    if arch == "agmh":
        return AGMH(bits)
    if arch in ("fcaenet", "adsh-r50"):
        return PooledHash(bits, arch == "fcaenet")
    raise ValueError(arch)


def main(workdir):
    workdir = Path(workdir)
    job = json.loads((workdir / "job.json").read_text())
    torch.set_grad_enabled(False)
    images = read_safetensors(workdir / job["input"])["images"]
    for spec in job["networks"]:
        model = build(spec["arch"], spec["bits"])
        weights = {}
        for f in spec["weights"]:
            weights.update(read_safetensors(workdir / f))
        missing, unexpected = model.load_state_dict(weights, strict=False)
        missing = [k for k in missing if not k.endswith("num_batches_tracked")]
        if missing or unexpected:
            raise SystemExit("%s: missing %s, unexpected %s" % (spec["name"], missing, unexpected))
        model.eval()
        u_eval, _ = model(images)
        out = {"u_eval": u_eval}
        if spec.get("train"):
            model.train()
            u_train, extras = model(images)
            out["u_train"] = u_train
            out.update(extras)
        write_safetensors(workdir / (spec["name"] + ".out.safetensors"), out)
        print("%s: %d tensors loaded, outputs %s" % (spec["name"], len(weights), sorted(out)))


if __name__ == "__main__":
    main(sys.argv[1])
