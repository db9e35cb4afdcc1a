"""Campaign files: every mistake is one line naming the file and the key, before any audit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from modelpassport.api import serving_lane
from modelpassport.campaign import load_campaign, parse_campaign
from modelpassport.errors import InputError

GOOD_MODEL = '[[models]]\nname = "A"\nref = "http://127.0.0.1:9/v1#m"\n'


def _error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_campaign(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("titel = 'x'\n" + GOOD_MODEL, "titel: unknown key"),
        (
            'stages = ["narrative"]\n' + GOOD_MODEL,
            "stages: unknown stage 'narrative'; expected one of identity",
        ),
        ("concurrency = 0\n" + GOOD_MODEL, "concurrency: Input should be greater than or equal"),
        ("[[models]]\nname = 'A'\n", "models[0].ref: Field required"),
        ('[[models]]\nname = "A"\nref = "nosuch:thing"\n', "models[0].ref: nosuch:thing"),
        (
            GOOD_MODEL + 'stages = ["narratives"]\noptions = { narratives = { max_tokns = 4 } }\n',
            "models[0] options.narratives: --option narratives.max_tokns",
        ),
        (
            GOOD_MODEL + 'stages = ["narratives"]\noptions = { bench = { requests = 4 } }\n',
            "models[0].options.bench: stage not in this model's stages",
        ),
        ("options = { narrative = { a = 1 } }\n" + GOOD_MODEL, "options.narrative: unknown stage"),
        (GOOD_MODEL + GOOD_MODEL, "models[1].name: 'A' clashes with models[0]"),
        ('policy = "missing.toml"\n' + GOOD_MODEL, "policy: no such policy file"),
        ("", "models: expected at least one"),
        ('[[references]]\nname = "R"\npassport = "p.json"\n', "references[0].passport: no such"),
        ("title = \n", "expected TOML"),
        ("source = 'x'\n" + GOOD_MODEL, "source: unknown key"),
        (
            GOOD_MODEL + "[models.price]\nusd_per_mtok_in = -1\n",
            "models[0].price.usd_per_mtok_in: Input should be greater than or equal to 0",
        ),
    ],
)
def test_one_line_errors(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _error(tmp_path, text)


def test_reference_key_must_be_trusted_by_name(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text("{}", encoding="utf-8")
    text = '[[references]]\nname = "R"\npassport = "p.json"\nsignature = "p.sig"\nkey = "org"\n'
    assert "references[0].key: 'org' is not under [trusted_keys] (none)" in _error(tmp_path, text)
    text = '[[references]]\nname = "R"\npassport = "p.json"\nsignature = "p.sig"\n'
    assert "references[0].key: a signed reference needs a key" in _error(tmp_path, text)


def test_paths_are_read_from_the_campaign_folder(tmp_path: Path) -> None:
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "config.json").write_text("{}", encoding="utf-8")
    text = GOOD_MODEL + 'files = "weights"\nstages = ["scan", "narratives"]\n'
    text += "options = { narratives = { max_tokens = 9, scorer = 'lexical' } }\n"
    text += "[models.price]\nusd_per_hour = 2.5\n"
    campaign = parse_campaign(text, tmp_path / "c.toml")
    model = campaign.models[0]
    assert model.files == tmp_path / "weights"
    assert campaign.options_for(model) == {
        "narratives": {"max_tokens": "9", "scorer": "lexical"},
    }
    with_bench = model.model_copy(update={"stages": ["bench"], "options": {}})
    assert campaign.options_for(with_bench) == {"bench": {"usd_per_hour": "2.5"}}
    # Changing what shapes an audit changes its fingerprint (so it is audited again).
    assert campaign.fingerprint(model) != campaign.fingerprint(with_bench)


def test_serving_lanes() -> None:
    assert serving_lane("http://10.0.0.5:8000/v1#a") == serving_lane("http://10.0.0.5:8000/v1#b")
    assert serving_lane("http://10.0.0.5:8000/v1#a") != serving_lane("http://10.0.0.6:8000/v1#a")
    assert serving_lane("openai:gpt-4o") == serving_lane("openai:gpt-4o-mini")
    assert serving_lane("openai:gpt-4o") != serving_lane("anthropic:claude-x")


def test_cli_bad_file_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("titel = 'x'\n" + GOOD_MODEL, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", "from modelpassport.cli import main; main()", "campaign", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "titel: unknown key" in result.stderr


def test_in_process_models_share_one_lane_and_file_audits_run(tmp_path: Path) -> None:
    """Two GGUF files would both load into this process: one lane, one at a time. With only
    file stages the model is never loaded, and the campaign still completes."""
    import asyncio

    import numpy as np

    from modelpassport.campaign import execute_campaign
    from tests.identity.gguf_build import write_gguf

    paths = [
        write_gguf(
            tmp_path / f"m{i}.gguf",
            strings={"general.name": f"tiny {i}"},
            tensors={"token_embd.weight": np.ones((4, 4), dtype=np.float32) * i},
        )
        for i in (1, 2)
    ]
    assert serving_lane(str(paths[0])) == serving_lane(str(paths[1])) == "llamacpp:in-process"
    text = 'stages = ["scan", "identity"]\n' + "".join(
        f'[[models]]\nname = "m{i}"\nref = "{p}"\n' for i, p in enumerate(paths)
    )
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    outcome = asyncio.run(execute_campaign(load_campaign(path), tmp_path / "out"))
    assert [r.status for r in outcome.results] == ["complete", "complete"], outcome.results
    md = outcome.markdown.read_text()
    assert "Load safety" in md
