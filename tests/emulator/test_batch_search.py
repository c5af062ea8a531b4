"""Batched title resolution against the emulator: arXiv ``search_query`` ORs of title phrases, S2 bulk search.

Loopback only, no wall-clock asserts. The S2 bulk pages are held to a real recorded cassette kept next to this
file (``recorded/s2/``, provenance in ``recorded/LICENSES.md``).
"""

from __future__ import annotations

import dataclasses
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml  # type: ignore[import-untyped]

from paper_catalogue_emulator import Emulator, arxiv_api, load_seed_corpus, s2_api, s2_query, synthetic_corpus
from paper_catalogue_emulator.papers import Corpus, Paper, raw_words, s2_id_for, words
from tests.emulator.polite_client import Client

RECORDED_BULK = Path(__file__).parent / "recorded" / "s2" / "test_search_paper_bulk_retrieval_traversing_results.yaml"
NS = {"a": "http://www.w3.org/2005/Atom", "os": "http://a9.com/-/spec/opensearch/1.1/"}
# the intervals of tests/conftest.py: short, but long enough that a too-early request is a real bug
ARXIV_INTERVAL_S = 0.1
S2_INTERVAL_S = 0.06
#: A busy machine delays the server's arrival stamp; back-to-back requests still arrive far inside this.
TOLERANCE_S = 0.01

SSL = "Semi-supervised Sequence Learning"
SSL_ID = "1511.01432"
ECHO_ID = "2501.99901"  # a paper that only mentions SSL's title in its abstract
SSL_GRAPHS_ID = "2101.09904"  # the seed's distractor: a longer title holding all of SSL's words


# -- corpora, emulators, a polite client ------------------------------------------------------------------
def _extra(base: Paper, arxiv_id: str, title: str, summary: str, corpus_id: int) -> Paper:
    return dataclasses.replace(  # new ids throughout (no DOI), so no lookup of the base paper changes
        base,
        arxiv_id=arxiv_id,
        title=title,
        summary=summary,
        doi=None,
        journal_ref=None,
        s2_paper_id=s2_id_for(arxiv_id),
        corpus_id=corpus_id,
    )


def mixed_corpus() -> Corpus:
    """The seed corpus plus a made-up paper that tells title matches from abstract matches."""
    seed = load_seed_corpus()
    base = seed.get_arxiv(SSL_ID)
    assert base is not None and base.title == SSL
    assert seed.get_arxiv(SSL_GRAPHS_ID).title == f"{SSL} with Graphs"
    echo = _extra(
        base,
        ECHO_ID,
        "A Retrospective on Recurrent Pretraining",
        f"We revisit {SSL} and the language model pretraining that followed it.",
        299_000_001,
    )
    return Corpus([*seed.papers, echo])


@pytest.fixture
def mixed() -> Iterator[Emulator]:
    with Emulator(
        corpus=mixed_corpus(), arxiv_interval_s=ARXIV_INTERVAL_S, s2_interval_s=S2_INTERVAL_S, tolerance_s=TOLERANCE_S
    ) as e:
        yield e


@pytest.fixture(scope="module")
def big_corpus() -> Corpus:
    return synthetic_corpus(2_500)  # > 2 bulk pages of 1000


@pytest.fixture
def big(big_corpus: Corpus) -> Iterator[Emulator]:
    with Emulator(
        corpus=big_corpus, arxiv_interval_s=ARXIV_INTERVAL_S, s2_interval_s=S2_INTERVAL_S, tolerance_s=TOLERANCE_S
    ) as e:
        yield e


def feed(r: requests.Response) -> ET.Element:
    return ET.fromstring(r.content)


def ids(root: ET.Element) -> list[str]:
    return [e.findtext("a:id", namespaces=NS).rsplit("/abs/", 1)[1].split("v")[0] for e in root.findall("a:entry", NS)]


def total(root: ET.Element) -> int:
    return int(root.findtext("os:totalResults", namespaces=NS))


def phrase(title: str) -> str:
    """A title as the pipeline sends it: its plain words, no punctuation that could break the syntax."""
    return " ".join(raw_words(title))


