"""A labelled set for near-duplicate detection, built by the tests (deterministic).

Originals are varied paragraphs composed from topic vocabularies. Each original gets
a **near-duplicate** (positive): the same text lightly edited the way copied entries
are (a few words swapped for synonyms, a sentence dropped or added, punctuation and
case changed). Each original also gets a **same-topic rewrite** (negative): another
text on the same topic from the same vocabulary, which must *not* be flagged. Pairs of
unrelated originals are negatives too."""

from __future__ import annotations

import random
from dataclasses import dataclass

TOPICS = {
    "water": "rainwater tank village pump filter clean drinking storage pipe well solar maintenance community",
    "energy": "solar panel battery inverter grid rooftop microgrid kilowatt storage charge sunlight school clinic",
    "education": "students teachers tablets curriculum library reading lessons offline classroom mentors exams",
    "health": "clinic nurses vaccines records patients mobile visits malaria screening pharmacy referral",
    "farming": "seeds irrigation soil compost harvest cooperative market drought crops training tools yields",
    "waste": "recycling plastic sorting compost collection bins landfill upcycling volunteers schedule",
    "transport": "bicycles routes commuters repair shared stations helmets safety lanes mapping",
    "finance": "savings group microloans ledger mobile money repayment interest members training budget",
}
TEMPLATES = [
    "We will build a {a} {b} for the {c} so that every {d} can rely on it.",
    "Our team has already tested the {a} with {b} and measured the {c}.",
    "The budget covers the {a}, the {b} and a year of {c}.",
    "Local {a} will run the {b} and report on the {c} every month.",
    "In the first phase we survey the {a} and the {b}; in the second we install the {c}.",
    "Success means more {a}, fewer problems with the {b}, and a {c} that lasts.",
    "We partner with the {a} cooperative to train {b} in {c} and {d}.",
    "Risks include delays of the {a} and the cost of the {b}, which the {c} plan addresses.",
]
SYNONYMS = {
    "build": "construct",
    "team": "group",
    "already": "previously",
    "covers": "includes",
    "every": "each",
    "first": "initial",
    "second": "next",
    "means": "looks like",
    "include": "are",
    "partner": "work",
    "run": "operate",
    "report": "write",
    "measured": "recorded",
    "lasts": "endures",
}


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    duplicate: bool


def _paragraph(rng: random.Random, vocabulary: list[str], sentences: int = 6) -> str:
    chosen = rng.sample(TEMPLATES, sentences)
    return " ".join(t.format(**{k: rng.choice(vocabulary) for k in "abcd"}) for t in chosen)


def _near_duplicate(rng: random.Random, text: str, vocabulary: list[str]) -> str:
    parts = text.split(". ")
    if len(parts) > 4 and rng.random() < 0.5:
        parts.pop(rng.randrange(len(parts)))  # drop a sentence
    else:
        parts.insert(rng.randrange(len(parts)), _paragraph(rng, vocabulary, 1).rstrip("."))  # add one
    out = []
    for word in ". ".join(parts).split(" "):
        bare = word.strip(".,;").lower()
        if bare in SYNONYMS and rng.random() < 0.5:
            word = word.lower().replace(bare, SYNONYMS[bare])
        out.append(word)
    edited = " ".join(out)
    return edited.upper() if rng.random() < 0.1 else edited


def build(seed: int = 18, originals_per_topic: int = 5) -> list[Pair]:
    rng = random.Random(seed)
    pairs: list[Pair] = []
    originals: list[str] = []
    for words in TOPICS.values():
        vocabulary = words.split()
        for _ in range(originals_per_topic):
            original = _paragraph(rng, vocabulary)
            originals.append(original)
            pairs.append(Pair(original, _near_duplicate(rng, original, vocabulary), True))
            pairs.append(Pair(original, _paragraph(rng, vocabulary), False))
    for _ in range(len(originals)):
        left, right = rng.sample(originals, 2)
        pairs.append(Pair(left, right, False))
    return pairs


def precision_recall(predicted: list[bool], labels: list[bool]) -> tuple[float, float]:
    tp = sum(p and y for p, y in zip(predicted, labels, strict=True))
    fp = sum(p and not y for p, y in zip(predicted, labels, strict=True))
    fn = sum(y and not p for p, y in zip(predicted, labels, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall
