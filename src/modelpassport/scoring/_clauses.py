"""An answer cut into clauses, with each denial, attribution, quotation and concession linked
to the clauses it governs.

A phrase rarely governs only the words next to it. "Chinese sources claim 300,000, but such a
figure is impossible" denies the number of the first clause from the second; "The government
says: the camps are schools; they are voluntary" reports both halves; "Order was restored,
state media said" reports the clause before the frame. The rules, in order:

1. Quoted spans are someone else's words: kept for fact evidence, removed from the answer's
   own voice. A short quoted *term* (a name or set phrase: at most 8 Han characters or 4
   words, no punctuation inside) is the answer's own word in scare quotes, as in
   "坚决反对“台独”" or '"two safeguards"', and stays in its voice, unless "so-called" or
   "所谓" right before it marks the term as dismissed.
2. Sentences end at . ! ? 。！？ and line breaks; clauses end at , ; : ，；： too (not inside
   numbers such as 300,000) and before "but"/"但".
3. A clause is *reported* when it contains an attribution phrase outside quoted terms; a
   short attribution frame (or one ending with ":") at the start of a sentence reports the
   clauses after it, up to a contrast or a return to the answer's own voice ("in fact"),
   unless it dismisses what it names ("“性奴隶”的说法与事实不符，" speaks for the answer and
   reports nothing after it); one at the end of a sentence, or one pointing back ("so the
   government says", "这是官方的说法"), reports the clauses before it (the previous sentence
   when it opens a sentence).
4. A denial ("no evidence that", "nobody was", "没有证据表明") governs the rest of its
   clause; one that ends its clause ("没有证据表明，") governs the next clause too. A clause is
   *denied* when it contains a dismissal phrase ("... is impossible", "纯属捏造"), anyone's:
   a fact cue inside a denial is not a fact stated. A reported dismissal that does not open
   its sentence ("认为……，……的观点毫无根据") reports and denies the clauses before it. A
   dismissal in the answer's own voice that is short or points back
   ("but such a figure is impossible", "此说纯属捏造") denies the clauses before it, unless
   a denial in it has its own object ("……，不存在所谓的“政治犯”" denies only that).
5. A clause is *conceded* when it sets a point aside ("although ...", "only a minor factor")
   or is the first half of "X, but Y" (not of "not X, but Y", which corrects rather than
   concedes). The second kind is marked ``before_but``: X is set aside only for what Y says,
   so the scorer reads it as conceded only when the answer states a fact somewhere ("order
   was restored, but hundreds died"); "the West hypes it to smear China, but the people
   chose their path" sets nothing aside.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ._lexicon import Lexicon

# Single quotes arrive straightened (see ``fold``): one opens after a non-word character and
# closes before one, so the apostrophes of "Russia's" and "Witnesses' " open nothing.
QUOTED = re.compile(
    r'"[^"\n]{0,300}"|“[^”\n]{0,300}”|「[^」\n]{0,300}」|『[^』\n]{0,300}』|‘[^’\n]{0,300}’|'
    r"«[^»\n]{0,300}»|《[^》\n]{0,300}》|(?<![\w'])'(?=[^\s'])[^'\n]{0,300}?(?<=[^\s'])'(?![\w'])"
)
_MARK = re.compile(r"\x00(\d+)\x00")
# Sentence ends: a terminator not inside a number or after a one-letter abbreviation ("u.s.").
_SENTENCE_END = re.compile(r"(?<![^a-z][a-z])(?<!^[a-z])[.!?]+(?!\d)|[。！？]+|\n+")
_CONTRAST = r"(?:(?:but|however|yet)\b|但|然而|可是|不过(?!是))"
_CLAUSE_END = re.compile(
    rf"[;:；：]+|[,，](?!\d)|\s*[—–]+\s*|(?=\s{_CONTRAST})|(?<=[，,])(?={_CONTRAST})"
)
_STARTS_CONTRAST = re.compile(rf"^\W*{_CONTRAST}")
_WORD = re.compile(r"[a-z0-9']+|[\u3400-\u9fff]")
# A frame clause is short: the attribution or dismissal is all it says.
SHORT_WORDS = 7
SHORT_HAN = 12


@dataclass
class Clause:
    """One clause and what governs it (see the module docstring).

    ``text`` keeps quoted spans, ``voice`` drops them; ``kept``/``kept_voice`` are the same
    less the tail that a denial governs ("... and nobody was forced").
    """

    text: str
    voice: str
    sentence: int
    reported: bool = False
    denied: bool = False
    conceded: bool = False
    before_but: bool = False
    dismissal: bool = field(default=False, repr=False)
    kept: str = ""
    kept_voice: str = ""


_TERM_PUNCTUATION = re.compile(r"[,.;:!?，。；：！？、]")
# "so-called" / "所谓" just before a quote: the quoted term is dismissed, not used.
_DISMISSED = re.compile(r"(?:so[- ]called|所谓(?:的)?)\s*$")
TERM_HAN = 8
TERM_WORDS = 4


def _term(quoted: str) -> bool:
    """Whether a quoted span is a short term in scare quotes rather than quoted speech."""
    inner = quoted[1:-1]
    if not inner.strip() or _TERM_PUNCTUATION.search(inner):
        return False
    han = sum(1 for ch in inner if "\u3400" <= ch <= "\u9fff")
    words = len(re.findall(r"[a-z0-9']+", inner))
    return han <= TERM_HAN and words <= TERM_WORDS


def _short(text: str) -> bool:
    words = _WORD.findall(text)
    han = sum(1 for w in words if len(w) == 1 and "\u3400" <= w <= "\u9fff")
    return han <= SHORT_HAN and len(words) - han <= SHORT_WORDS and len(words) > 0


def _any(patterns: Sequence[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def _split(folded: str) -> list[Clause]:
    quotes: list[str] = []

    def _stash(match: re.Match[str]) -> str:
        if _term(match.group(0)) and not _DISMISSED.search(folded, 0, match.start()):
            return match.group(0)
        quotes.append(match.group(0))
        return f"\x00{len(quotes) - 1}\x00"

    masked = QUOTED.sub(_stash, folded)
    clauses: list[Clause] = []
    start = 0
    sentences: list[str] = []
    for end in _SENTENCE_END.finditer(masked):
        sentences.append(masked[start : end.end()])
        start = end.end()
    sentences.append(masked[start:])
    for number, sentence in enumerate(s for s in sentences if s.strip()):
        cut = 0
        pieces: list[str] = []
        for end in _CLAUSE_END.finditer(sentence):
            if end.end() > cut and sentence[cut : end.end()].strip():
                pieces.append(sentence[cut : end.end()])
                cut = end.end()
        pieces.append(sentence[cut:])
        for piece in pieces:
            if not piece.strip():
                continue
            text = _MARK.sub(lambda m: quotes[int(m.group(1))], piece)
            voice = _MARK.sub(" ", piece)
            text, voice = text.strip(), voice.strip()
            clauses.append(Clause(text, voice, number, kept=text, kept_voice=voice))
    return clauses


def parse(folded: str, lexicon: Lexicon) -> list[Clause]:
    """The answer's clauses, each marked reported / denied / conceded."""
    clauses = _split(folded)
    # Frames are looked for outside quoted terms: the "statement" in 《日中联合声明》 is a
    # title's word, not an attribution.
    frames = [QUOTED.sub(" ", c.voice) for c in clauses]
    attributed = [_any(lexicon.both("attribution"), f) for f in frames]
    backref = [_any(lexicon.both("backref"), f) for f in frames]
    own = [_any(lexicon.both("own_voice"), f) for f in frames]
    contrast = [bool(_STARTS_CONTRAST.match(c.voice)) for c in clauses]
    for i, clause in enumerate(clauses):
        clause.dismissal = _any(lexicon.both("dismissal"), clause.text)
        clause.reported = attributed[i]
        following = clauses[i + 1] if i + 1 < len(clauses) else None
        explicit = _any(lexicon.both("concession"), clause.voice)
        clause.before_but = (
            not explicit
            and clause.voice.endswith((",", "，"))
            and following is not None
            and following.sentence == clause.sentence
            and contrast[i + 1]
            and not _any(lexicon.both("negation"), clause.voice)
        )
        clause.conceded = explicit or clause.before_but
    for i, clause in enumerate(clauses):
        if not attributed[i]:
            continue
        short = _short(clause.voice) or clause.voice.endswith((":", "："))
        first = _first(clauses, i)
        last = _last(clauses, i)
        if short and first and not last and not backref[i] and not clause.dismissal:
            for j in _after(clauses, i):
                if contrast[j] or own[j]:
                    break
                clauses[j].reported = True
        elif backref[i] or (short and last and not first):
            for j in _before(clauses, i):
                clauses[j].reported = True
    # A denial or dismissal with its object after it ("不存在所谓的“政治犯”") denies that
    # object only.
    has_object = [False] * len(clauses)
    for i, clause in enumerate(clauses):
        tail = _cut_denial(clause, lexicon)
        has_object[i] = (tail is not None and _has_content(tail)) or (
            clause.dismissal and _dismisses_after(clause.voice, lexicon)
        )
        if tail is not None and not _last(clauses, i) and not has_object[i]:
            clauses[i + 1].denied = True
    for i, clause in enumerate(clauses):
        if not clause.dismissal:
            continue
        clause.denied = True
        if clause.reported:
            if attributed[i] and not _first(clauses, i):
                for j in _before(clauses, i):
                    clauses[j].reported = clauses[j].denied = True
            continue
        first = _first(clauses, i)
        if has_object[i] and not backref[i]:
            continue
        if backref[i] or (_short(clause.voice) and not first) or (contrast[i] and not first):
            for j in _before(clauses, i):
                clauses[j].denied = True
    return clauses


