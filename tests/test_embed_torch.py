"""The sentence model on a PyTorch device (`UNSPUN_DEVICE`): the numpy model's vectors, an index that checks as one
embedded on the CPU (ONNX Runtime) does, and a device it cannot use as one error line. Run on the CPU build of PyTorch (the test extra)."""

from __future__ import annotations

import multiprocessing
import sys
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from unspun import Index, embed, embed_torch, index
from unspun.cli import app
from unspun.errors import UnspunError
from unspun.models import Record

from test_embed import TEXTS
from test_index import _records

torch = pytest.importorskip("torch", reason="PyTorch is not installed (`make install` installs it: the test extra)")

ODD = ["", " ", "x", "😀👍🏽 only emoji", "\x00\x07 control", "word " * 400]


@pytest.fixture()
def fresh_model(monkeypatch: pytest.MonkeyPatch):
    """A model loaded anew for the test (the process keeps one), and an empty vector cache; both put back after."""
    _forget_model(monkeypatch)


def _forget_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embed, "_model", None)
    monkeypatch.setattr(embed, "_cache", OrderedDict())


def test_the_pytorch_forward_pass_gives_the_numpy_models_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stores embedded on a GPU are checked by queries embedded on the CPU: the two must agree (the package's numpy
    pass, the reference; `test_embed_onnx` holds the CPU pass to it too). A small token budget
    makes several passes, one of them a text longer than the budget, so texts are kept apart across passes."""
    monkeypatch.setattr(embed_torch, "TOKEN_BUDGET", 64)
    texts = TEXTS + ODD + [TEXTS[0] + " " + TEXTS[1]]
    numpy_backend = embed.model()._backend.weights
    device = embed_torch.TorchBackend(numpy_backend, "cpu")
    want, got = numpy_backend.encode(texts), device.encode(texts)
    assert got.shape == want.shape == (len(texts), embed.DIM) and got.dtype == np.float32
    cosines = (want * got).sum(axis=1)
    assert cosines.min() > 0.9999, dict(zip(texts, cosines))
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert np.allclose(device.encode(texts[:1])[0], got[0], atol=1e-6)  # alone or in a batch: the same vector


def test_an_index_embedded_on_a_device_holds_the_cpu_models_vectors(tmp_path: Path, monkeypatch, fresh_model
                                                                      ) -> None:
    """`UNSPUN_DEVICE` set: the writer embeds on the device (its workers only cut), and the store's vectors and a
    check against it are those of a store embedded on the CPU."""
    records = _records() + [Record(id="tram-copy.txt", text=_records()[0].text.replace("Monday", "Tuesday"))]
    by_writer: list[str] = []  # what this process embeds (the forked workers append to their own copies)
    monkeypatch.setattr(index, "encode", lambda texts: by_writer.extend(texts) or embed.encode(texts))

    def build(name: str) -> tuple[np.ndarray, list]:
        by_writer.clear()
        with Index(tmp_path / name, semantic=True) as ix:
            ix.add(records, jobs=2, batch=2)
            keys = [k for (k,) in ix.store.connection().execute("SELECT chunk FROM chunks ORDER BY chunk")]
            assert len(by_writer) == (len(keys) if embed.on_device() else 0)
            found = [s.to_json() for s in ix.check(records[0].text, exclude=[records[0].id]).sources]
            return np.stack([ix._vectors.get(k) for k in keys]), found

    monkeypatch.setenv("UNSPUN_DEVICE", "cpu")
    on_device, found_on_device = build("device")
    assert embed.model()._backend.name == "torch"
    monkeypatch.delenv("UNSPUN_DEVICE")
    _forget_model(monkeypatch)
    on_cpu, found_on_cpu = build("cpu")
    assert embed.model()._backend.name == "onnx"
    assert on_device.shape == on_cpu.shape and (on_device * on_cpu).sum(axis=1).min() > 0.999
    assert found_on_device == found_on_cpu and found_on_device


def test_a_device_pytorch_cannot_use_is_one_error_line(tmp_path: Path, monkeypatch, fresh_model) -> None:
    """Before any work: a device name PyTorch does not know, a device it was not built for, no PyTorch at all."""
    a = tmp_path / "a.txt"
    a.write_text(TEXTS[0])
    run = CliRunner().invoke
    for name, says in (("nonsense", "PyTorch cannot use this device (Expected one of"),
                       ("cuda:99" if torch.cuda.is_available() else "cuda", "PyTorch cannot use this device")):
        result = run(app, ["compare", str(a), str(a)], env={"UNSPUN_DEVICE": name})
        assert result.exit_code == 2, result.output
        assert f"unspun: error: UNSPUN_DEVICE={name}: {says}" in result.output
        assert result.output.count("\n") == 1
    monkeypatch.setitem(sys.modules, "torch", None)
    result = run(app, ["compare", str(a), str(a)], env={"UNSPUN_DEVICE": "cuda"})
    assert result.exit_code == 2
    assert "UNSPUN_DEVICE=cuda needs PyTorch, which is not installed" in result.output
    result = run(app, ["compare", str(a), str(a)], env={"UNSPUN_DEVICE": ""})
    assert result.exit_code == 0, result.output  # unset: the model on the CPU, no PyTorch needed



def test_a_device_that_takes_tensors_but_cannot_run_the_model_fails_before_indexing(tmp_path: Path, fresh_model
                                                                                    ) -> None:
    """``meta`` holds tensors without data (a first tensor there works; the model's first pass does not), and
    ``hpu`` is a device whose module this build lacks (an ImportError): each was a traceback, meta's after the
    store was written. One error line and no store."""
    a = tmp_path / "a.txt"
    a.write_text(TEXTS[0])
    for name in ("meta", "hpu"):
        store = tmp_path / f"store-{name}"
        result = CliRunner().invoke(app, ["index", "--db", str(store), str(a)], env={"UNSPUN_DEVICE": name})
        assert result.exit_code == 2, result.output
        assert f"unspun: error: UNSPUN_DEVICE={name}: PyTorch cannot use this device (" in result.output
        assert result.output.count("\n") == 1
        assert not store.exists()


def test_a_lexical_index_never_loads_the_model_and_the_api_fails_before_writing(tmp_path: Path, monkeypatch,
                                                                              fresh_model) -> None:
    """`index --no-semantic` never runs the model, so `UNSPUN_DEVICE` is not even read (it loaded the model, and
    failed on a bad device); `Index.add` of a semantic store fails on a bad device before committing a batch (it
    committed one, then raised)."""
    a = tmp_path / "a.txt"
    a.write_text(TEXTS[0])
    result = CliRunner().invoke(app, ["index", "--db", str(tmp_path / "lex"), "--no-semantic", str(a)],
                                env={"UNSPUN_DEVICE": "nonsense"})
    assert result.exit_code == 0, result.output
    assert embed._model is None
    monkeypatch.setenv("UNSPUN_DEVICE", "nonsense")
    with Index(tmp_path / "sem", semantic=True) as ix:
        with pytest.raises(UnspunError, match="UNSPUN_DEVICE=nonsense: PyTorch cannot use this device"):
            ix.add(_records())
        assert len(ix) == 0


def _backend_after_encoding(text: str) -> tuple[str, np.ndarray]:
    v = embed.encode([text])[0]
    return embed.model()._backend.name, v


def test_a_process_forked_from_one_on_a_device_embeds_on_the_cpu(monkeypatch, fresh_model) -> None:
    """CUDA does not survive a fork, and `eval` and `clusters` fork workers after the CLI loaded the model on the
    device: a forked worker runs the model on the CPU (the same vectors) instead of touching the parent's device."""
    monkeypatch.setenv("UNSPUN_DEVICE", "cpu")
    parent = embed.encode([TEXTS[2]])[0]
    assert embed.model()._backend.name == "torch"
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        name, child = pool.submit(_backend_after_encoding, TEXTS[3]).result()
        assert pool.submit(_backend_after_encoding, TEXTS[2]).result()[0] == "onnx"
    assert name == "onnx"
    assert float(child @ embed.encode([TEXTS[3]])[0]) > 0.999
    assert embed.model()._backend.name == "torch"  # the parent keeps its device
    assert float(parent @ embed.encode([TEXTS[2]])[0]) > 0.9999
