"""The query language of S2 ``GET /paper/search/bulk``: parse a query, then match it against the corpus.

Documented syntax [S2-OAS, api-facts §2.6]: ``+`` AND, ``|`` OR, ``-`` negates a term, ``"…"`` a phrase, ``*`` at
the end of a word a prefix, ``(`` ``)`` precedence, ``~N`` fuzziness (after a word) or slop (after a phrase). Terms
are "stemmed English" and matched against the paper's **title and abstract**; by default every term must be
present (AND).

The syntax is Lucene's SimpleQueryParser (Elasticsearch ``simple_query_string``), so its rules fill the gaps the S2
page leaves open:

* operators apply **left to right, without precedence**: ``a | b c`` is ``(a | b) + c``, and
  ``fish ladder | outflow`` is ``(fish + ladder) | outflow`` (the S2 page's own example);
* ``-`` negates the next word, phrase or group; a negation standing alone (``-ladder``, ``a | -b``) means "every
  paper without it", as Elasticsearch answers a purely negative query;
* a phrase is the words **adjacent and in order**, inside one field (title or abstract), unlike arXiv's phrases;
* a word that analyses into several (``semi-supervised``) needs all of them (AND);
* a prefix is not stemmed (Lucene does not analyse prefix queries), only lower-cased;
* nothing is a syntax error: unbalanced parentheses or quotes are dropped, as simple_query_string "discards invalid
  parts of the query"; a backslash escapes the next character.

``~N`` is **accepted and ignored** (a fuzzy word matches exactly, a sloppy phrase as an exact phrase): the fixture
corpus has no typos to be fuzzy about, and ignoring it can only return fewer papers than the real service.
An empty query (nothing left after parsing) matches every paper: S2 documents the query as optional.
"""

from __future__ import annotations

from dataclasses import dataclass

from paper_catalogue_emulator.papers import Corpus, raw_words, words

_STOP = frozenset(' \t\r\n"|+()')  # characters that end a word (Lucene's tokenFinished set)


@dataclass(frozen=True)
class Word:
    """One normalised word; ``prefix`` words match every indexed word that starts with them."""

    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class Bool:
    op: str  # "AND" | "OR"
    parts: tuple[Node, ...]


Node = Word | Phrase | Not | Bool


class _Group:
    """One parenthesis level while parsing: the clause so far, the pending operator and negation."""

    def __init__(self) -> None:
        self.node: Node | None = None
        self.op = "AND"
        self.negate = False

    def add(self, q: Node | None) -> None:
        if q is None:  # a word that analysed to nothing: its operators go with it
            self.op, self.negate = "AND", False
            return
        if self.negate:
            q = Not(q)
        self.node = q if self.node is None else _combine(self.node, self.op, q)
        self.op, self.negate = "AND", False


def _combine(left: Node, op: str, right: Node) -> Node:
    """Left to right: a run of one operator stays one flat Bool (50 OR-ed titles make one node, not 50 levels)."""
    if isinstance(left, Bool) and left.op == op:
        return Bool(op, (*left.parts, right))
    return Bool(op, (left, right))


def _all_of(ws: list[str], prefix_last: bool = False) -> Node | None:
    if not ws:
        return None
    nodes: list[Node] = [Word(w) for w in ws[:-1]]
    nodes.append(Word(ws[-1], prefix=prefix_last))
    return nodes[0] if len(nodes) == 1 else Bool("AND", tuple(nodes))


def _word(token: str) -> Node | None:
    """A bare word: ``~N`` dropped, ``*`` makes the (unstemmed) last word a prefix."""
    if "~" in token:
        token = token[: token.index("~")]
    if token.endswith("*"):
        return _all_of(raw_words(token[:-1]), prefix_last=True)
    return _all_of(words(token))


def _phrase(text: str) -> Node | None:
    ws = words(text.replace("*", " "))
    if len(ws) <= 1:
        return _all_of(ws)
    return Phrase(tuple(ws))


