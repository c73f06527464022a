"""FAISS side of make bench-faiss: IndexBinaryFlat and IndexBinaryMultiHash on the codes pipit wrote.

usage: /usr/bin/python3 faiss_bench.py CODES QUERIES K   (little-endian uint64 files, 64-bit codes)
Prints key=value lines: one thread, one query per search call (as pipit's single-query scan is timed).
"""
import sys
import time

import faiss
import numpy as np


def load(path):
    return np.fromfile(path, dtype="<u8").view(np.uint8).reshape(-1, 8)


def timed(index, queries, k):
    index.search(queries[:1], k)  # warm-up
    dist_sum = 0
    ids = []
    start = time.perf_counter()
    for q in range(len(queries)):
        d, i = index.search(queries[q : q + 1], k)
        dist_sum += int(d.sum())
        ids.append(set(i[0].tolist()))
    return time.perf_counter() - start, dist_sum, ids


def main():
    codes, queries, k = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
    faiss.omp_set_num_threads(1)
    n, nq = len(codes), len(queries)
    flat = faiss.IndexBinaryFlat(64)
    flat.add(codes)
    s, flat_sum, exact = timed(flat, queries, k)
    print(f"faiss_flat_gcodes_s={n * nq / s / 1e9:.3f} faiss_flat_dist_sum={flat_sum}")
    for nflip in (1, 2):
        mih = faiss.IndexBinaryMultiHash(64, 4, 16)  # 4 tables of 16 bits, like pipit's MIH on 64 bits
        mih.nflip = nflip
        start = time.perf_counter()
        mih.add(codes)
        build = time.perf_counter() - start
        s, mih_sum, found = timed(mih, queries, k)
        recall = sum(len(a & b) for a, b in zip(found, exact)) / (k * nq)
        print(
            f"faiss_mih nflip={nflip} us_per_query={s / nq * 1e6:.1f} recall={recall:.3f}"
            f" dist_sum={mih_sum} build_s={build:.2f}"
        )


if __name__ == "__main__":
    main()
