"""Scoring answers to narrative probes, in tiers, and the statistics over the scores.

Tiers: ``lexical`` (transparent cue and phrase matching, no model), ``local`` (the bundled
small model as a judge, offline), ``judge`` (any target as a judge, with a rubric that
fences the answer as data). Every scorer may answer "could not score" (outcome None).
"""

from ._base import OUTCOMES, AnswerOutcome, Case, Score, Scorer
from ._calibration import (
    CALIBRATION_SETS,
    Agreement,
    CalibrationRecord,
    Label,
    agreement,
    bundled_calibration_path,
    bundled_measured_path,
    cases_of,
    cohen_kappa,
    f1,
    load_calibration,
    load_measured,
    measure,
    split_of,
    twins_of,
    write_calibration,
)
from ._framings import Framing, Framings, load_framings
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
from ._lang import AnswerLang, answer_language, wrong_language
from ._lexical import LEXICAL_VERSION, LexicalScorer
from ._lexicon import Lexicon, load_lexicon
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
    "CALIBRATION_SETS",
    "LEXICAL_VERSION",
    "OUTCOMES",
    "Agreement",
    "AnswerLang",
    "AnswerOutcome",
    "CalibrationRecord",
    "Case",
    "Framing",
    "Framings",
    "JudgeAsk",
    "JudgeReply",
    "JudgeScorer",
    "Label",
    "LexicalScorer",
    "Lexicon",
    "Score",
    "Scorer",
    "SplitAnswer",
    "agreement",
    "answer_language",
    "bundled_calibration_path",
    "bundled_measured_path",
    "bundled_rubric",
    "cases_of",
    "cohen_kappa",
    "difference",
    "f1",
    "fence_marker",
    "judge_prompt",
    "load_calibration",
    "load_framings",
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
    "twins_of",
    "wilson",
    "write_calibration",
    "wrong_language",
]
