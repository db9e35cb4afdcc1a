"""The family catalog: coverage, sourcing, cross-references, and fingerprints that still
match the real tokenizer files they were computed from."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelpassport.catalog import Catalog
from modelpassport.errors import InputError
from modelpassport.identity import fingerprint_file

REQUIRED = {
    "llama2",
    "llama3",
    "llama4",
    "qwen2",
    "qwen2.5",
    "qwen3",
    "qwq",
    "deepseek-v2",
    "deepseek-v3",
    "deepseek-r1",
    "deepseek-r1-distill",
    "deepseek-v3.1",
    "deepseek-v3.2",
    "kimi-k2",
    "glm4",
    "minimax",
    "yi",
    "internlm",
    "baichuan",
    "ernie4.5",
    "hunyuan",
    "gemma2",
    "gemma3",
    "mistral",
    "mixtral",
    "mistral-nemo",
    "mistral-small",
    "phi3",
    "phi4",
    "olmo2",
    "llama-nemotron",
    "nemotron-h",
    "gpt-oss",
    "granite",
    "command-r",
    "falcon",
    "exaone",
    "jamba",
    "smollm2",
    "smollm3",
    "openai-gpt",
    "anthropic-claude",
    "google-gemini",
    "deepseek-api",
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_covers_the_required_families_with_sourced_facts(catalog: Catalog) -> None:
    ids = {f.id for f in catalog.family}
    assert ids >= REQUIRED
    assert len([f for f in catalog.family if f.open_weights]) >= 35
    for f in catalog.family:
        assert set(f.sources) >= {"developer", "country", "licence", "release", "architecture"}
        assert all(u.startswith("https://") for u in f.sources.values())
        assert f.licence.url.startswith("https://")
        if f.open_weights:
            assert f.architectures, f.id
            assert f.tokenizers, f.id
        else:
            assert f.api_prices, f"{f.id}: hosted families carry list prices"


def test_prices_and_names_resolve(catalog: Catalog) -> None:
    price = catalog.price("openai", "gpt-4o-mini-2024-07-18")
    assert price is not None
    assert price.model == "gpt-4o-mini"
    assert price.usd_per_mtok_out > price.usd_per_mtok_in
    assert catalog.price("openai", "no-such-model") is None
    assert [f.id for f in catalog.by_name("DeepSeek-R1-Distill-Qwen-7B")] == ["deepseek-r1-distill"]
    assert [f.id for f in catalog.by_name("Gemma 3 270m")] == ["gemma3"]
    assert [f.id for f in catalog.by_name("claude-sonnet-4-5")] == ["anthropic-claude"]


@pytest.mark.parametrize(
    ("tokenizer_id", "fixture"),
    [
        ("cosmo2", "smollm2_gguf"),
        ("llama3", "llama3_tokenizer"),
        ("qwen", "qwen_tiktoken"),
        ("gemma3", "gemma_gguf"),
    ],
)
def test_catalog_fingerprints_match_the_real_files(
    catalog: Catalog, tokenizer_id: str, fixture: str, request: pytest.FixtureRequest
) -> None:
    path: Path = request.getfixturevalue(fixture)
    entry = catalog.get_tokenizer(tokenizer_id)
    assert entry is not None
    fp = fingerprint_file(path)
    assert (entry.normal_tokens, entry.tokens_sha256, entry.sketch) == (
        fp.normal_tokens,
        fp.tokens_sha256,
        fp.sketch,
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('tokenizers = ["cosmo2"]', 'tokenizers = ["nope"]'), "unknown tokenizer 'nope'"),
        (('country = "FR"', 'country = "France"'), "family.*country"),
        (('developer = "https://mistral.ai/', 'developer = "http://mistral.ai/'), "https://"),
        (("schema_version = 1", "schema_version = "), "expected a TOML catalog"),
        (('hosted_apis = "https://docs.cohere.com/docs/models"\n', ""), "lacks hosted_apis"),
    ],
)
def test_a_broken_catalog_fails_with_one_line(edit: tuple[str, str], message: str) -> None:
    raw = (Path(__file__).parents[2] / "src/modelpassport/catalog/data/families.toml").read_text()
    assert edit[0] in raw
    with pytest.raises(InputError, match=message) as info:
        Catalog.parse(raw.replace(edit[0], edit[1], 1).encode(), "families.toml")
    assert "\n" not in str(info.value)
