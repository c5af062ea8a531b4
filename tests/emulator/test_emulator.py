"""The loopback emulator against the real recordings and the APIs' documented behaviour (loopback only)."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests

from paper_catalogue_emulator import Emulator, load_seed_corpus, synthetic_corpus
from paper_catalogue_emulator.papers import Corpus, words
from tests.emulator.polite_client import Client

ROOT = Path(__file__).resolve().parents[2]
#: The emulator's command line, as the Makefile runs it.
EMULATOR = [sys.executable, "-m", "paper_catalogue_emulator"]
RECORDED = ROOT / "tests" / "fixtures" / "recorded"
NS = {
    "a": "http://www.w3.org/2005/Atom",
    "os": "http://a9.com/-/spec/opensearch/1.1/",
    "arxiv": "http://arxiv.org/schemas/atom",
}
ARXIV_INTERVAL_S = 0.1
S2_INTERVAL_S = 0.06
#: A busy machine delays the server's arrival stamp; back-to-back requests still arrive far inside this.
TOLERANCE_S = 0.01


@pytest.fixture
def emu():
    with Emulator(
        corpus=load_seed_corpus(),
        arxiv_interval_s=ARXIV_INTERVAL_S,
        s2_interval_s=S2_INTERVAL_S,
        tolerance_s=TOLERANCE_S,
    ) as e:
        yield e


@pytest.fixture
def client(emu: Emulator) -> Client:
    return Client(emu)


def feed(resp: requests.Response) -> ET.Element:
    return ET.fromstring(resp.content)


def entries(root: ET.Element) -> list[ET.Element]:
    return root.findall("a:entry", NS)


def entry_ids(root: ET.Element) -> list[str]:
    return [e.findtext("a:id", namespaces=NS).rsplit("/abs/", 1)[1] for e in entries(root)]


def total(root: ET.Element) -> int:
    return int(root.findtext("os:totalResults", namespaces=NS))


def recorded_arxiv(prefix: str) -> tuple[dict, str]:
    path = next(RECORDED.joinpath("arxiv").glob(prefix + "*.json"))
    rec = json.loads(path.read_text(encoding="utf-8"))
    return rec, rec["body"].encode("latin-1").decode("utf-8")


# -- corpus ---------------------------------------------------------------------------------------
def test_seed_corpus_is_labelled_fixture_and_complete():
    raw = json.loads((ROOT / "paper_catalogue_emulator" / "corpus" / "seed.json").read_text(encoding="utf-8"))
    assert raw["_notice"].startswith("FIXTURE DATA")
    c = load_seed_corpus()
    assert len(c) >= 50
    bert = c.get_arxiv("1810.04805")
    assert bert.title == "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    for p in c:
        assert len(p.s2_paper_id) == 40 and all(ch in "0123456789abcdef" for ch in p.s2_paper_id)
        assert p.version >= 1 and p.published.endswith("Z") and len(p.publication_date) == 10
    assert len({p.corpus_id for p in c}) == len(c)


def test_synthetic_corpus_is_deterministic():
    a, b = synthetic_corpus(300, seed=3), synthetic_corpus(300, seed=3)
    assert [p.to_dict() for p in a] == [p.to_dict() for p in b]
    assert [p.title for p in synthetic_corpus(300, seed=4)] != [p.title for p in a]
    ids = [p.arxiv_id for p in a]
    assert len(set(ids)) == 300 and all(len(i) == 10 and i[4] == "." for i in ids)
    big = synthetic_corpus(20_000)  # its build time is reported by `make bench` (guards)
    assert len(big) == 20_000 and len({p.arxiv_id for p in big}) == 20_000
    both = synthetic_corpus(10, include_seed=True)
    assert len(both) == len(load_seed_corpus()) + 10


# -- arXiv id_list ----------------------------------------------------------------------------------
def test_id_list_known_unknown_and_mixed(client: Client):
    r = client.arxiv(id_list="1810.04805,0808.05394", max_results=100)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = feed(r)
    assert total(root) == 1 and entry_ids(root) == ["1810.04805v1"]
    assert root.findtext("a:title", namespaces=NS) == (
        "arXiv Query: search_query=&id_list=1810.04805,0808.05394&start=0&max_results=100"
    )
    r = client.arxiv(id_list="0000.0000")
    assert r.status_code == 200 and total(feed(r)) == 0 and entries(feed(r)) == []
    r = client.arxiv(id_list="astro-ph/0601001")  # well-formed old-style id, unknown here
    assert r.status_code == 200 and total(feed(r)) == 0


def test_id_list_malformed_gives_recorded_error_feed(client: Client):
    r = client.arxiv(id_list="abc", max_results=100)
    assert r.status_code == 400
    root = feed(r)
    (entry,) = entries(root)
    assert entry.findtext("a:title", namespaces=NS) == "Error"
    assert entry.findtext("a:summary", namespaces=NS) == "incorrect id format for abc"
    assert entry.findtext("a:id", namespaces=NS) == "https://arxiv.org/api/errors#incorrect_id_format_for_abc"
    _, body = recorded_arxiv("id_abc_")
    rec = ET.fromstring(body.encode())
    strip = lambda el: [c.tag for c in el]  # noqa: E731
    assert strip(root) == strip(rec) and strip(entry) == strip(entries(rec)[0])
    for bad in ("0112019", "1234.123", "cond-mat0207270"):
        assert client.arxiv(id_list=bad).status_code == 400


def test_id_list_versions(client: Client, emu: Emulator):
    p = emu.corpus.get_arxiv("1705.00108")
    assert p.version == 3
    root = feed(client.arxiv(id_list="1705.00108"))
    assert entry_ids(root) == ["1705.00108v3"]
    assert entries(root)[0].findtext("a:updated", namespaces=NS) == p.updated
    root = feed(client.arxiv(id_list="1705.00108v1"))
    (e,) = entries(root)
    assert entry_ids(root) == ["1705.00108v1"]
    assert e.findtext("a:updated", namespaces=NS) == e.findtext("a:published", namespaces=NS) == p.published
    assert e.find("a:link[@title='pdf']", NS).get("href") == "https://arxiv.org/pdf/1705.00108v1"
    assert total(feed(client.arxiv(id_list="1705.00108v4"))) == 0


def test_id_list_paging_and_post(client: Client):
    ids = "1810.04805,1907.11692,1909.11942,2003.10555,1906.08237"
    seen = []
    for start in (0, 2, 4):
        root = feed(client.arxiv(id_list=ids, start=start, max_results=2))
        assert total(root) == 5
        seen += entry_ids(root)
    assert [s.split("v")[0] for s in seen] == ids.split(",")
    r = client.arxiv("POST", id_list=ids, max_results=10)
    assert r.status_code == 200 and total(feed(r)) == 5
    assert client.arxiv(id_list=ids, max_results=2001).status_code == 400
    assert client.arxiv(id_list=ids, max_results=30001).status_code == 400


def test_feed_parses_with_arxiv_package(emu: Emulator):
    import arxiv

    c = arxiv.Client(page_size=100, delay_seconds=0, num_retries=0)
    c.query_url_format = emu.arxiv_url + "?{}"
    (r,) = list(c.results(arxiv.Search(id_list=["1705.00108"])))
    p = emu.corpus.get_arxiv("1705.00108")
    assert r.entry_id == "http://arxiv.org/abs/1705.00108v3"
    assert r.get_short_id() == "1705.00108v3"
    assert r.title == p.title and [a.name for a in r.authors] == p.authors
    assert r.primary_category == p.primary_category and r.categories == p.categories
    assert r.doi == p.doi and r.journal_ref == p.journal_ref and r.comment == p.comment
    assert r.pdf_url == "https://arxiv.org/pdf/1705.00108v3"
    assert r.published.strftime("%Y-%m-%dT%H:%M:%SZ") == p.published
    assert r.summary == p.summary


def test_emulator_feed_has_recorded_structure(client: Client):
    """Same feed header layout and, for an entry with comment/journal_ref/doi, the same element sequence."""
    _, body = recorded_arxiv("q_testing_s0_m10_bc5a")
    rec = ET.fromstring(body.encode())
    rec_entry = next(e for e in entries(rec) if e.findtext("a:id", namespaces=NS).endswith("2202.12139v1"))
    root = feed(client.arxiv(search_query="testing OR bert", max_results=10))
    head = lambda el: [c.tag for c in el if c.tag != f"{{{NS['a']}}}entry"]  # noqa: E731

    def seq(el: ET.Element) -> list[str]:
        out: list[str] = []
        for c in el:
            if not out or out[-1] != c.tag:
                out.append(c.tag)
        return out

    assert head(root) == head(rec)
    ours = entries(feed(client.arxiv(id_list="1705.00108")))[0]
    assert seq(ours) == seq(rec_entry)
    assert {c.tag for c in ours} == {c.tag for c in rec_entry}
    assert ours.find("a:link[@title='doi']", NS).get("href").startswith("https://doi.org/10.")
    assert ours.findtext("a:id", namespaces=NS).startswith("http://arxiv.org/abs/")
    # an entry without the optional elements has the recorded minimal shape (cf. id_2104.12255v1)
    _, body = recorded_arxiv("id_2104.12255v1")
    rec_min = entries(ET.fromstring(body.encode()))[0]
    ours_min = entries(feed(client.arxiv(id_list="1904.09223")))[0]
    assert seq(ours_min) == seq(rec_min)


# -- arXiv search_query --------------------------------------------------------------------------------
def titles(root: ET.Element) -> list[str]:
    return [e.findtext("a:title", namespaces=NS) for e in entries(root)]


def test_quoted_phrase_vs_unquoted_whitespace_is_or(client: Client):
    root = feed(client.arxiv(search_query='ti:"learning sequence semi-supervised"', max_results=50))
    assert set(titles(root)) == {
        "Semi-supervised Sequence Learning",
        "Semi-supervised Sequence Learning with Graphs",
    }
    assert "ti:&quot;" not in root.findtext("a:title", namespaces=NS)
    unq = feed(client.arxiv(search_query="ti:sequence learning", max_results=100))
    assert root.findtext("a:title", namespaces=NS).startswith('arXiv Query: search_query=ti:"learning')
    assert unq.findtext("a:title", namespaces=NS).startswith(
        "arXiv Query: search_query=ti:sequence OR all:learning&id_list="
    )
    t = set(titles(unq))
    assert "Learned in Translation: Contextualized Word Vectors" in t  # all:learning (stemmed), not a title phrase
    assert total(unq) > total(root)
    anded = feed(client.arxiv(search_query="ti:sequence AND ti:learning", max_results=100))
    assert set(titles(anded)) == set(titles(root))
    notg = feed(client.arxiv(search_query="ti:sequence AND ti:learning ANDNOT ti:graphs", max_results=100))
    assert titles(notg) == ["Semi-supervised Sequence Learning"]


def test_search_syntax_echo_and_errors(client: Client):
    root = feed(client.arxiv(search_query="testing"))
    assert (
        root.findtext("a:title", namespaces=NS)
        == "arXiv Query: search_query=all:testing&id_list=&start=0&max_results=10"
    )
    root = feed(client.arxiv(search_query="au:devlin AND (ti:bert OR ti:electra)"))
    assert titles(root) == ["BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"]
    root = feed(client.arxiv(search_query="ti:(ernie bert) AND cat:cs.AI", max_results=100))
    assert titles(root) and all("ERNIE" in t or "BERT" in t for t in titles(root))
    r = client.arxiv(search_query="(ti:bert OR ti:ernie")
    assert r.status_code == 400 and entries(feed(r))[0].findtext("a:title", namespaces=NS) == "Error"
    assert client.arxiv(search_query="ti:bert)").status_code == 400
    # combined search + id_list = filter (base ids only)
    root = feed(client.arxiv(search_query="ti:bert", id_list="1810.04805,1802.05365"))
    assert entry_ids(root) == ["1810.04805v1"]
    assert total(feed(client.arxiv(search_query="ti:bert", id_list="1810.04805v1"))) == 0


def test_search_relevance_and_paging(client: Client):
    full = feed(client.arxiv(search_query="all:bert", max_results=100))
    n = total(full)
    assert n >= 10 and len(entries(full)) == n
    assert "BERT" in titles(full)[0]
    paged: list[str] = []
    for start in range(0, n, 4):
        root = feed(client.arxiv(search_query="all:bert", start=start, max_results=4))
        assert total(root) == n and int(root.findtext("os:startIndex", namespaces=NS)) == start
        paged += entry_ids(root)
    assert paged == entry_ids(full)
    asc = feed(client.arxiv(search_query="all:bert", sortBy="submittedDate", sortOrder="ascending", max_results=100))
    pubs = [e.findtext("a:published", namespaces=NS) for e in entries(asc)]
    assert pubs == sorted(pubs)


# -- Semantic Scholar --------------------------------------------------------------------------------
def test_s2_batch_order_nulls_and_limits(client: Client, emu: Emulator):
    bert = emu.corpus.get_arxiv("1810.04805")
    doi_paper = next(p for p in emu.corpus if p.doi)
    ids = [
        bert.s2_paper_id,
        "arxiv:1907.11692v2",
        "ARXIV:9999.99999",
        f"DOI:{doi_paper.doi.upper()}",
        f"CorpusId:{bert.corpus_id}",
        "nonsense",
    ]
    r = client.s2("/paper/batch", "POST", json_body={"ids": ids}, fields="title,externalIds")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    out = r.json()
    assert len(out) == 6 and out[2] is None and out[5] is None
    assert out[0]["title"] == bert.title and out[4]["paperId"] == bert.s2_paper_id
    assert out[1]["externalIds"]["ArXiv"] == "1907.11692"
    assert out[3]["externalIds"]["DOI"] == doi_paper.doi
    r = client.s2("/paper/batch", "POST", json_body={"ids": ["CorpusId:1"] * 501}, fields="title")
    assert r.status_code == 400 and r.json() == {"error": "Cannot fetch more than 500 ids"}
    r = client.s2("/paper/batch", "POST", data=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "error" in r.json()
    assert client.s2("/paper/batch", "POST").status_code == 400
    assert emu.stats()["s2"]["ids_requested"] == 6


def test_s2_match_found_wrong_but_similar_and_404(client: Client, emu: Emulator):
    r = client.s2("/paper/search/match", query="Longformer: The Long-Document Transformer", fields="externalIds")
    (hit,) = r.json()["data"]
    assert list(hit)[:3] == ["paperId", "title", "matchScore"]
    assert hit["externalIds"]["ArXiv"] == "2004.05150" and 50 <= hit["matchScore"] <= 300
    # a title that is not in the corpus comes back as a similar but WRONG paper, like the real API
    q = "Big Bird: Transformers for Longer Sequences in Proteins"
    hit = client.s2("/paper/search/match", query=q, fields="title").json()["data"][0]
    assert hit["title"] != q and hit["title"].startswith("Big Bird")
    r = client.s2("/paper/search/match", query="quantum chromodynamics on the lattice")
    assert r.status_code == 404 and r.json() == {"error": "Title match not found"}


def test_s2_field_projection_single_paper_and_search(client: Client, emu: Emulator):
    p = next(p for p in emu.corpus if not p.doi)
    r = client.s2(f"/paper/ARXIV:{p.arxiv_id}", fields="title,year,externalIds")
    assert r.status_code == 200
    assert set(r.json()) == {"paperId", "title", "year", "externalIds"}
    assert r.json()["externalIds"] == {"ArXiv": p.arxiv_id, "CorpusId": p.corpus_id}
    assert set(client.s2(f"/paper/{p.s2_paper_id}").json()) == {"paperId", "title"}
    full = client.s2(
        f"/paper/CorpusId:{p.corpus_id}",
        fields=(
            "title,venue,year,publicationDate,externalIds,authors,citationCount,influentialCitationCount,"
            "referenceCount,url,openAccessPdf,abstract,publicationTypes,journal"
        ),
    ).json()
    assert full["openAccessPdf"] == {"url": f"https://arxiv.org/pdf/{p.arxiv_id}", "status": "GREEN"}
    assert full["url"] == f"https://www.semanticscholar.org/paper/{p.s2_paper_id}"
    assert [a["name"] for a in full["authors"]] == p.authors and all(a["authorId"] for a in full["authors"])
    assert full["journal"] == {"name": p.venue} and full["citationCount"] == p.citation_count
    r = client.s2(f"/paper/{p.s2_paper_id}", fields="title,unknown")
    assert r.status_code == 400 and r.json() == {"error": "Unrecognized or unsupported fields: [unknown]"}
    r = client.s2("/paper/0", fields="title")
    assert r.status_code == 404 and r.json() == {"error": "Paper with id 0 not found"}
    r = client.s2("/paper/search", query="bert", limit=5, fields="title")
    body = r.json()
    assert body["offset"] == 0 and body["next"] == 5 and len(body["data"]) == 5 and body["total"] >= 10
    last = client.s2("/paper/search", query="bert", offset=body["total"] - 2, limit=5).json()
    assert "next" not in last and len(last["data"]) == 2


# -- politeness, stats, keep-alive -------------------------------------------------------------------
def test_politeness_back_to_back_is_429(emu: Emulator):
    s = requests.Session()
    assert s.get(emu.arxiv_url, params={"id_list": "1810.04805"}).status_code == 200
    r = s.get(emu.arxiv_url, params={"id_list": "1810.04805"})
    assert r.status_code == 429 and r.text == "Rate exceeded." and "Retry-After" not in r.headers
    assert emu.stats()["arxiv"]["too_early"] == 1
    assert s.get(emu.s2_url + "/paper/ARXIV:1810.04805").status_code == 200
    r = s.get(emu.s2_url + "/paper/ARXIV:1810.04805")
    assert r.status_code == 429 and r.json()["code"] == "429" and "Retry-After" not in r.headers
    st = emu.stats()
    assert st["s2"]["too_early"] == 1 and st["s2"]["by_status"] == {"200": 1, "429": 1}
    emu.reset_stats()  # also resets the clock: the next request is never too early
    assert s.get(emu.arxiv_url, params={"id_list": "1810.04805"}).status_code == 200
    assert emu.stats()["arxiv"]["too_early"] == 0 and emu.stats()["arxiv"]["requests"] == 1
    time.sleep(ARXIV_INTERVAL_S + 0.01)
    assert s.get(emu.arxiv_url, params={"id_list": "1810.04805"}).status_code == 200


def test_concurrent_arxiv_requests_get_503(emu: Emulator):
    emu.inject("arxiv", "slow", delay_s=0.3)
    results: list[int] = []
    t = threading.Thread(
        target=lambda: results.append(requests.get(emu.arxiv_url, params={"id_list": "1810.04805"}).status_code)
    )
    t.start()
    time.sleep(0.12)
    second = requests.get(emu.arxiv_url, params={"id_list": "1810.04805"})
    t.join()
    assert second.status_code == 503 and results == [200]
    st = emu.stats()["arxiv"]
    assert st["concurrent"] == 1 and st["too_early"] == 0


def test_stats_endpoints_keys_and_control_api(client: Client, emu: Emulator):
    client.arxiv(id_list="1810.04805,1907.11692")
    client.arxiv(search_query="ti:bert")
    client.s2("/paper/batch", "POST", json_body={"ids": ["ARXIV:1810.04805"]}, headers={"X-API-KEY": "k"})
    client.s2("/paper/search/match", query="BERT", headers={"x-api-key": "k"})
    client.s2("/paper/search", query="bert")
    client.s2("/paper/ARXIV:1810.04805")
    ctl = requests.get(emu.base_url + "/_emulator/stats").json()
    assert ctl == emu.stats()
    a, s = ctl["arxiv"], ctl["s2"]
    assert a["requests"] == 2 and a["by_endpoint"] == {"id_list": 1, "search": 1} and a["ids_requested"] == 2
    assert s["by_endpoint"] == {"batch": 1, "match": 1, "search": 1, "paper": 1}
    assert s["requests_with_api_key"] == 2 and a["requests_with_api_key"] == 0 and s["ids_requested"] == 1
    r = requests.post(emu.base_url + "/_emulator/faults", json={"api": "s2", "kind": "500", "times": 2})
    assert r.status_code == 200 and emu.pending_faults()["s2"] == 2
    assert requests.post(emu.base_url + "/_emulator/faults", json={"api": "s2", "kind": "bogus"}).status_code == 400
    emu.clear_faults()
    assert requests.post(emu.base_url + "/_emulator/reset").status_code == 200
    assert emu.stats()["s2"]["requests"] == 0 and emu.stats()["arxiv"]["by_status"] == {}


def test_keep_alive_and_content_length(emu: Emulator):
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    for path in ("/api/query?id_list=1810.04805", "/graph/v1/paper/ARXIV:1810.04805"):
        time.sleep(ARXIV_INTERVAL_S + 0.01)
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        assert r.status == 200 and r.version == 11 and int(r.getheader("Content-Length")) == len(body)
    conn.close()


# -- faults --------------------------------------------------------------------------------------------
def test_fault_status_kinds(client: Client, emu: Emulator):
    emu.inject("arxiv", "429", retry_after=7)
    r = client.arxiv(id_list="1810.04805")
    assert r.status_code == 429 and r.headers["Retry-After"] == "7"
    for kind in ("503", "500", "502"):
        emu.inject("arxiv", kind)
        assert client.arxiv(id_list="1810.04805").status_code == int(kind)
    emu.inject("s2", "500")
    r = client.s2("/paper/ARXIV:1810.04805")
    assert r.status_code == 500 and r.json() == {"message": "Internal Server Error"}
    emu.inject("s2", "s2_error_body")
    r = client.s2("/paper/ARXIV:1810.04805")
    assert r.status_code == 200 and "error" in r.json()
    assert client.s2("/paper/ARXIV:1810.04805").status_code == 200  # faults are consumed
    st = emu.stats()
    assert st["arxiv"]["by_status"] == {"429": 1, "503": 1, "500": 1, "502": 1}
    assert st["arxiv"]["too_early"] == 0 and st["arxiv"]["ids_requested"] == 0


def test_fault_reset_truncated_empty_slow(client: Client, emu: Emulator):
    emu.inject("arxiv", "reset")
    with pytest.raises(requests.ConnectionError):
        client.arxiv(id_list="1810.04805")
    emu.inject("arxiv", "truncated")
    r = client.arxiv(id_list="1810.04805")
    whole = client.arxiv(id_list="1810.04805")
    assert r.status_code == 200 and len(r.content) == len(whole.content) // 2
    assert int(r.headers["Content-Length"]) == len(r.content)
    with pytest.raises(ET.ParseError):
        ET.fromstring(r.content)
    emu.inject("arxiv", "empty_page")
    root = feed(client.arxiv(search_query="all:bert", max_results=5))
    assert total(root) >= 10 and entries(root) == []
    emu.inject("s2", "slow", delay_s=0.2)
    t0 = time.monotonic()
    assert client.s2("/paper/ARXIV:1810.04805").status_code == 200
    assert time.monotonic() - t0 >= 0.2  # wall-clock: lower bound (the injected delay is the behaviour)
    assert emu.stats()["arxiv"]["by_status"]["reset"] == 1


def test_fault_fifo_endpoint_filter_and_times(client: Client, emu: Emulator):
    emu.inject("s2", "503", times=2, endpoint="match")
    emu.inject("s2", "502")
    assert client.s2("/paper/batch", "POST", json_body={"ids": []}).status_code == 502  # first that matches batch
    assert client.s2("/paper/search/match", query="BERT").status_code == 503
    assert client.s2("/paper/search/match", query="BERT").status_code == 503
    assert client.s2("/paper/search/match", query="BERT pre-training deep bidirectional").status_code == 200
    # a too-early request is answered 429 and does not consume a fault
    s = requests.Session()
    time.sleep(S2_INTERVAL_S + 0.01)
    assert s.get(emu.s2_url + "/paper/ARXIV:1810.04805").status_code == 200
    emu.inject("s2", "500")
    assert s.get(emu.s2_url + "/paper/ARXIV:1810.04805").status_code == 429
    assert emu.pending_faults()["s2"] == 1
    time.sleep(S2_INTERVAL_S + 0.01)
    assert s.get(emu.s2_url + "/paper/ARXIV:1810.04805").status_code == 500
    assert emu.pending_faults()["s2"] == 0


# -- CLI -----------------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(tmp_path: Path, port: int, host: str = "127.0.0.1") -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[arxiv]\nbase_url = "http://{host}:{port}/api/query"\nmin_interval_s = 0.05\n'
        f'[semantic_scholar]\nbase_url = "http://{host}:{port}/graph/v1"\nmin_interval_s = 0.02\n'
    )
    return cfg


def test_cli_run_reports_and_propagates_exit_code(tmp_path: Path):
    port = _free_port()
    script = (
        "import urllib.request, time, sys\n"
        f"urllib.request.urlopen('http://127.0.0.1:{port}/api/query?id_list=1810.04805').read()\n"
        f"urllib.request.urlopen('http://127.0.0.1:{port}/graph/v1/paper/ARXIV:1810.04805').read()\n"
        "sys.exit(3)\n"
    )
    p = subprocess.run(
        [*EMULATOR, "run", "--config", str(_config(tmp_path, port)), "--", sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert p.returncode == 3, p.stderr
    assert (
        "emulator (FIXTURE DATA): arXiv 1 requests (too early: 0), Semantic Scholar 1 requests (too early: 0)"
    ) in p.stdout


def test_cli_run_refuses_non_loopback_and_busy_port(tmp_path: Path):
    p = subprocess.run(
        [*EMULATOR, "run", "--config", str(_config(tmp_path, 8765, host="export.arxiv.org")), "--", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert p.returncode == 2 and "loopback" in p.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        p = subprocess.run(
            [*EMULATOR, "run", "--config", str(_config(tmp_path, port)), "--", "true"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert p.returncode == 2 and "in use" in p.stderr


def test_words_normalisation():
    assert words("Pre-Training Transformers, testing!") == ["pre", "train", "transformer", "test"]
    assert isinstance(load_seed_corpus(), Corpus)
