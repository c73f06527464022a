"""Packs a class-balanced Fashion-MNIST subset (uint8) into an .npz (lzma-compressed by xz afterwards)."""
import gzip, sys, numpy as np
d = "/usr/share/datasets/fashion-mnist/"
def idx(name, off): return np.frombuffer(gzip.open(d + name).read(), np.uint8, offset=off)
xtr = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28); ytr = idx("train-labels-idx1-ubyte.gz", 8)
xte = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28); yte = idx("t10k-labels-idx1-ubyte.gz", 8)
per = int(sys.argv[1])
keep = np.sort(np.concatenate([np.flatnonzero(ytr == c)[:per] for c in range(10)]))
np.savez(sys.argv[2], xtr=xtr[keep], ytr=ytr[keep], tr_index=keep.astype(np.int32), xte=xte, yte=yte)
print(len(keep), "train,", len(yte), "test")
