"""CPU-minute estimate of the whole table (5 methods x 12/24/32/48 bits) on the 2-core machine.

Model: conv work at RATE GMAC/s (reference: pipit's Java ResNet-50 at 224 px, 12 img/s x 3.86 GMAC = 46 GMAC/s;
small maps run less efficiently, so 20 GMAC/s is the planning figure, 46 the optimistic one); a training step
costs 3x its forward; heads at the Java rates measured in docs/results.md (quiet machine, 2x2 maps): AGMH 50
img/s training (150 encoding), FCAENet 200 anchors/s, ADSH-R50 900 img/s; head cost scales with the map area.
"""
import sys

STEM_TO_L3 = {64: 0.255, 96: 0.574, 128: 1.020}  # GMAC per image (measured with conv hooks)
L4 = {64: 0.060, 96: 0.134, 128: 0.239}
AREA = {64: 4, 96: 9, 128: 16}


def table_minutes(size, mode, db, q, outer, inner, m, rate):
    m = min(m, db)
    steps = outer * inner * m
    full = STEM_TO_L3[size] + L4[size]
    # cache: db (plain, full forward for the SREM mask) + erased copies + queries, once per table
    feat_gmac = db * full + db * (full if mode == "frozen" else STEM_TO_L3[size]) + q * full
    feat = feat_gmac / rate / 60
    head_scale = AREA[size] / 4
    l4_train = 3 * L4[size] / rate if mode == "l4" else 0.0  # s per image-step
    l4_fwd = L4[size] / rate if mode == "l4" else 0.0
    per_length = {
        "adsh": steps * (l4_train + head_scale / 900),
        "fcaenet": steps * (3 * l4_train + head_scale / 200),
        "agmh": steps * (l4_train + head_scale / 50),
    }
    encode = {k: (q + db) * (l4_fwd + (head_scale / 150 if k == "agmh" else 0.0005)) for k in per_length}
    train = 4 * sum(per_length.values()) / 60
    enc = 4 * sum(encode.values()) / 60
    return feat, train, enc, feat + train + enc + 2  # + LSH/ITQ/eval/set-up


CANDIDATES = [
    ("A  cpuProtocol, frozen 64, 2k/500, 10x3 m2000", 64, "frozen", 2000, 500, 10, 3, 2000),
    ("A' bench defaults, frozen 64, 2k/500, 8x2 m800", 64, "frozen", 2000, 500, 8, 2, 800),
    ("B  frozen 64, 30k/10k, 10x3 m2000", 64, "frozen", 30000, 10000, 10, 3, 2000),
    ("FZ frozen 64, 10k/5k, 10x3 m2000", 64, "frozen", 10000, 5000, 10, 3, 2000),
    ("FZ2 frozen 64, 10k/5k, 10x2 m2000", 64, "frozen", 10000, 5000, 10, 2, 2000),
    ("D  layer4 64, 30k/10k, 10x3 m2000", 64, "l4", 30000, 10000, 10, 3, 2000),
    ("H  layer4 64, 10k/10k, 10x3 m2000", 64, "l4", 10000, 10000, 10, 3, 2000),
    ("P1 layer4 64, 10k/5k, 10x1 m2000", 64, "l4", 10000, 5000, 10, 1, 2000),
    ("P2 layer4 64, 10k/5k, 10x1 m1000", 64, "l4", 10000, 5000, 10, 1, 1000),
    ("E  layer4 96, 30k/10k, 10x3 m2000", 96, "l4", 30000, 10000, 10, 3, 2000),
    ("J  layer4 128, 30k/10k, 10x3 m2000", 128, "l4", 30000, 10000, 10, 3, 2000),
]

if __name__ == "__main__":
    for rate in (20.0, 46.0):
        print(f"conv rate {rate} GMAC/s: candidate | features | training | encoding | total (min)")
        for name, *args in CANDIDATES:
            f, t, e, tot = table_minutes(*args, rate)
            print(f"  {name:48s} | {f:5.0f} | {t:5.0f} | {e:4.0f} | {tot:5.0f}")