def title_or_query(titles: list[str]) -> str:
    return " OR ".join(f'ti:"{phrase(t)}"' for t in titles)


def expected_title_matches(corpus: Corpus, titles: list[str]) -> set[str]:
    """The documented rule, computed from the corpus: a phrase matches a title holding all its words, any order."""
    wanted = [set(words(t)) for t in titles]
    return {p.arxiv_id for p in corpus if any(w <= corpus.title_words[p._idx] for w in wanted)}


# -- arXiv search_query --------------------------------------------------------------------------------------
def test_arxiv_or_of_fifty_title_phrases_is_the_union_of_title_matches(mixed: Emulator):
    c = Client(mixed)
    seed = load_seed_corpus()
    titles = [p.title for p in seed.papers[:50]]
    r = c.arxiv(search_query=title_or_query(titles), max_results=200)
    assert r.status_code == 200
    root = feed(r)
    got = ids(root)
    want = expected_title_matches(mixed.corpus, titles)
    assert set(got) == want and len(got) == len(set(got)) == total(root)
    assert {p.arxiv_id for p in seed.papers[:50]} <= want
    assert SSL_GRAPHS_ID in got  # holds every word of SSL's title
    assert ECHO_ID not in got  # only its abstract mentions a title: ti: is title only
    assert root.findtext("a:title", namespaces=NS).startswith(f'arXiv Query: search_query=ti:"{phrase(titles[0])}" OR')
    # deterministic: the same query gives the same order
    assert ids(feed(c.arxiv(search_query=title_or_query(titles), max_results=200))) == got


def test_arxiv_phrase_words_any_order_and_field_prefixes(mixed: Emulator):
    c = Client(mixed)
    forward = ids(feed(c.arxiv(search_query='ti:"semi supervised sequence learning"', max_results=50)))
    backward = ids(feed(c.arxiv(search_query='ti:"learning sequence supervised semi"', max_results=50)))
    assert set(forward) == set(backward) == {SSL_ID, SSL_GRAPHS_ID}
    stemmed = ids(feed(c.arxiv(search_query='ti:"Semi-Supervised Sequences Learned"', max_results=50)))
    assert set(stemmed) == {SSL_ID, SSL_GRAPHS_ID}  # lower-cased, hyphen split, light stemming
    assert ECHO_ID in ids(feed(c.arxiv(search_query=f'abs:"{SSL}"', max_results=50)))
    # "retrospective" is in the echo paper's title only: abs: is the abstract only, ti: the title only
    assert ids(feed(c.arxiv(search_query="abs:retrospective", max_results=50))) == []
    assert ids(feed(c.arxiv(search_query="ti:retrospective", max_results=50))) == [ECHO_ID]
    everywhere = set(ids(feed(c.arxiv(search_query=f'all:"{SSL}"', max_results=50))))
    assert {SSL_ID, SSL_GRAPHS_ID, ECHO_ID} <= everywhere


def test_arxiv_andnot_and_parentheses(mixed: Emulator):
    c = Client(mixed)
    q = f'(ti:"{SSL}" OR ti:"retrospective recurrent") ANDNOT ti:graphs'
    assert set(ids(feed(c.arxiv(search_query=q, max_results=50)))) == {SSL_ID, ECHO_ID}
    q = f'all:"{SSL}" ANDNOT ti:"{SSL}"'
    assert ids(feed(c.arxiv(search_query=q, max_results=50))) == [ECHO_ID]
    q = f'ti:"{SSL}" ANDNOT (ti:graphs OR ti:retrospective)'
    assert ids(feed(c.arxiv(search_query=q, max_results=50))) == [SSL_ID]


