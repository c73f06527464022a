"""Traces the reference AGMH of parity.py (random weights and BatchNorm statistics) as TorchScript, the
way a model trained with the official PyTorch code would be exported, for pipit's import-by-name test.

Usage: /usr/bin/python3 torchscript_agmh.py OUT_DIR BITS SIZE BATCH
OUT_DIR/agmh.pt, OUT_DIR/input.f32 (BATCH,3,SIZE,SIZE), OUT_DIR/output.f32 (BATCH,BITS), little-endian.
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
import parity  # noqa: E402


def main():
    out, bits, size, batch = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(68)
    net = parity.AGMH(bits)
    with torch.no_grad():
        for name, p in net.named_parameters():
            p.normal_(0, 0.02 if p.dim() > 1 else 0.1)
        for name, b in net.named_buffers():
            if name.endswith("running_mean"):
                b.normal_(0, 0.1)
            elif name.endswith("running_var"):
                b.uniform_(0.5, 1.5)
    net.eval()
    x = torch.randn(batch, 3, size, size)
    with torch.no_grad():
        y = net(x)[0]
        traced = torch.jit.trace(exported(net), x)
    traced.save(str(out / "agmh.pt"))
    x.numpy().astype("<f4").tofile(out / "input.f32")
    y.numpy().astype("<f4").tofile(out / "output.f32")


def exported(net):
    """The serving output u only, with the parameters under AGMH's own state-dict names."""

    class Wrapper(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.backbone = net.backbone
            self.refine = net.refine
            self.hash_map = net.hash_map

        def forward(self, x):
            return net(x)[0]

    return Wrapper()


if __name__ == "__main__":
    main()
