"""Model output is untrusted: text a server can send must never break the passport."""

from __future__ import annotations

import json

from modelpassport.passport import Findings, canonical_json
from modelpassport.targets import Completion, StreamChunk, Timing


def test_lone_surrogates_from_json_become_replacement_characters() -> None:
    text = json.loads('"before \\ud800 after \\ud83d\\ude00"')
    done = Completion(
        text=text,
        finish_reason="stop",
        timing=Timing(total_s=0.1),
        model_id="m",
        raw={"choices": [{"delta": text}], text: 1},
    )
    assert done.text == "before \ufffd after \U0001f600"
    assert done.model_dump_json().encode("utf-8")
    assert json.dumps(done.raw, ensure_ascii=False).encode("utf-8")
    assert StreamChunk(text=text, at_s=0.0).text == done.text


def test_findings_digest_is_stable_for_unicode() -> None:
    findings = Findings()
    assert findings.digest() == Findings().digest()
    assert canonical_json(findings).encode("utf-8")