def test_arxiv_or_query_pages_with_start_and_max_results(mixed: Emulator):
    c = Client(mixed)
    q = title_or_query([p.title for p in load_seed_corpus().papers[:50]])
    full = feed(c.arxiv(search_query=q, max_results=2000))  # 2000 a page is honoured
    n = total(full)
    assert n > 40 and len(ids(full)) == n
    paged: list[str] = []
    for start in range(0, n, 15):
        root = feed(c.arxiv(search_query=q, start=start, max_results=15))
        assert total(root) == n and int(root.findtext("os:startIndex", namespaces=NS)) == start
        paged += ids(root)
    assert paged == ids(full)
    assert ids(feed(c.arxiv(search_query=q, start=n, max_results=15))) == []
    r = c.arxiv(search_query=q, max_results=30001)
    assert r.status_code == 400 and feed(r).find("a:entry", NS).findtext("a:title", namespaces=NS) == "Error"


def test_arxiv_url_over_the_request_line_limit_is_414_and_post_is_not(emulator: Emulator):
    c = Client(emulator)
    limit = arxiv_api.MAX_REQUEST_LINE_BYTES

    def request_line(params: dict[str, str]) -> int:
        prepared = requests.Request("GET", emulator.arxiv_url, params=params).prepare()
        return len(f"GET {prepared.path_url} HTTP/1.1")

    base = {"search_query": "ti:bert OR all:", "max_results": "10"}
    pad = limit - request_line(base)
    at_limit = {**base, "search_query": base["search_query"] + "x" * pad}
    assert request_line(at_limit) == limit
    assert c.arxiv(**at_limit).status_code == 200
    over = {**base, "search_query": base["search_query"] + "x" * (pad + 1)}
    emulator.inject("arxiv", "500")  # a refused request must not use up a queued fault
    r = c.arxiv(**over)
    assert r.status_code == 414
    assert emulator.pending_faults()["arxiv"] == 1
    assert c.arxiv(id_list="1810.04805").status_code == 500
    # 700 ids in one GET: the documented 414 (642 ids got one); the same as POST is answered
    many = ",".join(f"2401.{i:05d}" for i in range(700))
    assert c.arxiv(id_list=many, max_results=700).status_code == 414
    r = c.arxiv("POST", id_list=many, max_results=700)
    assert r.status_code == 200 and total(feed(r)) == 0
    st = emulator.stats()["arxiv"]
    assert st["by_status"] == {"200": 2, "414": 2, "500": 1} and st["too_early"] == 0 and st["requests"] == 5


# -- S2 bulk search ---------------------------------------------------------------------------------------------
def test_s2_bulk_or_of_phrases_brings_back_abstract_only_mentions(mixed: Emulator):
    c = Client(mixed)
    bert = "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    r = c.bulk(query=f'"{phrase(SSL)}" | "{phrase(bert)}"', fields="title,externalIds")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    body = r.json()
    got = {d["externalIds"]["ArXiv"] for d in body["data"]}
    assert {SSL_ID, SSL_GRAPHS_ID, "1810.04805"} <= got
    assert ECHO_ID in got  # its title is another, but its abstract has the phrase: the real behaviour
    assert body["total"] == len(body["data"]) and body["token"] is None
    # a phrase is the words adjacent and in order (unlike arXiv's phrases)
    r = c.bulk(query='"learning sequence supervised semi"')
    assert r.json() == {"total": 0, "token": None, "data": []}
    # default operator AND over title + abstract; unquoted words need not be adjacent
    got = {d["paperId"] for d in c.bulk(query="retrospective semi-supervised").json()["data"]}
    assert got == {mixed.corpus.get_arxiv(ECHO_ID).s2_paper_id}


