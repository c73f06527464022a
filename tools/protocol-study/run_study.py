"""Runs a set of protocol configurations in parallel worker processes on one GPU.

usage: python3 run_study.py SET OUTDIR DEADLINE_S   (from the repo root; data in .devcarry/)
"""
import itertools
import json
import os
import sys
import time

import torch
import torch.multiprocessing as mp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import proto  # noqa: E402
import study_sets  # noqa: E402

DATA = os.environ.get("DATA", ".devcarry/fm.npz")
DEV = os.environ.get("DEV", "cuda")
WEIGHTS = ".devcarry/r50_keras_fp16.pt"
SHM = os.environ.get("SHM", "/tmp/pipit-study")

BASE = dict(method="agmh", bits=48, size=64, mode="frozen", db=200, q=50, outer=10, inner=3, m=2000, batch=64,
            lr=0.01, drops=[7], momentum=0.9, nesterov=True, wd=1e-4, gamma=200.0, adl=0.5, seed=68,
            esrl_alpha=1.0, esrl_beta=1.0)


def full_cfg(c):
    cfg = dict(BASE)
    cfg.update(c)
    if cfg["method"] == "fcaenet":  # FCAENet's published optimiser settings, cpuProtocol's lr
        cfg.setdefault("fca_overrides", True)
        cfg.update(wd=1e-5, nesterov=False, adl=0.0)
        cfg.update(c.get("fca", {}))
    if cfg["method"] == "adsh":
        cfg["adl"] = 0.0
    return cfg


def feature_stage(cfgs, dev):
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    os.makedirs(SHM, exist_ok=True)
    xtr, ytr, xte, yte = proto.load_data(DATA)
    torch.save((ytr, yte), f"{SHM}/labels.pt")
    net = proto.backbone(WEIGHTS, dev)
    for size in sorted({c["size"] for c in cfgs}):
        path = f"{SHM}/feat{size}.pt"
        if os.path.exists(path):
            continue
        t0 = time.time()
        want_l3 = any(c["size"] == size and c["mode"] == "l4" for c in cfgs)
        erase = (50, min(32, size // 4))
        tr = proto.extract(net, xtr, size, dev, want_l3, erase)
        te = proto.extract(net, xte, size, dev, want_l3, None)
        torch.save({"tr": tr, "te": te}, path)
        print(f"features {size}: l3={want_l3} {time.time() - t0:.1f}s "
              + " ".join(f"{k}{tuple(v.shape)}" for k, v in tr.items()), flush=True)
    torch.save({k: v.half() for k, v in net.layer4.state_dict().items()}, f"{SHM}/layer4.pt")


_cache = {}


def worker(cfg):
    dev = DEV
    torch.set_num_threads(1)
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        if cfg["size"] not in _cache:
            _cache.clear()
            try:
                _cache[cfg["size"]] = torch.load(f"{SHM}/feat{cfg['size']}.pt", mmap=True)
            except TypeError:  # torch < 2.1
                _cache[cfg["size"]] = torch.load(f"{SHM}/feat{cfg['size']}.pt")
        feats = _cache[cfg["size"]]
        ytr, yte = torch.load(f"{SHM}/labels.pt")
        db_idx = proto.first_per_class(ytr, cfg["db"])
        q_idx = proto.first_per_class(yte, cfg["q"])
        key = "l3" if cfg["mode"] == "l4" else "l4"
        db_maps = feats["tr"][key][db_idx].to(dev)
        db_er = feats["tr"][key + "e"][db_idx].to(dev) if cfg["method"] == "fcaenet" else None
        q_maps = feats["te"][key][q_idx].to(dev)
        dbl, ql = ytr[db_idx].to(dev), yte[q_idx].to(dev)
        t0 = time.time()
        if cfg["method"] in ("lsh", "itq"):
            pool = lambda m: m.to(dev).float().mean((2, 3))
            dbf, qf = pool(feats["tr"]["l4"][db_idx]), pool(feats["te"]["l4"][q_idx])
            fn = proto.lsh_codes if cfg["method"] == "lsh" else proto.itq_codes
            db_codes, q_codes = fn(dbf, qf, cfg["bits"], cfg["seed"])
            res = dict(map=proto.mean_ap(q_codes, ql, db_codes, dbl), map_enc=None)
        else:
            layer4 = None
            if cfg["mode"] == "l4":
                layer4 = proto.KerasResNet50().layer4
                layer4.load_state_dict({k: v.float() for k, v in torch.load(f"{SHM}/layer4.pt").items()})
                layer4 = layer4.to(dev)
            net, v = proto.train_adsh(cfg, db_maps, dbl, db_er, 10, layer4, dev)
            if DEV == "cuda":
                torch.cuda.synchronize()
            train_s = time.time() - t0
            qc = proto.encode(net, q_maps, dev)
            res = dict(map=proto.mean_ap(qc, ql, v, dbl), map_enc=proto.mean_ap(qc, ql, proto.encode(net, db_maps, dev), dbl),
                       train_s=round(train_s, 1))
        res["s"] = round(time.time() - t0, 1)
        return {**cfg, **res}
    except Exception as e:  # report, keep the pool going
        import traceback
        return {**cfg, "error": repr(e), "trace": traceback.format_exc()[-800:]}


def main():
    set_name, out_dir, deadline = sys.argv[1], sys.argv[2], float(sys.argv[3])
    start = time.time()
    cfgs = [full_cfg(c) for c in getattr(study_sets, set_name)()]
    print(f"{len(cfgs)} configurations", flush=True)
    feature_stage(cfgs, DEV)
    print(f"features done at {time.time() - start:.0f}s", flush=True)
    results = []
    ctx = mp.get_context("spawn")
    workers = int(os.environ.get("WORKERS", "8"))
    keys = ("name", "method", "bits", "size", "mode", "db", "outer", "inner", "m", "lr", "map", "map_enc", "s", "error")
    with ctx.Pool(workers) as pool, open(f"{out_dir}/results.jsonl", "a") as f:
        def done(r):
            results.append(r)
            f.write(json.dumps(r) + "\n")
            f.flush()
            print(f"[{time.time() - start:.0f}s] " + " ".join(f"{k}={r.get(k)}" for k in keys if k in r), flush=True)
        for c in cfgs:
            pool.apply_async(worker, (c,), callback=done)
        while len(results) < len(cfgs) and time.time() - start < deadline:
            time.sleep(1)
        pool.terminate()
    print(f"done {len(results)}/{len(cfgs)} in {time.time() - start:.0f}s", flush=True)


if __name__ == "__main__":
    main()
