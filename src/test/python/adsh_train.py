#!/usr/bin/python3
"""PyTorch reference of pipit's ADSH training loop on cached feature maps (AdshTrainer, AdshLoss,
DatabaseCodeUpdate, SoftSimilarity, NesterovSgd), for the step-level parity test. Written from
shared/METHOD.md with torch.optim.SGD; the heads are parity.py's modules.

Test-only; run with Debian's python3-torch:  /usr/bin/python3 adsh_train.py WORKDIR

WORKDIR/job.json:
  {"arch": "agmh"|"adsh-r50", "groups": G, "dim": D (AGMH descriptors), "bits": c, "classes": k, "batch": B, "gamma": g, "adl": w,
   "momentum": mu, "nesterov": bool, "weight_decay": wd,
   "esrl_alpha": a, "esrl_beta": b,                         # FCAENet
   "outer": [{"lr": lr, "omega": [...], "orders": [[...], ...], "positives": [[...], ...]}, ...]}
  # per outer iteration: Ω, the batch order of each epoch and (FCAENet) the same-class positive of each
  # position of that order
WORKDIR/inputs.safetensors: "maps" (N, 2048, h, w), "erased" (FCAENet: the SREM-erased copies' maps),
  "labels" (N) as floats, "v0" (N, c) ±1
WORKDIR/weights.safetensors: the head's initial parameters and BN buffers, by PyTorch name
Writes WORKDIR/out.safetensors: "loss" (steps), "u.<t>" (m, c) and "v.<t>" (N, c) per outer iteration,
"step1.<name>" (weights after the first step) and "final.<name>".
"""
import json
import sys
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from parity import Refine, adl, read_safetensors, write_safetensors  # noqa: E402


class AgmhHead(nn.Module):
    """parity.AGMH without the backbone: cached maps (B, 2048, h, w) -> u, ADL."""

    def __init__(self, bits, groups=6, dim=512):
        super().__init__()
        self.refine = Refine(groups, dim)
        self.hash_map = nn.Parameter(torch.empty(bits, groups * dim))
        for m in self.refine.conv_list:  # METHOD.md: descriptor BN eps 1e-5 (PyTorch's default)
            assert m[1].eps == 1e-5

    def forward(self, f):
        d = [conv(f) for conv in self.refine.conv_list]
        u = torch.tanh(F.linear(torch.cat([x.mean(dim=(2, 3)) for x in d], 1), self.hash_map))
        return u, adl([attn(x) for attn, x in zip(self.refine.attn_list, d)])


class PooledHead(nn.Module):
    def __init__(self, bits):
        super().__init__()
        self.hash = nn.Linear(2048, bits)

    def forward(self, f):
        return torch.tanh(self.hash(f.mean(dim=(2, 3)))), torch.zeros(())


def adsh_loss(u, v, s_rows, v_items, gamma):
    """AGMH/SEMICON-normalised ADSH loss: (12/c)/(B·N) · (Σ(c·S̃ − uVᵀ)² + γ Σ‖u − v_i‖²)."""
    b, c = u.shape
    scale = 12.0 / c / (b * v.shape[0])
    return (s_rows * c - u @ v.t()).square().sum() * scale, (u - v_items).square().sum() * scale * gamma


def soft_dissimilar(omega_labels, labels, classes):
    per = torch.bincount(labels, minlength=classes)
    similar = per[omega_labels].sum().item()
    total = len(omega_labels) * len(labels)
    return -(similar / (total - similar)) if total > similar else 0.0


def update_v(v, u, omega, omega_labels, labels, d, classes, gamma):
    """One DCC sweep: Q = −2c S̃ᵀU − 2γŪ; V[:,k] = −sign(2 V̂_k Û_kᵀ U[:,k] + Q[:,k]), sign(0) → +1."""
    c = v.shape[1]
    u = u.double()
    s = torch.where(omega_labels[:, None] == labels[None, :], 1.0, d).double()  # dense S̃ (m, N)
    q = -2.0 * c * (s.t() @ u)
    q.index_add_(0, omega, -2.0 * gamma * u)
    uu = u.t() @ u
    vd = v.double().clone()
    for k in range(c):
        col = uu[:, k].clone()
        col[k] = 0
        vd[:, k] = torch.where(q[:, k] + 2.0 * (vd @ col) > 0, -1.0, 1.0)
    return vd.float()


def main(workdir):
    workdir = Path(workdir)
    job = json.loads((workdir / "job.json").read_text())
    inputs = read_safetensors(workdir / "inputs.safetensors")
    maps, labels, v = inputs["maps"], inputs["labels"].long(), inputs["v0"].clone()
    bits, classes, gamma = job["bits"], job["classes"], job["gamma"]
    net = AgmhHead(bits, job["groups"], job["dim"]) if job["arch"] == "agmh" else PooledHead(bits)
    missing, unexpected = net.load_state_dict(read_safetensors(workdir / "weights.safetensors"), strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    assert not missing and not unexpected, (missing, unexpected)
    fcaenet = job["arch"] == "fcaenet"
    opt = torch.optim.SGD(net.parameters(), lr=1.0, momentum=job["momentum"], nesterov=job["nesterov"],
                          weight_decay=job["weight_decay"])
    out, losses = {}, []
    for t, it in enumerate(job["outer"]):
        for group in opt.param_groups:
            group["lr"] = it["lr"]
        omega = torch.tensor(it["omega"])
        omega_labels = labels[omega]
        d = soft_dissimilar(omega_labels, labels, classes)
        u_rec = torch.zeros(len(omega), bits)
        net.train()
        for e, (order, positives) in enumerate(zip(it["orders"], it["positives"])):
            order, positives = torch.tensor(order), torch.tensor(positives)
            for b in range(0, len(order), job["batch"]):
                rows = order[b:b + job["batch"]]
                items = omega[rows]
                s_rows = torch.where(labels[items][:, None] == labels[None, :], 1.0, d)
                if fcaenet:
                    pos = positives[b:b + job["batch"]]
                    u_all, _ = net(torch.cat([maps[items], maps[pos], inputs["erased"][items]]))
                    u, u_pos, u_erased = u_all.split(len(rows))
                    loss = job["esrl_alpha"] * (u - u_pos).square().sum(1).mean() / bits \
                        + job["esrl_beta"] * (u - u_erased).square().sum(1).mean() / bits
                    for x, v_x in ((u, v[items]), (u_pos, v[pos]), (u_erased, v[items])):
                        loss = loss + sum(adsh_loss(x, v, s_rows, v_x, gamma))
                else:
                    u, extra = net(maps[items])
                    h, qn = adsh_loss(u, v, s_rows, v[items], gamma)
                    loss = h + qn + job["adl"] * extra
                opt.zero_grad()
                loss.backward()
                opt.step()
                if not losses:
                    out.update({"step1." + n: p.detach().clone() for n, p in net.state_dict().items()
                                if not n.endswith("num_batches_tracked")})
                losses.append(loss.item())
                if e == len(it["orders"]) - 1:
                    u_rec[rows] = u.detach()
        v = update_v(v, u_rec, omega, omega_labels, labels, d, classes, gamma)
        out["u.%d" % t] = u_rec
        out["v.%d" % t] = v
    out.update({"final." + n: p.detach().clone() for n, p in net.state_dict().items()
                if not n.endswith("num_batches_tracked")})
    out["loss"] = torch.tensor(losses)
    write_safetensors(workdir / "out.safetensors", out)
    print("%d steps, last loss %.6f" % (len(losses), losses[-1]))


if __name__ == "__main__":
    main(sys.argv[1])