def test_s2_bulk_not_and_precedence(mixed: Emulator):
    c = Client(mixed)
    corpus = mixed.corpus

    def arxiv_ids(query: str) -> set[str]:
        r = c.bulk(query=query, fields="externalIds")
        assert r.status_code == 200, r.text
        return {d["externalIds"]["ArXiv"] for d in r.json()["data"]}

    assert arxiv_ids(f'"{phrase(SSL)}" -graphs') == {SSL_ID, ECHO_ID}
    assert arxiv_ids(f'"{phrase(SSL)}" -graphs -retrospective') == {SSL_ID}
    assert arxiv_ids(f'"{phrase(SSL)}" -(graphs | retrospective)') == {SSL_ID}
    assert arxiv_ids(f'"{phrase(SSL)}" + -"with graphs"') == {SSL_ID, ECHO_ID}
    # a negation alone: every paper without the word
    mentions = {p.arxiv_id for p in corpus if "sequence" in corpus.title_words[p._idx] | set(words(p.summary))}
    assert arxiv_ids("-sequence") == {p.arxiv_id for p in corpus} - mentions
    # left to right, no precedence: "graphs | retrospective recurrent" is (graphs | retrospective) + recurrent
    graphs, retro, recurrent = arxiv_ids("graphs"), arxiv_ids("retrospective"), arxiv_ids("recurrent")
    assert SSL_GRAPHS_ID in graphs - recurrent  # so the two readings differ
    assert arxiv_ids("graphs | retrospective recurrent") == (graphs | retro) & recurrent
    assert arxiv_ids("graphs | (retrospective recurrent)") == graphs | (retro & recurrent)
    # prefix; ~N accepted and ignored
    assert ECHO_ID in arxiv_ids("retrospect*") and arxiv_ids("retrospective~2") == {ECHO_ID}
    assert arxiv_ids(f'"{phrase(SSL)}"~3') == arxiv_ids(f'"{phrase(SSL)}"')


def test_s2_bulk_pages_of_1000_with_token(big: Emulator):
    c = Client(big)
    n = len(big.corpus)
    pages: list[dict[str, Any]] = []
    params: dict[str, str] = {"query": "synthetic fixture abstract", "fields": "title", "offset": "0", "limit": "100"}
    while True:
        r = c.bulk(**params)
        assert r.status_code == 200
        pages.append(r.json())
        if pages[-1]["token"] is None:
            break
        params["token"] = pages[-1]["token"]
        assert len(pages) < 10
    assert [len(p["data"]) for p in pages] == [1000, 1000, n - 2000]  # limit=100 ignored, as recorded
    assert all(p["total"] == n for p in pages)
    tokens = [p["token"] for p in pages[:-1]]
    assert len(set(tokens)) == len(tokens)  # "each call will return a new token"
    got = [d["paperId"] for p in pages for d in p["data"]]
    assert got == sorted(p.s2_paper_id for p in big.corpus)  # default sort paperId:asc, no duplicates
    # a token is bound to its query and sort
    r = c.bulk(query="synthetic", token=tokens[0])
    assert r.status_code == 400 and r.json() == {"error": "Invalid token"}
    assert c.bulk(query="synthetic fixture abstract", token="not-a-token!").status_code == 400


def test_s2_bulk_sort_orders(big: Emulator):
    c = Client(big)
    corpus = big.corpus
    q = "synthetic -(bayesian | sparse)"
    hits = s2_query.match(corpus, s2_query.parse(q))
    assert 2000 < len(hits) < len(corpus)  # three pages, not everything
    by_id = {p.s2_paper_id: p for p in corpus}

    def walk(sort: str) -> list[str]:
        out: list[str] = []
        params = {"query": q, "sort": sort, "fields": "citationCount,publicationDate"}
        while True:
            body = c.bulk(**params).json()
            out += [d["paperId"] for d in body["data"]]
            if body["token"] is None:
                return out
            params["token"] = body["token"]

    desc = walk("citationCount:desc")
    assert desc == sorted(desc, key=lambda i: (by_id[i].citation_count, i), reverse=True)  # ties by id, desc too
    asc = walk("citationCount")  # the order defaults to asc
    assert asc == list(reversed(desc)) and len(asc) == len(hits)
    dates = walk("publicationDate:asc")
    assert dates == sorted(dates, key=lambda i: (by_id[i].publication_date, i))
    assert walk("paperId:desc") == sorted(asc, reverse=True)
    for bad in ("year", "citationCount:up", "title:asc"):
        r = c.bulk(query=q, sort=bad)
        assert r.status_code == 400 and r.json() == {"error": f"Unacceptable query params: [sort={bad}]"}


