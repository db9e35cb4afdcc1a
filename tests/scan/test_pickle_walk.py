"""The opcode walker names every import without executing anything."""

from __future__ import annotations

import io
import pickle
from collections import OrderedDict
from pathlib import Path

import pytest

from modelpassport.artifacts import read_torch_checkpoint, walk_pickle, walk_pickles
from modelpassport.errors import InputError

from . import corpus


def _imports(data: bytes) -> list[str]:
    return [i.ref.qualname for i in walk_pickle(io.BytesIO(data)).imports]


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
def test_plain_data_has_only_expected_imports(protocol: int) -> None:
    data = pickle.dumps(OrderedDict(a=[1, 2.5, "x", b"y", None, True]), protocol=protocol)
    walk = walk_pickle(io.BytesIO(data))
    assert walk.error is None
    assert walk.end == len(data)
    assert {i.ref.qualname for i in walk.imports} <= {"collections.OrderedDict", "_codecs.encode"}


@pytest.mark.parametrize("protocol", [0, 2, 4])
def test_hostile_imports_are_named(protocol: int) -> None:
    for name, payload in corpus.HOSTILE.items():
        found = _imports(corpus.dumps(payload, protocol))
        assert found, name
    assert _imports(corpus.dumps(corpus.HOSTILE["numpy_builtins"], 4)) == [
        "numpy.__builtins__.eval"
    ]
    assert _imports(corpus.dumps(corpus.HOSTILE["builtin_eval_py2"], 2)) == ["builtins.eval"]


def test_stack_global_through_memo_is_resolved() -> None:
    # "os" and "system" are memoised first, then fetched with BINGET for STACK_GLOBAL.
    data = b"\x80\x04\x8c\x02os\x94\x8c\x06system\x94\x30\x30h\x00h\x01\x93\x8c\x02id\x85R."
    walk = walk_pickle(io.BytesIO(data))
    assert walk.error is None
    assert [i.ref.qualname for i in walk.imports] == ["os.system"]
    assert walk.imports[0].opcode == "STACK_GLOBAL"


def test_dynamic_stack_global_is_reported() -> None:
    # The module name comes from a call result, not a constant: the walker cannot name it.
    data = b"\x80\x04\x8c\x08builtins\x8c\x03str\x93)R\x8c\x04exec\x93)R."
    walk = walk_pickle(io.BytesIO(data))
    assert walk.dynamic_imports
    assert walk.error is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x80\x02",
        b"\x80\x02K\x01",
        b"\xff.",
        b"h\x05.",
        b"\x80\x02X\xff\xff\xff\x7fab",
        b"\x80\x02t.",
    ],
)
def test_malformed_streams_give_an_error_not_an_exception(data: bytes) -> None:
    walk = walk_pickle(io.BytesIO(data))
    assert walk.error is not None
    assert "offset" in walk.error


def test_imports_before_an_error_are_kept() -> None:
    data = corpus.dumps(corpus.HOSTILE["os_system"], 2)[:-1] + b"\xff"
    walk = walk_pickle(io.BytesIO(data))
    assert walk.error is not None
    assert [i.ref.qualname for i in walk.imports] == ["os.system"]


def test_large_payload_is_skipped_not_kept() -> None:
    blob = b"x" * (3 << 20)
    walk = walk_pickle(io.BytesIO(pickle.dumps(blob, protocol=4)))
    assert walk.error is None
    assert getattr(walk.root, "length", None) == len(blob)


def test_second_stream_is_walked() -> None:
    data = pickle.dumps(1, protocol=2) + corpus.dumps(corpus.HOSTILE["os_system"], 2)
    walks = walk_pickles(io.BytesIO(data + b"\x00" * 16))
    assert len(walks) == 2
    assert [i.ref.qualname for i in walks[1].imports] == ["os.system"]


@pytest.mark.parametrize("protocol", [2, 4])
def test_torch_zip_tensors(tmp_path: Path, protocol: int) -> None:
    path = corpus.torch_zip(tmp_path / "model.pt", corpus.state_dict(2), protocol=protocol)
    ckpt = read_torch_checkpoint(path)
    assert ckpt.layout == "zip"
    assert [(t.name, t.shape, t.dtype, t.storage) for t in ckpt.tensors] == [
        ("layers.0.weight", (4, 4), "F32", "0"),
        ("layers.0.bias", (4,), "F16", "1"),
        ("layers.1.weight", (4, 4), "F32", "2"),
        ("layers.1.bias", (4,), "F16", "3"),
    ]


