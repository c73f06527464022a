#!/usr/bin/python3
"""PyTorch side of `make bench-encode`: AGMH eager in Python, and the TorchScript trace DJL loads.

Run with Debian's python3-torch:  /usr/bin/python3 bench_encode.py WORKDIR THREADS

WORKDIR/weights.safetensors   AGMH parameters, PyTorch names (TorchParameterNames on the Java side)
WORKDIR/input.safetensors     "images" (N, 3, H, W), the same inputs every path encodes
WORKDIR/job.json              {"bits": K}

At start it loads the weights into the reference AGMH of parity.py (eval mode), traces it with
torch.jit.trace under inference mode and writes WORKDIR/agmh.pt (the network the `torchscript` path
runs through DJL) and WORKDIR/reference.safetensors ("eager", "traced": u for the first 8 images, so
the Java side can check that every path computes the same function). Then it prints "ready ..." and
answers commands on stdin, one per line, so the Java harness can interleave it with its own paths:

  run B N    N forward passes of the first B images, eager; answers "ok SECONDS"
  rss        answers "ok KIB", the peak resident set size of this process
  quit
"""
import json
import platform
import resource
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
import parity  # noqa: E402  (the reference modules and safetensors helpers)


class Serving(nn.Module):
    """AGMH's serving output u alone (the reference returns (u, extras))."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)[0]


def load(workdir):
    job = json.loads((workdir / "job.json").read_text())
    net = parity.AGMH(job["bits"])
    weights = parity.read_safetensors(workdir / "weights.safetensors")
    missing, unexpected = net.load_state_dict(weights, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise SystemExit("weights do not fit AGMH: missing %s, unexpected %s" % (missing, unexpected))
    return Serving(net).eval()


def main(workdir, threads):
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    model = load(workdir)
    images = parity.read_safetensors(workdir / "input.safetensors")["images"].contiguous()
    with torch.inference_mode():
        traced = torch.jit.trace(model, images[:1])
        traced.save(str(workdir / "agmh.pt"))
        check = images[:8]
        parity.write_safetensors(
            workdir / "reference.safetensors", {"eager": model(check), "traced": traced(check)})
    print("ready torch=%s python=%s threads=%d interop=%d %s"
          % (torch.__version__, platform.python_version(), torch.get_num_threads(),
             torch.get_num_interop_threads(), torch.__config__.parallel_info().splitlines()[-1].strip()),
          flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        if words[0] == "rss":
            print("ok %d" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
        elif words[0] == "run":
            batch, n = int(words[1]), int(words[2])
            x = images[:batch]
            with torch.inference_mode():
                start = time.perf_counter()
                for _ in range(n):
                    u = model(x)
                    u.numpy()  # like the Java paths, read the outputs back
                elapsed = time.perf_counter() - start
            print("ok %.6f" % elapsed, flush=True)
        else:
            print("error unknown command %r" % line, flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