def test_s2_bulk_fields_projection_and_errors(mixed: Emulator):
    c = Client(mixed)
    p = mixed.corpus.get_arxiv(SSL_ID)
    q = f'"{phrase(SSL)}" -graphs -retrospective'
    (item,) = c.bulk(query=q).json()["data"]
    assert item == {"paperId": p.s2_paper_id, "title": p.title}  # no fields: paperId and title
    (item,) = c.bulk(query=q, fields="year,externalIds,authors").json()["data"]
    assert item == s2_api.project(p, s2_api.parse_fields("year,externalIds,authors"))
    assert c.s2(f"/paper/{p.s2_paper_id}", fields="year,externalIds,authors").json() == item  # same projection
    r = c.bulk(query=q, fields="title,citations.title")
    assert r.status_code == 400 and r.json() == {"error": "Unrecognized or unsupported fields: [citations]"}
    r = c.bulk(query=q, fields="bogus")
    assert r.status_code == 400 and r.json() == {"error": "Unrecognized or unsupported fields: [bogus]"}
    r = c.bulk(fields="title")
    assert r.status_code == 400 and r.json() == {"error": "Missing required parameter: 'query'"}
    everything = c.bulk(query="").json()  # an empty query matches every paper (S2 calls it optional)
    assert everything["total"] == len(mixed.corpus)
    assert c.s2("/paper/search/bulk/").status_code == 400  # routed (trailing slash too), not a paper id


def test_s2_bulk_response_keys_match_the_recorded_pages(big: Emulator):
    interactions = yaml.safe_load(RECORDED_BULK.read_text(encoding="utf-8"))["interactions"]
    recorded = [json.loads(i["response"]["content"]) for i in interactions]
    assert [list(p) for p in recorded] == [["total", "token", "data"]] * 3
    assert [len(p["data"]) for p in recorded] == [1000, 1000, 674] and recorded[-1]["token"] is None
    assert all("limit=100" in i["request"]["uri"] for i in interactions)  # sent, and ignored by the service
    c = Client(big)
    q = "synthetic fixture abstract"
    first = c.bulk(query=q, offset=0, limit=100).json()
    second = c.bulk(query=q, token=first["token"], offset=100, limit=100).json()
    last = c.bulk(query=q, token=second["token"], offset=100, limit=100).json()
    for ours, theirs in zip((first, second, last), recorded, strict=True):
        assert list(ours) == list(theirs)
        assert set(ours["data"][0]) == set(theirs["data"][0]) == {"paperId", "title"}
        assert (ours["token"] is None) == (theirs["token"] is None)
    assert isinstance(first["token"], str) and first["token"].isalnum() and first["token"].isupper()


def test_s2_bulk_rate_limit_counted_like_other_endpoints(mixed: Emulator):
    s = requests.Session()
    url = mixed.s2_url + "/paper/search/bulk"
    assert s.get(url, params={"query": "bert"}).status_code == 200
    r = s.get(url, params={"query": "bert"})  # back to back: too early
    assert r.status_code == 429 and r.json() == s2_api.TOO_MANY and "Retry-After" not in r.headers
    st = mixed.stats()["s2"]
    assert st["too_early"] == 1 and st["by_endpoint"] == {"bulk": 2} and st["by_status"] == {"200": 1, "429": 1}
    assert st["ids_requested"] == 0
    time.sleep(S2_INTERVAL_S + 0.01)
    assert s.get(url, params={"query": "bert"}).status_code == 200
    st = mixed.stats()["s2"]
    assert st["too_early"] == 1 and st["requests"] == 3


