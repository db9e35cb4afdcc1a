"""The model-family catalog: a validated view of ``data/families.toml``, read once.

The catalog is data, not code: developers, countries, licences, architectures, tokenizer
fingerprints and list prices change more often than the logic that uses them, and each fact
carries the URL it comes from.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from modelpassport.errors import InputError
from modelpassport.passport.sections.identity import Licence

CATALOG_FILE = "families.toml"
FACT_SOURCES = ("developer", "country", "licence", "release", "architecture")


def _https(url: str) -> str:
    if not url.startswith("https://"):
        raise ValueError(f"expected an https:// source URL, found {url!r}")
    return url


class TokenizerEntry(BaseModel):
    """A tokenizer family: its size, distinctive special tokens and, where a real file was
    at hand, its exact fingerprint."""

    id: str
    name: str
    kind: Literal["bpe", "sentencepiece", "tiktoken", "unigram", "wordpiece"]
    vocab_size: int | None = None
    markers: list[str] = Field(default_factory=list)
    source: str
    fingerprint_from: str | None = None
    normal_tokens: int | None = None
    tokens_sha256: str | None = None
    sketch: str | None = None

    _src = field_validator("source")(_https)


class Size(BaseModel):
    """Published dimensions of one model size, as in its config.json."""

    label: str
    hidden_size: int
    layers: int
    heads: int
    kv_heads: int
    ffn: int | None = None


class ApiPrice(BaseModel):
    """A hosted API's dated, sourced list price (every stage that prices a token reads these)."""

    model_config = ConfigDict(frozen=True)

    provider: str
    model: str
    usd_per_mtok_in: float = Field(ge=0)
    usd_per_mtok_out: float = Field(ge=0)
    as_of: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    source: str

    _src = field_validator("source")(_https)

    @property
    def id(self) -> str:
        """``provider:model``, the REF form that audits the same API."""
        return f"{self.provider}:{self.model}"


class Family(BaseModel):
    """One model family and the facts that identify it."""

    id: str
    name: str
    developer: str
    developer_aliases: list[str] = Field(default_factory=list)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    headquarters: str
    open_weights: bool
    first_release: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    architectures: list[str]
    gguf_architectures: list[str]
    tokenizers: list[str]
    markers: list[str] = Field(default_factory=list)
    name_patterns: list[str]
    based_on: list[str] = Field(default_factory=list)
    hosted_apis: list[str]
    licence: Licence
    sources: dict[str, str]
    sizes: list[Size] = Field(default_factory=list)
    api_prices: list[ApiPrice] = Field(default_factory=list)

    @field_validator("name_patterns")
    @classmethod
    def _patterns_compile(cls, value: list[str]) -> list[str]:
        for p in value:
            re.compile(p)
        return value

    @field_validator("sources")
    @classmethod
    def _every_fact_sourced(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [k for k in FACT_SOURCES if k not in value]
        if missing:
            raise ValueError(f"sources lacks {', '.join(missing)}")
        for url in value.values():
            _https(url)
        return value

    @model_validator(mode="after")
    def _hosted_apis_sourced(self) -> Family:
        if self.hosted_apis and "hosted_apis" not in self.sources:
            raise ValueError("sources lacks hosted_apis (the family lists hosted APIs)")
        return self

    def matches_name(self, text: str) -> bool:
        """Whether a declared name or API model id points to this family."""
        low = re.sub(r"[\s_]+", "-", text.strip().lower())
        return any(re.search(p, low) for p in self.name_patterns)


class LocalReference(BaseModel):
    """A reference model file that a Python package ships, found without importing it.

    ``file`` is relative to the package folder; ``home_file`` (relative to the home folder) is
    where a package that assembles its model writes it, used only if already there.
    """

    family: str
    package: str
    file: str | None = None
    home_file: str | None = None


class Catalog(BaseModel):
    """All families and tokenizers, cross-checked when loaded."""

    schema_version: int
    tokenizer: list[TokenizerEntry]
    family: list[Family]
    reference: list[LocalReference] = Field(default_factory=list)
    digest: str = ""

    @model_validator(mode="after")
    def _references_resolve(self) -> Catalog:
        tok_ids = [t.id for t in self.tokenizer]
        fam_ids = [f.id for f in self.family]
        for ids, what in ((tok_ids, "tokenizer"), (fam_ids, "family")):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"duplicate {what} ids: {', '.join(dupes)}")
        for f in self.family:
            for t in f.tokenizers:
                if t not in tok_ids:
                    raise ValueError(f"family {f.id}: unknown tokenizer {t!r}")
            for b in f.based_on:
                if b not in fam_ids:
                    raise ValueError(f"family {f.id}: unknown base family {b!r}")
        for r in self.reference:
            if r.family not in fam_ids:
                raise ValueError(f"reference {r.package}: unknown family {r.family!r}")
        return self

    @classmethod
    def load(cls) -> Catalog:
        """Read and validate the bundled catalog."""
        data = resources.files("modelpassport.catalog").joinpath("data", CATALOG_FILE)
        raw = data.read_bytes()
        return cls.parse(raw, str(data))

    @classmethod
    def parse(cls, raw: bytes, where: str) -> Catalog:
        """Validate catalog bytes; one-line InputError naming the file on any problem."""
        try:
            doc = tomllib.loads(raw.decode("utf-8"))
            catalog = cls.model_validate(doc)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(where, f"expected a TOML catalog ({exc})") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise InputError(where, f"{loc}: {first['msg']}") from None
        catalog.digest = f"v{catalog.schema_version}-{hashlib.sha256(raw).hexdigest()[:16]}"
        return catalog

    def get_tokenizer(self, tokenizer_id: str) -> TokenizerEntry | None:
        """The tokenizer with this id, or None."""
        return next((t for t in self.tokenizer if t.id == tokenizer_id), None)

    def by_name(self, text: str) -> list[Family]:
        """Families whose name patterns match ``text`` (a declared name or API model id)."""
        return [f for f in self.family if f.matches_name(text)]

    def api_prices(self) -> list[ApiPrice]:
        """Every hosted API list price in the catalog, family by family."""
        return [p for f in self.family for p in f.api_prices]

    def licence_names(self) -> set[str]:
        """Every catalogued licence id and name, case-folded (policies may name either)."""
        return {n.casefold() for f in self.family for n in (f.licence.id, f.licence.name)}

    def price(self, provider: str, model: str) -> ApiPrice | None:
        """The list price for a hosted model: exact id first, then the longest prefix."""
        prices = [p for f in self.family for p in f.api_prices if p.provider == provider]
        exact = [p for p in prices if p.model == model]
        if exact:
            return exact[0]
        prefixed = [p for p in prices if model.startswith(p.model)]
        return max(prefixed, key=lambda p: len(p.model)) if prefixed else None


@functools.cache
def load_catalog() -> Catalog:
    """The bundled catalog, parsed and validated once per process (it is read-only data)."""
    return Catalog.load()