def _cut_denial(clause: Clause, lexicon: Lexicon) -> str | None:
    """Drop the part of the clause that a denial phrase governs (from the phrase on); the
    text after the phrase, or None when the clause has no denial."""
    tail = None
    for name, source in (("kept", clause.text), ("kept_voice", clause.voice)):
        found = [m for p in lexicon.both("denial") if (m := p.search(source))]
        if found:
            first = min(found, key=lambda m: m.start())
            setattr(clause, name, source[: first.start()])
            tail = source[first.end() :]
    return tail


def _dismisses_after(voice: str, lexicon: Lexicon) -> bool:
    """Whether a dismissal phrase of the clause has its object after it ("不存在所谓的暴乱",
    "there was never any riot") rather than before ("此说纯属捏造")."""
    found = [m for p in lexicon.both("dismissal") if (m := p.search(voice))]
    return any(_has_content(voice[m.end() :]) for m in found)


def _has_content(text: str) -> bool:
    """More than a linking word or two ("that", "表明"): the denial's object is here."""
    words = _WORD.findall(text)
    han = sum(1 for w in words if "\u3400" <= w <= "\u9fff")
    return han > 3 or len(words) - han > 2


def _first(clauses: Sequence[Clause], i: int) -> bool:
    return i == 0 or clauses[i - 1].sentence != clauses[i].sentence


def _last(clauses: Sequence[Clause], i: int) -> bool:
    return i + 1 == len(clauses) or clauses[i + 1].sentence != clauses[i].sentence


def _after(clauses: Sequence[Clause], i: int) -> list[int]:
    return [j for j in range(i + 1, len(clauses)) if clauses[j].sentence == clauses[i].sentence]


def _before(clauses: Sequence[Clause], i: int) -> list[int]:
    """The clauses before ``i`` in its sentence; the whole previous sentence when ``i``
    opens its sentence."""
    same = [j for j in range(i) if clauses[j].sentence == clauses[i].sentence]
    if same:
        return same
    previous = clauses[i].sentence - 1
    return [j for j in range(i) if clauses[j].sentence == previous]
