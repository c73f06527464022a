#!/usr/bin/python3
"""Training-step throughput of pipit's trained parts in PyTorch eager, for `pipit bench-train`.

The step dev.pipit.train.AdshTrainer takes, on cached backbone maps:
  --backbone last-stage (the CPU protocol): stage-3 maps (B, 1024, s, s) -> conv5_x (BN in training
      mode) -> head; conv5_x and the head are trained;
  --backbone frozen: layer-4 maps (B, 2048, s, s) -> head; only the head is trained.
Forward, ADSH loss against N database codes (+ 0.5 ADL for AGMH; for FCAENet the triplet x, x+, x_e in
one 3B forward + ESRL), zero_grad, backward, torch.optim.SGD step (Nesterov for AGMH and ADSH-R50).

  /usr/bin/python3 train_throughput.py --methods agmh,fcaenet,adsh-r50 --bits 48 --batch 64 \
      --backbone last-stage --side 4 --database 2000 --warmup 3 --steps 20 --threads 2
Prints one JSON object: {"torch": version, "threads": n, "results": {method: {"ms_per_step": ..,
"images_per_s": .., "trained_parameters": ..}}}
"""
import argparse
import json
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from parity import Bottleneck, Refine, adl  # noqa: E402  (reference modules written from METHOD.md)


def conv5_x():
    """parity.KerasResNet50's layer4: (B, 1024, s, s) -> (B, 2048, s/2, s/2)."""
    return nn.Sequential(Bottleneck(1024, 512, 2, True, 1e-3),
                         Bottleneck(2048, 512, 1, False, 1e-3),
                         Bottleneck(2048, 512, 1, False, 1e-3))


class AgmhHead(nn.Module):
    def __init__(self, bits, groups=6, dim=512):
        super().__init__()
        self.refine = Refine(groups, dim)
        self.hash_map = nn.Parameter(torch.randn(bits, groups * dim) * 0.01)

    def forward(self, f):
        descriptors = [conv(f) for conv in self.refine.conv_list]
        v = torch.cat([d.mean(dim=(2, 3)) for d in descriptors], dim=1)
        u = torch.tanh(F.linear(v, self.hash_map))
        attended = [attn(d) for attn, d in zip(self.refine.attn_list, descriptors)]
        return u, adl(attended)


class PooledHead(nn.Module):
    def __init__(self, bits):
        super().__init__()
        self.hash = nn.Linear(2048, bits)

    def forward(self, f):
        return torch.tanh(self.hash(f.mean(dim=(2, 3)))), None


class Trained(nn.Module):
    """What one step trains: [conv5_x ->] head."""

    def __init__(self, head, last_stage):
        super().__init__()
        self.stage4 = conv5_x() if last_stage else None
        self.head = head

    def forward(self, x):
        return self.head(self.stage4(x) if self.stage4 is not None else x)


def adsh(u, v, s, v_batch, gamma=200.0):
    b, c = u.shape
    n = v.shape[0]
    scale = 12.0 / c / (b * n)
    hash_term = ((c * s - u @ v.t()) ** 2).sum() * scale
    quant = gamma * ((u - v_batch) ** 2).sum() * scale
    return hash_term + quant


def run(method, args):
    torch.manual_seed(68)
    n, c, b, side = args.database, args.bits, args.batch, args.side
    last_stage = args.backbone == "last-stage"
    channels = 1024 if last_stage else 2048
    labels = torch.arange(n) % 10
    v = torch.randint(0, 2, (n, c)).float() * 2 - 1
    maps = torch.relu(torch.randn(n, channels, side, side))
    erased = torch.relu(torch.randn(n, channels, side, side)) if method == "fcaenet" else None
    net = Trained(AgmhHead(c) if method == "agmh" else PooledHead(c), last_stage)
    net.train()
    nesterov = method != "fcaenet"
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, nesterov=nesterov,
                          weight_decay=1e-5 if method == "fcaenet" else 1e-4)
    times = []
    for step in range(args.warmup + args.steps):
        start = time.perf_counter()
        idx = torch.randint(0, n, (b,))
        s = (labels[idx].unsqueeze(1) == labels.unsqueeze(0)).float() * 1.1 - 0.1
        x = maps[idx]
        if method == "fcaenet":
            pos = torch.randint(0, n, (b,))
            x = torch.cat([x, maps[pos], erased[idx]])
        u_all, extra = net(x)
        if method == "fcaenet":
            u, up, ue = u_all[:b], u_all[b:2 * b], u_all[2 * b:]
            loss = adsh(u, v, s, v[idx]) + adsh(up, v, s, v[pos]) + adsh(ue, v, s, v[idx])
            loss = loss + ((u - up) ** 2).sum(1).mean() / c + ((u - ue) ** 2).sum(1).mean() / c
        else:
            loss = adsh(u_all, v, s, v[idx])
            if extra is not None:
                loss = loss + 0.5 * extra
        opt.zero_grad()
        loss.backward()
        opt.step()
        float(loss)
        if step >= args.warmup:
            times.append(time.perf_counter() - start)
    mean = sum(times) / len(times)
    trained = sum(p.numel() for p in net.parameters() if p.requires_grad)
    return {"ms_per_step": 1000 * mean, "images_per_s": b / mean, "trained_parameters": trained}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--methods", default="agmh,fcaenet,adsh-r50")
    p.add_argument("--bits", type=int, default=48)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--backbone", choices=("last-stage", "frozen"), default="last-stage")
    p.add_argument("--side", type=int, default=4, help="side of the cached maps")
    p.add_argument("--database", type=int, default=2000)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    results = {m: run(m, args) for m in args.methods.split(",")}
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