def test_nested_checkpoint_names(tmp_path: Path) -> None:
    obj = {"model": corpus.state_dict(1), "epoch": 3}
    ckpt = read_torch_checkpoint(corpus.torch_zip(tmp_path / "ckpt.pt", obj))
    assert [t.name for t in ckpt.tensors] == ["model.layers.0.weight", "model.layers.0.bias"]


def test_legacy_checkpoint_is_walked(tmp_path: Path) -> None:
    path = tmp_path / "legacy.bin"
    path.write_bytes(
        pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
        + pickle.dumps(1001, protocol=2)
        + corpus.dumps(corpus.state_dict(1), 2)
        + b"\x00" * 64
    )
    ckpt = read_torch_checkpoint(path)
    assert ckpt.layout == "legacy"
    assert len(ckpt.pickles) == 3
    assert [t.name for t in ckpt.tensors] == ["layers.0.weight", "layers.0.bias"]


def test_broken_zip_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.pt"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(InputError, match=r"broken\.pt: expected a readable zip"):
        read_torch_checkpoint(path)


def test_joblib_inline_arrays_are_stepped_over(tmp_path: Path) -> None:
    path = corpus.joblib_file(
        tmp_path / "m.joblib",
        {"w": corpus.JoblibArray("f4", (2, 3)), "b": corpus.JoblibArray("f8", (5,)), "n": 3},
    )
    with path.open("rb") as fh:
        walks = walk_pickles(fh)
    assert len(walks) == 1
    assert walks[0].error is None
    assert walks[0].end == path.stat().st_size


def test_joblib_object_array_payload_is_judged(tmp_path: Path) -> None:
    path = corpus.joblib_file(
        tmp_path / "m.joblib",
        {
            "o": corpus.JoblibArray("O8", (1,), [corpus.HOSTILE["os_system"]]),
            "w": corpus.JoblibArray("f4", (4,)),
        },
    )
    with path.open("rb") as fh:
        walk = walk_pickles(fh)[0]
    assert walk.error is None
    assert "os.system" in [i.ref.qualname for i in walk.imports]


@pytest.mark.parametrize("kind", ["gzip", "bz2", "xz", "zlib"])
def test_compressed_pickles_are_walked(tmp_path: Path, kind: str) -> None:
    import bz2
    import gzip
    import lzma
    import zlib

    from modelpassport.artifacts import ArtifactSet
    from modelpassport.scan import scan_artifacts

    compress = {
        "gzip": gzip.compress,
        "bz2": bz2.compress,
        "xz": lzma.compress,
        "zlib": zlib.compress,
    }[kind]
    raw = corpus.joblib_file(
        tmp_path / "raw.joblib",
        {
            "w": corpus.JoblibArray("f4", (3,)),
            "o": corpus.JoblibArray("O8", (1,), [corpus.HOSTILE["subprocess"]]),
        },
    ).read_bytes()
    (tmp_path / "raw.joblib").unlink()
    (tmp_path / "model.joblib").write_bytes(compress(raw))
    (tmp_path / "clean.pkl.gz").write_bytes(gzip.compress(pickle.dumps(OrderedDict(a=1))))
    section = scan_artifacts(ArtifactSet.from_path(tmp_path))
    hits = [
        (f.rule_id, f.file, f.location.split(" offset")[0])
        for f in section.findings
        if f.severity != "info"
    ]
    assert hits == [("MP-PKL-002", "model.joblib", kind)]


def test_common_training_metadata_is_allowed(tmp_path: Path) -> None:
    import argparse
    import pathlib

    from modelpassport.artifacts import ArtifactSet
    from modelpassport.scan import scan_artifacts

    obj = {
        "state_dict": corpus.state_dict(1),
        "epoch": 4,
        "hparams": argparse.Namespace(lr=0.1, out=pathlib.PurePosixPath("/runs/x")),
    }
    corpus.torch_zip(tmp_path / "last.ckpt", obj)
    section = scan_artifacts(ArtifactSet.from_path(tmp_path))
    assert section.verdict == "clean"
    assert [f.rule_id for f in section.findings] == ["MP-PKL-006"]
