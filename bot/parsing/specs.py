"""Fuzzy matching of typed spec values and operation names to known ones.

The database knows the factory's colours, materials, finishes, packaging and
operations (with aliases). A typed value maps to a known one only when the
best score clears a high threshold AND beats the runner-up by a margin; a
near miss is returned as `uncertain` so the bot asks back instead of guessing.
A value far from everything is `unknown`: a new colour is legitimate and is
kept as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from bot.parsing.synonyms import DEFAULT_OPERATIONS

Kind = Literal["color", "material", "finish", "packaging", "size", "other", "operation",
               "product", "customer"]
Status = Literal["exact", "confident", "uncertain", "unknown"]

THRESHOLD = 88.0  # a fuzzy hit at or above this may be taken ...
MARGIN = 8.0  # ... only if it beats the runner-up canonical by this much
ASK_FLOOR = 60.0  # between this and THRESHOLD (or without margin): ask back
SHORT_ASK_FLOOR = 50.0  # two-character names: one typo ("喷沙") already halves the score

_NOISE = re.compile(r"[\s\-_/·.,]+")
_COLOR_SUFFIX = re.compile(r"(?:颜色|色)$")


def _norm(kind: str, text: str) -> str:
    """Case, width, separators and (for colours) a trailing 色 do not matter."""
    text = _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())
    if kind == "color" and len(text) > 1:
        text = _COLOR_SUFFIX.sub("", text) or text
    return text


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome for one typed value; `candidates` are canonical names, best first."""

    written: str
    status: Status
    canonical: str | None = None
    score: float = 0.0
    candidates: tuple[str, ...] = ()


class Vocabulary:
    """The values the database knows, per kind: {canonical: [aliases]}.

    Products and customers (optional) are found inside quotes and new orders
    by name or alias; without them those are read by position in the message.

    Built once per database snapshot; indexes are computed here so that each
    lookup is one rapidfuzz call.
    """

    def __init__(self, *, colors: Mapping[str, Sequence[str]] | Iterable[str] = (),
                 materials: Mapping[str, Sequence[str]] | Iterable[str] = (),
                 finishes: Mapping[str, Sequence[str]] | Iterable[str] = (),
                 packaging: Mapping[str, Sequence[str]] | Iterable[str] = (),
                 operations: Mapping[str, Sequence[str]] | Iterable[str] = (),
                 products: Mapping[str, Sequence[str]] | Iterable[str] = (),
                 customers: Mapping[str, Sequence[str]] | Iterable[str] = ()) -> None:
        raw: dict[str, Mapping[str, Sequence[str]] | Iterable[str]] = {
            "color": colors, "material": materials, "finish": finishes,
            "packaging": packaging, "operation": operations,
            "product": products, "customer": customers,
        }
        self._index: dict[str, dict[str, str]] = {}
        for kind, table in raw.items():
            pairs = table.items() if isinstance(table, Mapping) else ((v, ()) for v in table)
            index: dict[str, str] = {}
            for canonical, aliases in pairs:
                for name in (canonical, *aliases):
                    index.setdefault(_norm(kind, name), canonical)
            self._index[kind] = index
        self._choices = {kind: list(index) for kind, index in self._index.items()}
        # Names as typed, longest first, for finding products and customers
        # inside a sentence ("华兴要100个书柜").
        self._written: dict[str, list[tuple[str, str]]] = {}
        for kind in ("product", "customer"):
            table = raw[kind]
            pairs = table.items() if isinstance(table, Mapping) else ((v, ()) for v in table)
            names = [(name, canonical) for canonical, aliases in pairs
                     for name in (canonical, *aliases) if name]
            self._written[kind] = sorted(names, key=lambda nc: -len(nc[0]))

    @classmethod
    def from_entries(cls, entries: Iterable[tuple[str, str, Sequence[str]]]) -> Vocabulary:
        """Build from database rows (kind, canonical, aliases); kind is one of
        color, material, finish, packaging, operation, product, customer.
        Unknown kinds are ignored."""
        tables: dict[str, dict[str, list[str]]] = {
            k: {} for k in ("color", "material", "finish", "packaging", "operation", "product",
                            "customer")}
        for kind, canonical, aliases in entries:
            if kind in tables:
                tables[kind].setdefault(canonical, []).extend(aliases)
        return cls(colors=tables["color"], materials=tables["material"],
                   finishes=tables["finish"], packaging=tables["packaging"],
                   operations=tables["operation"], products=tables["product"],
                   customers=tables["customer"])

    def find(self, kind: str, text: str) -> tuple[int, int, str] | None:
        """The first product / customer name (or alias) written inside `text`:
        (start, end, canonical); case-insensitive, longest name first."""
        lowered = text.lower()
        best: tuple[int, int, str] | None = None
        for name, canonical in self._written.get(kind, ()):
            at = lowered.find(name.lower())
            if at != -1 and (best is None or at < best[0]):
                best = (at, at + len(name), canonical)
        return best

    def knows(self, kind: str) -> bool:
        return bool(self._index.get(kind))

    def names(self, kind: str) -> list[str]:
        return sorted(set(self._index.get(kind, {}).values()))

    def match(self, kind: str, written: str) -> Match:
        """Exact alias, else a confident fuzzy hit, else uncertain/unknown."""
        index = self._index.get(kind)
        key = _norm(kind, written)
        if not index or not key:
            return Match(written, "unknown")
        if key in index:
            return Match(written, "exact", index[key], 100.0, (index[key],))
        best: dict[str, float] = {}
        floor = SHORT_ASK_FLOOR if len(key) <= 3 else ASK_FLOOR
        for choice, score, _ in process.extract(key, self._choices[kind], scorer=fuzz.ratio,
                                                limit=8, score_cutoff=floor):
            canonical = index[choice]
            best[canonical] = max(best.get(canonical, 0.0), float(score))
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        if not ranked:
            return Match(written, "unknown")
        top, top_score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        names = tuple(name for name, _ in ranked[:3])
        if top_score >= THRESHOLD and top_score - runner_up >= MARGIN:
            return Match(written, "confident", top, top_score, names)
        return Match(written, "uncertain", None, top_score, names)


#: Without a database: the operations most factories share, no spec values.
DEFAULT_VOCABULARY = Vocabulary(operations=DEFAULT_OPERATIONS)
