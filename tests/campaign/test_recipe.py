"""The serving-cluster recipe of docs/campaigns.md, as shipped in docs/campaigns/cluster.toml:
it validates as written, gives one lane per endpoint, and runs end to end against servers
that speak the vLLM/SGLang OpenAI-compatible dialect (here, small)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from modelpassport.api import serving_lane
from modelpassport.campaign import execute_campaign, load_campaign
from tests.support.fake_openai import FakeOpenAI, Reply

from .servers import ANSWER, PREFLIGHT, prompt

RECIPE = Path(__file__).parents[2] / "docs" / "campaigns" / "cluster.toml"


def _served(body: dict[str, Any], reasoning: str | None = None) -> Reply:
    """Like vLLM: at most ``max_tokens`` tokens (a word each here), cut with "length"."""
    if prompt(body) == PREFLIGHT:
        return Reply("OK")
    words = ANSWER["en"].split(" ")
    cap = int(body.get("max_tokens") or body.get("max_completion_tokens") or len(words))
    kept = [w + " " for w in words[:cap]]
    return Reply(
        "".join(kept),
        chunks=kept,
        finish_reason="length" if cap < len(words) else "stop",
        reasoning=reasoning,
    )


def _plain(body: dict[str, Any]) -> Reply:
    return _served(body)


def _reasoning(body: dict[str, Any]) -> Reply:
    """A DeepSeek-style server: reasoning in ``reasoning_content``, then the answer."""
    return _served(body, "The user asks about history; answer plainly.")


def test_cluster_recipe_validates_with_one_lane_per_endpoint() -> None:
    campaign = load_campaign(RECIPE)
    lanes = {serving_lane(m.ref) for m in campaign.models}
    assert len(lanes) == len(campaign.models) == 3
    assert campaign.options_for(campaign.models[0])["bench"]["usd_per_hour"] == "2.5"
    assert [campaign.models[i].concurrency or campaign.concurrency for i in range(3)] == [
        64,
        48,
        128,
    ]


def test_cluster_recipe_runs_small(tmp_path: Path) -> None:
    campaign = load_campaign(RECIPE)
    with FakeOpenAI(_plain) as qwen, FakeOpenAI(_plain) as llama, FakeOpenAI(_reasoning) as ds:
        models = [
            m.model_copy(update={"ref": m.ref.replace(m.ref.split("/v1")[0] + "/v1", s.base_url)})
            for m, s in zip(campaign.models, (qwen, llama, ds), strict=True)
        ]
        small = campaign.model_copy(
            update={
                "models": models,
                "sample": 6,
                "options": {"bench": {"concurrency": [1, 2], "requests": 2, "max_tokens": 8}},
            }
        )
        outcome = asyncio.run(execute_campaign(small, tmp_path / "out"))
        assert all(len(s.requests) > 6 for s in (qwen, llama, ds))
    assert [r.status for r in outcome.results] == ["complete"] * 3, outcome.results
    md = outcome.markdown.read_text().replace("\\", "")
    # The bench stage priced each model from the recipe's usd_per_hour.
    assert md.count("$/Mtok") >= 3
    assert "policy" in md.splitlines()[4]
