"""arXiv legacy query API (``/api/query``): id_list, search_query semantics and the 2026 Atom feed format."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from paper_catalogue_emulator.papers import Corpus, Paper, raw_words, words

ATOM_CT = "application/atom+xml; charset=utf-8"

NEW_ID = re.compile(r"^(\d{4}\.\d{4,5})(?:v(\d+))?$")
OLD_ID = re.compile(r"^([a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7})(?:v(\d+))?$")

FEED_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" '
    'xmlns="http://www.w3.org/2005/Atom">\n'
)

KNOWN_PREFIXES = ("ti", "abs", "au", "all", "cat", "co", "jr", "rn", "id")

#: The longest request line (``GET <path>?<query> HTTP/1.1``) answered; longer ones get HTTP 414. ASSUMPTION: the
#: only documented fact is that one GET with 642 ids got a 414 [api-facts §1.4, lukasschwab/arxiv.py#15]. 8190
#: bytes is the default request-line limit of common front-end servers (Apache's LimitRequestLine; nginx's 8k
#: header buffers), and is consistent with that report: 642 new-style ids joined by ``%2C`` (as arxiv.py encodes
#: them) are about 8,300 bytes. POST parameters travel in the body and are not limited.
MAX_REQUEST_LINE_BYTES = 8190

#: relevance weights per field, also the fields ``all:`` spans
WEIGHTS = {"ti": 3.0, "au": 2.0, "abs": 1.0, "co": 0.5, "jr": 0.5, "cat": 0.5}


class ArxivError(Exception):
    """Answered as HTTP 400 with an Atom error feed."""


def now_z() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def error_feed(message: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9.\-]+", "_", message).strip("_")
    url = f"https://arxiv.org/api/errors#{slug}"
    ts = now_z()
    return (
        FEED_HEAD + "  <id>https://arxiv.org/</id>\n"
        "  <title>arXiv Search Results</title>\n"
        f"  <updated>{ts}</updated>\n"
        "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
        "  <opensearch:totalResults>1</opensearch:totalResults>\n"
        "  <opensearch:startIndex>0</opensearch:startIndex>\n"
        "  <entry>\n"
        f"    <id>{escape(url)}</id>\n"
        "    <title>Error</title>\n"
        f"    <updated>{ts}</updated>\n"
        f'    <link href={quoteattr(url)} rel="alternate" type="text/html"/>\n'
        f"    <summary>{escape(message)}</summary>\n"
        "    <author>\n"
        "      <name>arXiv api core</name>\n"
        "    </author>\n"
        "  </entry>\n"
        "</feed>\n"
    )


# -- search_query parsing -------------------------------------------------------------------------
@dataclass
class Term:
    field: str
    value: str
    quoted: bool

    def render(self) -> str:
        return f'{self.field}:"{self.value}"' if self.quoted else f"{self.field}:{self.value}"


@dataclass
class BinOp:
    op: str  # "AND" | "OR" | "ANDNOT"
    left: object
    right: object

    def render(self) -> str:
        # Iterative along the left spine: ``p1 OR p2 OR … OR pN`` is N levels deep, and a batch of many
        # phrases (a POST body has no length limit) must not meet Python's recursion limit.
        first, chain = _spine(self)
        below, s = first, first.render()  # type: ignore[attr-defined]
        for b in chain:
            s = f"{_wrap(s, below, b, False)} {b.op} {_wrap(b.right.render(), b.right, b, True)}"  # type: ignore[attr-defined]
            below = b
        return s


def _spine(node: BinOp) -> tuple[object, list[BinOp]]:
    """The left-most operand under ``node`` and the BinOps above it, bottom first."""
    chain: list[BinOp] = []
    cur: object = node
    while isinstance(cur, BinOp):
        chain.append(cur)
        cur = cur.left
    chain.reverse()
    return cur, chain


def _wrap(s: str, child: object, parent: BinOp, right: bool) -> str:
    """Parenthesise a rendered operand where precedence needs it (OR 0, AND/ANDNOT 1; AND-family is left-assoc)."""
    if isinstance(child, BinOp):
        pc, pp = (child.op != "OR"), (parent.op != "OR")
        if pc < pp or (right and pc == pp and parent.op != "OR"):
            return f"({s})"
    return s


def _lex(q: str) -> list[tuple]:
    toks: list[tuple] = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
            continue
        if c in "()":
            toks.append(("LP",) if c == "(" else ("RP",))
            i += 1
            continue
        # read one word; a quoted section is read through its closing quote
        j = i
        buf = []
        while j < n and not q[j].isspace() and q[j] not in "()":
            if q[j] == '"':
                k = q.find('"', j + 1)
                if k < 0:
                    raise ArxivError(f"Invalid query string: unbalanced quotes in '{q}'")
                buf.append(q[j : k + 1])
                j = k + 1
            else:
                buf.append(q[j])
                j += 1
        word = "".join(buf)
        i = j
        if word in ("AND", "OR", "ANDNOT"):
            toks.append(("OP", word))
            continue
        m = re.match(r"^([A-Za-z]+):(.*)$", word, re.S)
        field, value = None, word
        if m and m.group(1).lower() in KNOWN_PREFIXES:
            field, value = m.group(1).lower(), m.group(2)
            if value == "" and i < n and q[i] == "(":
                toks.append(("GROUP", field))
                i += 1
                continue
        quoted = len(value) >= 2 and value.startswith('"') and value.endswith('"')
        value = value[1:-1] if quoted else value.replace('"', "")
        toks.append(("TERM", field, value, quoted))
    return toks


class _Parser:
    def __init__(self, q: str) -> None:
        self.q = q
        self.toks = _lex(q)
        self.pos = 0

    def peek(self) -> tuple | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> tuple:
        t = self.toks[self.pos]
        self.pos += 1
        return t

    def fail(self, why: str) -> ArxivError:
        return ArxivError(f"Invalid query string: {why} in '{self.q}'")

    def parse(self) -> object:
        if not self.toks:
            raise self.fail("empty query")
        node = self.parse_or("all")
        extra = self.peek()
        if extra is not None:
            raise self.fail("unbalanced parentheses" if extra[0] == "RP" else "unexpected token")
        return node

    def parse_or(self, default: str) -> object:
        left = self.parse_and(default)
        while True:
            t = self.peek()
            if t is None or t[0] == "RP":
                return left
            if t[0] == "OP" and t[1] == "OR":
                self.take()
            elif t[0] == "OP":
                raise self.fail("unexpected operator")
            # whitespace between terms means OR
            left = BinOp("OR", left, self.parse_and(default))

    def parse_and(self, default: str) -> object:
        left = self.parse_unary(default)
        while (t := self.peek()) is not None and t[0] == "OP" and t[1] in ("AND", "ANDNOT"):
            self.take()
            left = BinOp(t[1], left, self.parse_unary(default))
        return left

    def parse_unary(self, default: str) -> object:
        t = self.peek()
        if t is None:
            raise self.fail("missing term")
        if t[0] in ("LP", "GROUP"):
            self.take()
            node = self.parse_or(t[1] if t[0] == "GROUP" else default)
            closing = self.peek()
            if closing is None or closing[0] != "RP":
                raise self.fail("unbalanced parentheses")
            self.take()
            return node
        if t[0] == "TERM":
            self.take()
            return Term(t[1] or default, t[2], t[3])
        if t[0] == "RP":
            raise self.fail("unbalanced parentheses")
        raise self.fail("unexpected operator")


def parse_query(q: str) -> object:
    return _Parser(q).parse()


def _term_scores(corpus: Corpus, term: Term) -> dict[int, float]:
    field = term.field
    if field == "id":
        p = corpus.get_arxiv(re.sub(r"v\d+$", "", term.value.strip()))
        return {p._idx: 1.0} if p else {}
    if field == "rn":
        return {}
    if field == "cat":
        v = term.value.strip().lower()
        post = corpus.index["cat"]
        if v.endswith("*"):
            hits: set[int] = set()
            for k, s in post.items():
                if k.startswith(v[:-1]):
                    hits |= s
        else:
            hits = post.get(v, set())
        return {i: WEIGHTS["cat"] for i in hits}
    stemmed = words(term.value.replace("*", ""))
    raw = raw_words(term.value.replace("*", ""))
    if not stemmed:
        return {}
    result: dict[int, float] | None = None
    for w, rw in zip(stemmed, raw, strict=False):
        scores: dict[int, float] = {}
        fields = WEIGHTS if field == "all" else {field: WEIGHTS[field]}
        for f, wt in fields.items():
            if f == "cat":
                continue
            for i in corpus.index[f].get(rw if f == "au" else w, ()):
                scores[i] = scores.get(i, 0.0) + wt
        # every word must be present (a quoted phrase is AND over its words, in any order)
        result = scores if result is None else {i: s + scores[i] for i, s in result.items() if i in scores}
        if not result:
            return {}
    return result or {}


def evaluate(corpus: Corpus, node: object) -> dict[int, float]:
    """Paper index -> relevance score. Walks a left-deep chain (``t1 OR t2 OR …``) in a loop, not by recursion,
    and unions in place, so a batch of ~50 (or 5,000) OR-ed phrases costs one pass over their postings."""
    if isinstance(node, Term):
        return _term_scores(corpus, node)
    assert isinstance(node, BinOp)
    first, chain = _spine(node)
    acc = evaluate(corpus, first)  # a Term: a fresh dict, so the ORs below may add into it
    for b in chain:
        right = evaluate(corpus, b.right)
        if b.op == "OR":
            for i, s in right.items():
                acc[i] = acc.get(i, 0.0) + s
        elif b.op == "AND":
            acc = {i: s + right[i] for i, s in acc.items() if i in right}
        else:
            acc = {i: s for i, s in acc.items() if i not in right}
    return acc


# -- request handling ---------------------------------------------------------------------------------
@dataclass
class ArxivAnswer:
    status: int
    body: str
    ids_requested: int = 0
    entries_dropped: bool = False


def _int_param(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name, "")
    if raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ArxivError(f"{name} must be an integer") from None


def _version_dates(p: Paper, v: int) -> str:
    if v >= p.version:
        return p.updated
    if v == 1:
        return p.published
    # intermediate versions: a made-up date between published and updated
    return p.published[:8] + f"{min(28, int(p.published[8:10]) + v):02d}" + p.published[10:]


def render_entry(p: Paper, v: int) -> str:
    vid = f"{p.arxiv_id}v{v}"
    out = [
        "  <entry>\n",
        f"    <id>http://arxiv.org/abs/{vid}</id>\n",
        f"    <title>{escape(p.title)}</title>\n",
        f"    <updated>{_version_dates(p, v)}</updated>\n",
        f'    <link href="https://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>\n',
        f'    <link href="https://arxiv.org/pdf/{vid}" rel="related" type="application/pdf" title="pdf"/>\n',
        f"    <summary>{escape(p.summary)}</summary>\n",
    ]
    out += [f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>\n' for c in p.categories]
    out.append(f"    <published>{p.published}</published>\n")
    if p.comment:
        out.append(f"    <arxiv:comment>{escape(p.comment)}</arxiv:comment>\n")
    out.append(f"    <arxiv:primary_category term={quoteattr(p.primary_category)}/>\n")
    if p.journal_ref:
        out.append(f"    <arxiv:journal_ref>{escape(p.journal_ref)}</arxiv:journal_ref>\n")
    for a in p.authors:
        out.append(f"    <author>\n      <name>{escape(a)}</name>\n    </author>\n")
    if p.doi:
        out.append(f"    <arxiv:doi>{escape(p.doi)}</arxiv:doi>\n")
        out.append(f'    <link rel="related" href={quoteattr("https://doi.org/" + p.doi)} title="doi"/>\n')
    out.append("  </entry>\n")
    return "".join(out)


def render_feed(
    query_echo: str,
    id_list_raw: str,
    start: int,
    max_results: int,
    total: int,
    entries: list[tuple[Paper, int]],
) -> str:
    paging = f"start={start}&max_results={max_results}"
    title = f"arXiv Query: search_query={query_echo}&id_list={id_list_raw}&{paging}"
    feed_hash = base64.b64encode(hashlib.sha1(title.encode()).digest()).decode().rstrip("=")
    q_url = quote(query_echo, safe=":/,()*+-.")
    link = (
        f"https://arxiv.org/api/query?search_query={q_url}&start={start}&max_results={max_results}"
        f"&id_list={quote(id_list_raw, safe=',/.')}"
    )
    head = (
        FEED_HEAD + f"  <id>https://arxiv.org/api/{feed_hash}</id>\n"
        f"  <title>{escape(title)}</title>\n"
        f"  <updated>{now_z()}</updated>\n"
        f'  <link href={quoteattr(link)} type="application/atom+xml"/>\n'
        f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
    )
    return head + "".join(render_entry(p, v) for p, v in entries) + "</feed>\n"


def handle_query(corpus: Corpus, params: dict[str, str], empty_page: bool = False) -> ArxivAnswer:
    """Answer one /api/query request (params already merged from query string and form body)."""
    id_list_raw = params.get("id_list", "").strip()
    ids = [s.strip() for s in id_list_raw.split(",") if s.strip()]
    n_ids = len(ids)
    try:
        start = _int_param(params, "start", 0)
        max_results = _int_param(params, "max_results", 10)
        if start < 0:
            raise ArxivError("start must be non-negative")
        if max_results < 0:
            raise ArxivError("max_results must be non-negative")
        if max_results > 30000:
            raise ArxivError("max_results must be less than or equal to 30000")
        if max_results > 2000:
            raise ArxivError("max_results must be less than or equal to 2000 per request; page with start")
        parsed: list[tuple[str, int | None]] = []
        for raw in ids:
            m = NEW_ID.match(raw) or OLD_ID.match(raw)
            if not m:
                raise ArxivError(f"incorrect id format for {raw}")
            parsed.append((m.group(1), int(m.group(2)) if m.group(2) else None))
        sq = params.get("search_query", "").strip()
        node = parse_query(sq) if sq else None
    except ArxivError as e:
        return ArxivAnswer(400, error_feed(str(e)), n_ids)

    sort_by = params.get("sortBy", "relevance")
    descending = params.get("sortOrder", "descending") != "ascending"
    hits: list[tuple[Paper, int]] = []
    if node is not None:
        scores = evaluate(corpus, node)
        if parsed:  # combined: id_list filters the search (base ids only, like the real service)
            allowed = {base for base, v in parsed if v is None}
            scores = {i: s for i, s in scores.items() if corpus.papers[i].arxiv_id in allowed}
        papers = corpus.papers
        if sort_by == "submittedDate":
            order = sorted(scores, key=lambda i: (papers[i].published, papers[i].arxiv_id), reverse=descending)
        elif sort_by == "lastUpdatedDate":
            order = sorted(scores, key=lambda i: (papers[i].updated, papers[i].arxiv_id), reverse=descending)
        else:
            order = sorted(scores, key=lambda i: (-scores[i], papers[i].arxiv_id))
            if not descending:
                order.reverse()
        hits = [(papers[i], papers[i].version) for i in order]
        echo = node.render()  # type: ignore[attr-defined]
    else:
        seen: set[tuple[str, int | None]] = set()
        for base, v in parsed:
            if (base, v) in seen:
                continue
            seen.add((base, v))
            p = corpus.get_arxiv(base)
            if p is None or (v is not None and not 1 <= v <= p.version):
                continue
            hits.append((p, v or p.version))
        echo = ""
    page = [] if empty_page else hits[start : start + max_results]
    return ArxivAnswer(200, render_feed(echo, id_list_raw, start, max_results, len(hits), page), n_ids)