def _skip_tilde(q: str, i: int) -> int:
    """Past a ``~N`` that follows a phrase (slop: accepted, ignored)."""
    if i < len(q) and q[i] == "~":
        i += 1
        while i < len(q) and q[i].isdigit():
            i += 1
    return i


def parse(q: str) -> Node | None:
    """The query as a tree, or None when nothing is left (which matches every paper)."""
    stack = [_Group()]
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        top = stack[-1]
        if c.isspace():
            i += 1
        elif c == "+":
            top.op = "AND"
            i += 1
        elif c == "|":
            top.op = "OR"
            i += 1
        elif c == "-":
            top.negate = not top.negate
            i += 1
        elif c == "(":
            stack.append(_Group())
            i += 1
        elif c == ")":
            if len(stack) > 1:  # a stray ")" is discarded
                done = stack.pop()
                stack[-1].add(done.node)
            i += 1
        elif c == '"':
            end = q.find('"', i + 1)
            if end < 0:  # an unclosed quote is discarded; the rest reads as words
                i += 1
                continue
            top.add(_phrase(q[i + 1 : end]))
            i = _skip_tilde(q, end + 1)
        else:
            buf: list[str] = []
            while i < n and q[i] not in _STOP:
                if q[i] == "\\" and i + 1 < n:
                    buf.append(q[i + 1])
                    i += 2
                else:
                    buf.append(q[i])
                    i += 1
            top.add(_word("".join(buf)))
    while len(stack) > 1:  # unclosed "(": closed at the end
        done = stack.pop()
        stack[-1].add(done.node)
    return stack[0].node


# -- matching -------------------------------------------------------------------------------------------
def _postings(corpus: Corpus, w: Word) -> set[int]:
    ti, ab = corpus.index["ti"], corpus.index["abs"]
    if not w.prefix:
        return ti.get(w.text, set()) | ab.get(w.text, set())
    hits: set[int] = set()
    for post in (ti, ab):
        for k, s in post.items():
            if k.startswith(w.text):
                hits |= s
    return hits


def _contains_run(tokens: list[str], run: tuple[str, ...]) -> bool:
    k = len(run)
    return any(tuple(tokens[j : j + k]) == run for j in range(len(tokens) - k + 1))


def _phrase_hits(corpus: Corpus, ph: Phrase) -> set[int]:
    """Papers whose title, or whose abstract, has the words adjacent and in order."""
    out: set[int] = set()
    for field in ("ti", "abs"):
        post = corpus.index[field]
        cands: set[int] | None = None
        for w in ph.words:
            s = post.get(w, set())
            cands = set(s) if cands is None else cands & s
            if not cands:
                break
        for i in cands or ():
            p = corpus.papers[i]
            if i not in out and _contains_run(words(p.title if field == "ti" else p.summary), ph.words):
                out.add(i)
    return out


def match(corpus: Corpus, node: Node | None) -> set[int]:
    """Indexes of the papers the query matches (papers in corpus order are ``corpus.papers[i]``)."""
    if node is None:
        return set(range(len(corpus)))
    if isinstance(node, Word):
        return _postings(corpus, node)
    if isinstance(node, Phrase):
        return _phrase_hits(corpus, node)
    if isinstance(node, Not):
        return set(range(len(corpus))) - match(corpus, node.node)
    if node.op == "OR":
        out: set[int] = set()
        for part in node.parts:
            out |= match(corpus, part)
        return out
    # AND: intersect the positive parts, then take the negated ones away (no complement of the corpus needed)
    positive = [p for p in node.parts if not isinstance(p, Not)]
    negative = [p.node for p in node.parts if isinstance(p, Not)]
    result = set(range(len(corpus))) if not positive else match(corpus, positive[0])
    for part in positive[1:]:
        if not result:
            return result
        result &= match(corpus, part)
    for part in negative:
        result -= match(corpus, part)
    return result
