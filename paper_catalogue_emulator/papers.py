"""The emulator's corpus: papers, text normalisation and the indexes both fake APIs search.

FIXTURE DATA: the seed corpus's arXiv ids and titles are real; everything else is made up.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

SEED_PATH = Path(__file__).resolve().parent / "corpus" / "seed.json"

FIXTURE_NOTICE = (
    "FIXTURE DATA: arXiv ids and titles are real; authors, dates, abstracts, categories, venues, DOIs, "
    "Semantic Scholar ids and all counts are made up for offline tests and the demo. Not real API answers."
)

_SPLIT = re.compile(r"[\W_]+")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Light, deterministic suffix stripping (the same rule for documents and queries)."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("sses"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def raw_words(text: str) -> list[str]:
    """Lower-case, hyphens to spaces, punctuation stripped; no stemming (used for authors)."""
    return [w for w in _SPLIT.split(text.lower().replace("-", " ")) if w]


def words(text: str) -> list[str]:
    """Normalised, stemmed words of ``text``."""
    return [stem(w) for w in raw_words(text)]


def s2_id_for(arxiv_id: str) -> str:
    return hashlib.sha1(f"fixture-s2:{arxiv_id}".encode()).hexdigest()


def corpus_id_for(arxiv_id: str) -> int:
    return 200_000_000 + int(hashlib.sha1(f"fixture-corpus:{arxiv_id}".encode()).hexdigest()[:8], 16) % 90_000_000


@dataclass(slots=True)
class Paper:
    arxiv_id: str
    version: int
    title: str
    authors: list[str]
    summary: str
    published: str
    updated: str
    primary_category: str
    categories: list[str]
    doi: str | None
    journal_ref: str | None
    comment: str | None
    s2_paper_id: str
    corpus_id: int
    venue: str
    year: int
    publication_date: str
    citation_count: int
    influential_citation_count: int
    reference_count: int
    _idx: int = field(default=-1, repr=False, compare=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Paper:
        return cls(**{k: d[k] for k in _FIELDS})

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("_idx", None)
        return d

    def author_id(self, i: int) -> str:
        """A deterministic (fake) S2 author id for the i-th author."""
        return str(int(hashlib.sha1(self.authors[i].encode()).hexdigest()[:7], 16) + 1_000_000)


_FIELDS = [f for f in Paper.__dataclass_fields__ if not f.startswith("_")]

#: arXiv search fields indexed per paper (``all`` is the union at query time)
FIELDS = ("ti", "abs", "au", "co", "jr", "cat")


class Corpus:
    """Papers plus the lookup indexes: arXiv id, S2 paper id, DOI, corpus id and per-field word postings."""

    def __init__(self, papers: Iterable[Paper], notice: str = FIXTURE_NOTICE) -> None:
        self.notice = notice
        self.papers: list[Paper] = []
        self.by_arxiv: dict[str, Paper] = {}
        self.by_s2: dict[str, Paper] = {}
        self.by_doi: dict[str, Paper] = {}
        self.by_corpus_id: dict[int, Paper] = {}
        self.index: dict[str, dict[str, set[int]]] = {f: {} for f in FIELDS}
        self.title_words: list[frozenset[str]] = []
        for p in papers:
            self.add(p)

    def __len__(self) -> int:
        return len(self.papers)

    def __iter__(self) -> Iterator[Paper]:
        return iter(self.papers)

    def add(self, p: Paper) -> None:
        if p.arxiv_id in self.by_arxiv:
            raise ValueError(f"duplicate arXiv id {p.arxiv_id}")
        p._idx = i = len(self.papers)
        self.papers.append(p)
        self.by_arxiv[p.arxiv_id] = p
        self.by_s2[p.s2_paper_id] = p
        if p.doi:
            self.by_doi[p.doi.lower()] = p
        self.by_corpus_id[p.corpus_id] = p
        tw = words(p.title)
        self.title_words.append(frozenset(tw))
        idx = self.index
        for f, toks in (
            ("ti", tw),
            ("abs", words(p.summary)),
            ("au", [w for a in p.authors for w in raw_words(a)]),
            ("co", words(p.comment or "")),
            ("jr", words(p.journal_ref or "")),
            ("cat", [c.lower() for c in p.categories]),
        ):
            postings = idx[f]
            for t in set(toks):
                s = postings.get(t)
                if s is None:
                    postings[t] = {i}
                else:
                    s.add(i)

    # -- lookups -------------------------------------------------------------------------------
    def get_arxiv(self, arxiv_id: str) -> Paper | None:
        return self.by_arxiv.get(arxiv_id)

    def resolve_s2(self, ident: str) -> Paper | None:
        """Resolve an S2 id: 40-hex paperId, ARXIV:, DOI:, CorpusId: (prefix case-insensitive), bare DOI."""
        ident = ident.strip()
        if re.fullmatch(r"[0-9a-fA-F]{40}", ident):
            return self.by_s2.get(ident.lower())
        prefix, sep, rest = ident.partition(":")
        if sep:
            kind = prefix.strip().lower()
            rest = rest.strip()
            if kind == "arxiv":
                return self.by_arxiv.get(re.sub(r"v\d+$", "", rest))
            if kind == "doi":
                return self.by_doi.get(rest.lower())
            if kind == "corpusid":
                return self.by_corpus_id.get(int(rest)) if rest.isdigit() else None
            return None
        if ident.startswith("10."):
            return self.by_doi.get(ident.lower())
        return None

    def title_candidates(self, query_words: Iterable[str]) -> dict[int, int]:
        """Paper index -> number of distinct query words in its title."""
        counts: dict[int, int] = {}
        postings = self.index["ti"]
        for w in set(query_words):
            for i in postings.get(w, ()):
                counts[i] = counts.get(i, 0) + 1
        return counts


# -- loading / generating --------------------------------------------------------------------------
def load_corpus(path: str | Path) -> Corpus:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Corpus((Paper.from_dict(d) for d in data["papers"]), notice=data.get("_notice", FIXTURE_NOTICE))


def load_seed_corpus() -> Corpus:
    """The bundled FIXTURE corpus (real arXiv ids and titles of the seed reading lists, made-up metadata)."""
    return load_corpus(SEED_PATH)


_ADJ = [
    "Efficient",
    "Scalable",
    "Robust",
    "Sparse",
    "Adaptive",
    "Hierarchical",
    "Contrastive",
    "Multilingual",
    "Lightweight",
    "Causal",
    "Generative",
    "Discriminative",
    "Bayesian",
    "Federated",
    "Structured",
    "Latent",
    "Unsupervised",
    "Semi-supervised",
    "Continual",
    "Interpretable",
    "Compositional",
    "Multimodal",
    "Recurrent",
    "Probabilistic",
    "Self-supervised",
]
_NOUN = [
    "Transformers",
    "Embeddings",
    "Attention",
    "Retrieval",
    "Parsing",
    "Translation",
    "Summarization",
    "Tagging",
    "Graphs",
    "Encoders",
    "Decoders",
    "Tokenization",
    "Pretraining",
    "Distillation",
    "Pruning",
    "Quantization",
    "Alignment",
    "Reasoning",
    "Grounding",
    "Segmentation",
    "Classification",
    "Generation",
    "Adapters",
    "Prompts",
    "Benchmarks",
    "Representations",
    "Memory",
    "Kernels",
]
_TASK = [
    "Question Answering",
    "Named Entity Recognition",
    "Machine Translation",
    "Text Classification",
    "Code Generation",
    "Speech Recognition",
    "Dialogue Systems",
    "Information Extraction",
    "Relation Extraction",
    "Sentiment Analysis",
    "Language Modeling",
    "Document Ranking",
    "Image Captioning",
    "Semantic Parsing",
    "Fact Verification",
]
_TEMPLATES = (
    "{a} {n} for {t}",
    "{n} Meets {t}: A {a} Approach",
    "On the {a} {n} of {t} Models",
    "Towards {a} {t} with {n}",
    "{a} and {a2} {n}: Revisiting {t}",
    "Learning {a} {n} for Low-Resource {t}",
)
_FIRST = [
    "Alice",
    "Bao",
    "Carlos",
    "Dana",
    "Elif",
    "Farid",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kavya",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoe",
]
_LAST = [
    "Andersen",
    "Bianchi",
    "Chen",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nguyen",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Silva",
    "Tanaka",
    "Uddin",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhang",
]
_CATS = ("cs.CL", "cs.LG", "cs.AI", "cs.IR", "cs.CV", "stat.ML")
_VENUES = ("ACL", "EMNLP", "NAACL", "NeurIPS", "ICLR", "ICML", "TACL", "COLING", "arXiv.org", "AAAI")


def synthetic_corpus(n: int, seed: int = 0, include_seed: bool = False) -> Corpus:
    """``n`` deterministic made-up papers (unique YYMM.NNNNN ids) for benchmarks; optionally plus the seed."""
    rng = random.Random(seed)
    papers: list[Paper] = list(load_seed_corpus().papers) if include_seed else []
    taken = {p.arxiv_id for p in papers}
    months = [f"{y:02d}{m:02d}" for y in range(15, 26) for m in range(1, 13)]
    counters: dict[str, int] = {}
    i = 0
    target = len(papers) + n
    while len(papers) < target:
        yymm = months[i % len(months)]
        i += 1
        counters[yymm] = counters.get(yymm, 0) + 1
        arxiv_id = f"{yymm}.{90000 + counters[yymm]:05d}"  # 9xxxx: never clashes with the seed ids
        if arxiv_id in taken:
            continue
        taken.add(arxiv_id)
        a, a2 = rng.sample(_ADJ, 2)
        nn, t = rng.choice(_NOUN), rng.choice(_TASK)
        title = rng.choice(_TEMPLATES).format(a=a, a2=a2, n=nn, t=t)
        authors = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(rng.randint(1, 5))]
        year, month = 2000 + int(yymm[:2]), int(yymm[2:])
        day = rng.randint(1, 28)
        published = f"{year}-{month:02d}-{day:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"
        version = rng.choice((1, 1, 1, 2, 2, 3))
        updated = published if version == 1 else f"{year}-{month:02d}-{min(day + version, 28):02d}T12:00:00Z"
        cats = rng.sample(_CATS, rng.randint(1, 3))
        venue = rng.choice(_VENUES)
        has_doi = venue != "arXiv.org" and rng.random() < 0.6
        cites = int(rng.paretovariate(1.2) * 5)
        papers.append(
            Paper(
                arxiv_id=arxiv_id,
                version=version,
                title=title,
                authors=authors,
                summary=(
                    f"We study {nn.lower()} for {t.lower()}. Our {a.lower()} method improves over strong "
                    f"baselines on standard benchmarks. Synthetic fixture abstract {arxiv_id}."
                ),
                published=published,
                updated=updated,
                primary_category=cats[0],
                categories=cats,
                doi=f"10.99999/fixture.{arxiv_id}" if has_doi else None,
                journal_ref=f"{venue} {year}" if has_doi else None,
                comment=None,
                s2_paper_id=s2_id_for(arxiv_id),
                corpus_id=100_000_000 + len(papers),
                venue=venue,
                year=year,
                publication_date=published[:10],
                citation_count=cites,
                influential_citation_count=cites // 10,
                reference_count=rng.randint(5, 80),
            )
        )
    return Corpus(papers)
