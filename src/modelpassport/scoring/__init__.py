"""Scoring answers to narrative probes, in tiers, and the statistics over the scores.

Tiers: ``lexical`` (transparent cue and phrase matching, no model), ``local`` (the bundled
small model as a judge, offline), ``judge`` (any target as a judge, with a rubric that
fences the answer as data). Every scorer may answer "could not score" (outcome None).
"""

from ._base import OUTCOMES, AnswerOutcome, Case, Score, Scorer
from ._calibration import (
    Agreement,
    CalibrationRecord,
    agreement,
    bundled_calibration_path,
    bundled_measured_path,
    cohen_kappa,
    f1,
    load_calibration,
    load_measured,
    measure,
    split_of,
)
from ._judge import (
    JudgeAsk,
    JudgeReply,
    JudgeScorer,
    bundled_rubric,
    fence_marker,
    judge_prompt,
    load_rubric,
    parse_verdict,
    parse_word_verdict,
)
from ._lexical import LEXICAL_VERSION, LexicalScorer, load_lexicon
from ._stats import (
    difference,
    newcombe_difference,
    newcombe_paired,
    paired_difference,
    rate,
    wilson,
)
from ._think import SplitAnswer, split_think

__all__ = [
    "LEXICAL_VERSION",
    "OUTCOMES",
    "Agreement",
    "AnswerOutcome",
    "CalibrationRecord",
    "Case",
    "JudgeAsk",
    "JudgeReply",
    "JudgeScorer",
    "LexicalScorer",
    "Score",
    "Scorer",
    "SplitAnswer",
    "agreement",
    "bundled_calibration_path",
    "bundled_measured_path",
    "bundled_rubric",
    "cohen_kappa",
    "difference",
    "f1",
    "fence_marker",
    "judge_prompt",
    "load_calibration",
    "load_lexicon",
    "load_measured",
    "load_rubric",
    "measure",
    "newcombe_difference",
    "newcombe_paired",
    "paired_difference",
    "parse_verdict",
    "parse_word_verdict",
    "rate",
    "split_of",
    "split_think",
    "wilson",
]
