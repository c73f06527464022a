"""Configuration sets; each entry overrides run_study.BASE (pipit's cpuProtocol on 200/50 per class)."""


def grid(name, methods=("agmh", "adsh"), bits=(12, 48), **kw):
    return [dict(name=name, method=m, bits=b, **kw) for b in bits for m in methods]


def s1():
    big = dict(db=3000, q=1000)
    out = []
    for db, q in ((200, 50), (3000, 1000)):
        out += grid("base-%d" % db, methods=("lsh", "itq"), db=db, q=q)
    out += grid("A cpuProtocol 200/50", db=200, q=50)
    out += grid("A' bench defaults 200/50 8x2 m800", db=200, q=50, outer=8, inner=2, m=800)
    out += grid("B cpuProtocol 30k/10k", **big)
    out += grid("D l4 64", mode="l4", **big)
    out += grid("C frozen 96", size=96, **big)
    out += grid("E l4 96", size=96, mode="l4", **big)
    out += grid("F frozen 64 30x3", outer=30, drops=[20], **big)
    out += grid("H l4 64 db1000", mode="l4", db=1000, q=1000)
    out += grid("I l4 96 lr.003", size=96, mode="l4", lr=0.003, **big)
    out += grid("G frozen 128", size=128, **big)
    out += grid("J l4 128", size=128, mode="l4", **big)
    out += grid("base-96", methods=("lsh", "itq"), size=96, **big)
    return out


def smoke():
    return [dict(name="smoke", method=m, bits=12, db=20, q=5, outer=2, inner=1, m=100, mode=mo)
            for m in ("agmh", "adsh", "fcaenet", "itq", "lsh") for mo in ("frozen", "l4")]


def s2():
    """Cheaper layer-4 schedules on a 10k database, all lengths; seeds; frozen-head checks."""
    k = dict(db=1000, q=1000)
    lengths = (12, 24, 32, 48)
    out = []
    out += grid("P1 l4 64 10x1 m2000", methods=("fcaenet", "agmh", "adsh"), bits=lengths, mode="l4", inner=1, **k)
    out += grid("P2 l4 64 10x1 m1000", methods=("fcaenet", "agmh", "adsh"), bits=lengths, mode="l4", inner=1, m=1000, **k)
    for seed in (1, 2):
        out += grid("P1 seed %d" % seed, bits=(12,), mode="l4", inner=1, seed=seed, **k)
    out += grid("Q frozen 64 10x1 m2000", methods=("fcaenet", "agmh", "adsh"), inner=1, **k)
    out += grid("R frozen 64 10x3 torch-init", methods=("agmh", "adsh"), init="torch", **k)
    out += grid("R0 frozen 64 10x3 djl-init", methods=("agmh", "adsh"), **k)
    out += grid("base-1000", methods=("lsh", "itq"), bits=lengths, **k)
    return out


def s3():
    """Paper learning rate on the layer-4 protocol; the frozen candidate's missing cells and seeds."""
    k = dict(db=1000, q=1000)
    lengths = (12, 24, 32, 48)
    out = []
    out += grid("L1 l4 64 10x1 lr.001", methods=("fcaenet", "agmh", "adsh"), bits=lengths, mode="l4", inner=1,
                lr=0.001, drops=[], **k)
    out += grid("L3 l4 64 10x2 lr.001", mode="l4", inner=2, lr=0.001, drops=[], **k)
    out += grid("L2 l4 64 10x1 lr.003", mode="l4", inner=1, lr=0.003, **k)
    out += grid("FZ frozen 64 10x3", methods=("fcaenet",), bits=lengths, **k)
    out += grid("FZ frozen 64 10x3", bits=(24, 32), **k)
    for seed in (1, 2):
        out += grid("FZ seed %d" % seed, bits=(12,), seed=seed, **k)
    out += grid("A' bench defaults 200/50 8x2 m800", methods=("fcaenet",), db=200, q=50, outer=8, inner=2, m=800)
    return out


def s4():
    """pipit's reduced run (docs/results.md) for fidelity; seeds on the layer-4 candidate; frozen 10x2."""
    k = dict(db=1000, q=1000)
    out = grid("pipit reduced run 30/10 5x2 m300 b32", methods=("agmh", "adsh", "fcaenet", "lsh", "itq"),
               db=30, q=10, outer=5, inner=2, m=300, batch=32)
    for seed in (1, 2):
        out += grid("P1 seed %d" % seed, methods=("agmh", "adsh", "fcaenet"), bits=(24, 48), mode="l4", inner=1,
                    seed=seed, **k)
    out += grid("FZ2 frozen 64 10x2", methods=("agmh", "adsh", "fcaenet"), inner=2, **k)
    return out


def s5():
    """CPU-local: init sensitivity on pipit's reduced run."""
    out = []
    for init in ("djl", "torch"):
        out += grid("reduced init=%s" % init, methods=("agmh", "adsh"), db=30, q=10, outer=5, inner=2, m=300,
                    batch=32, init=init)
    return out


def s6():
    """Session 3: does AGMH lead ADSH-R50 at 12 bits with conv5_x trained longer, at 96 px, with ADL off/on,
    or with a small database? (12 bits only; the full-table protocol is P2 = l4 64 10x1 m1000.)"""
    k = dict(db=1000, q=1000, mode="l4", bits=(12,))
    out = []
    for seed in (68, 1, 2):
        out += grid("S6a l4 64 20x3 m2000 seed %d" % seed, outer=20, inner=3, drops=[14], seed=seed, **k)
    out += grid("S6b l4 96 20x3 m2000", size=96, outer=20, inner=3, drops=[14], **k)
    out += grid("S6c l4 64 10x1 m1000 adl0", methods=("agmh",), inner=1, m=1000, adl=0.0, **k)
    out += grid("S6d l4 64 10x1 m1000 adl1", methods=("agmh",), inner=1, m=1000, adl=1.0, **k)
    out += grid("S6f l4 64 db100 10x3 m1000", bits=(12,), mode="l4", db=100, q=1000, inner=3, m=1000)
    return out
