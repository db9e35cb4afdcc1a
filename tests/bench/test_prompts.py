"""Bench prompts: distinct per request, and the asked length (exact with the tokenizer)."""

from __future__ import annotations

import importlib.util

import pytest

from modelpassport.bench import GgufTokenizer, PromptMaker
from modelpassport.refs import default_model_path


def test_prompts_are_distinct_deterministic_and_sized_by_estimate() -> None:
    make = PromptMaker(200, 16, None, seed=5)
    first, second = make(0), make(1)
    assert first.messages[0].content != second.messages[0].content
    assert make(0) == first
    assert first.max_tokens == 16
    assert (first.seed, second.seed) == (5, 6)
    assert len(first.messages[0].content) == 800  # 4 characters per estimated token


@pytest.mark.llm
@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="needs llama_cpp")
def test_prompt_length_is_exact_with_the_models_tokenizer() -> None:
    tokenizer = GgufTokenizer(default_model_path())
    for wanted in (8, 64, 700):
        text = PromptMaker(wanted, 16, tokenizer, seed=0)(3).messages[0].content
        assert text.startswith("Request 3.")
        # a cut text re-tokenizes to the same length, give or take a merged edge token
        assert abs(tokenizer.count(text) - wanted) <= 1