def test_s2_bulk_fault_injection(mixed: Emulator):
    c = Client(mixed)
    q = f'"{phrase(SSL)}"'
    mixed.inject("s2", "503", endpoint="bulk")
    assert c.s2("/paper/search/match", query=SSL).status_code == 200  # another endpoint: not its fault
    r = c.bulk(query=q)
    assert r.status_code == 503 and r.json() == {"message": "Service Unavailable"}
    mixed.inject("s2", "429", endpoint="bulk")
    assert c.bulk(query=q).status_code == 429
    mixed.inject("s2", "empty_page", endpoint="bulk")
    body = c.bulk(query=q).json()
    assert body["data"] == [] and body["total"] == 3 and list(body) == ["total", "token", "data"]
    mixed.inject("s2", "truncated", endpoint="bulk")
    with pytest.raises(ValueError):
        c.bulk(query=q).json()
    mixed.inject("s2", "s2_error_body", endpoint="bulk")
    r = c.bulk(query=q)
    assert r.status_code == 200 and "error" in r.json()
    mixed.inject("s2", "reset", endpoint="bulk")
    with pytest.raises(requests.ConnectionError):
        c.bulk(query=q)
    assert c.bulk(query=q).json()["total"] == 3 and mixed.pending_faults()["s2"] == 0
    st = mixed.stats()["s2"]
    assert st["by_endpoint"] == {"match": 1, "bulk": 7}
    assert st["by_status"] == {"200": 5, "503": 1, "429": 1, "reset": 1} and st["too_early"] == 0


def test_s2_bulk_url_over_cloudfront_limit_is_414(mixed: Emulator):
    c = Client(mixed)
    short_q = " | ".join(f'"{phrase(p.title)}"' for p in mixed.corpus.papers[:50])

    def url_bytes(query: str) -> int:
        prepared = requests.Request("GET", mixed.s2_url + "/paper/search/bulk", params={"query": query}).prepare()
        return len(s2_api.PUBLIC_ORIGIN) + len(prepared.path_url)  # the URL as it would reach CloudFront

    r = c.bulk(query=short_q)  # fifty titles fit
    assert r.status_code == 200 and r.json()["total"] >= 50
    pad = s2_api.MAX_URL_BYTES - url_bytes(short_q + " | ")
    at_limit = short_q + " | " + "x" * pad
    assert url_bytes(at_limit) == s2_api.MAX_URL_BYTES
    assert c.bulk(query=at_limit).status_code == 200
    mixed.inject("s2", "500", endpoint="bulk")
    r = c.bulk(query=at_limit + "x")
    assert r.status_code == 414 and mixed.pending_faults()["s2"] == 1  # refused before any fault applies
    assert c.bulk(query=short_q).status_code == 500
    st = mixed.stats()["s2"]
    assert st["by_status"] == {"200": 2, "414": 1, "500": 1} and st["by_endpoint"] == {"bulk": 4}


# -- the S2 query language on its own (pure) ---------------------------------------------------------------------
def test_s2_query_parse_rules():
    W = s2_query.Word  # noqa: N806
    assert s2_query.parse("fish ladder") == s2_query.Bool("AND", (W("fish"), W("ladder")))
    assert s2_query.parse("fish + ladder") == s2_query.parse("fish ladder")
    assert s2_query.parse("(fish ladder) | outflow") == s2_query.Bool(
        "OR", (s2_query.Bool("AND", (W("fish"), W("ladder"))), W("outflow"))
    )
    assert s2_query.parse('"fish ladders"~3') == s2_query.Phrase(("fish", "ladder"))
    assert s2_query.parse("fish~2") == W("fish")
    assert s2_query.parse("Trans*") == W("trans", prefix=True)
    assert s2_query.parse("-a") == s2_query.Not(W("a"))
    # fifty OR-ed phrases stay one flat node
    node = s2_query.parse(" | ".join(f'"w{i} x"' for i in range(50)))
    assert isinstance(node, s2_query.Bool) and node.op == "OR" and len(node.parts) == 50
    # lenient: unbalanced parts are dropped, never an error
    assert s2_query.parse("((fish") == W("fish")
    assert s2_query.parse("fish) ladder") == s2_query.parse("fish ladder")
    assert s2_query.parse('"fish ladder') == s2_query.parse("fish ladder")
    assert s2_query.parse("") is None and s2_query.parse("  ") is None
    assert s2_query.parse(r"a\|b") == s2_query.Bool("AND", (W("a"), W("b")))  # escaped: a word, not OR
