"""Campaign files written for tests: servers' URLs in, a path out."""

from __future__ import annotations

from pathlib import Path

from modelpassport.campaign import Campaign, load_campaign


def models_toml(models: list[tuple[str, str]], extra: str = "") -> str:
    """``[[models]]`` entries for (name, ref) pairs, each followed by ``extra`` lines."""
    return "".join(f'\n[[models]]\nname = "{name}"\nref = "{ref}"\n{extra}' for name, ref in models)


def write_campaign(folder: Path, body: str, *, sample: int = 8, concurrency: int = 2) -> Path:
    """A narratives-only campaign with a small sample and short answers, plus ``body``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "campaign.toml"
    head = (
        'title = "Panel"\nstages = ["narratives"]\n'
        f"sample = {sample}\nconcurrency = {concurrency}\ntimeout_s = 10\n"
        "options = { narratives = { max_tokens = 40 } }\n"
    )
    path.write_text(head + body, encoding="utf-8")
    return path


def load(folder: Path, body: str, *, sample: int = 8, concurrency: int = 2) -> Campaign:
    """Write and load a campaign file."""
    return load_campaign(write_campaign(folder, body, sample=sample, concurrency=concurrency))
