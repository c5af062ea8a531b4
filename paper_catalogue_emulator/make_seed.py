"""Regenerate ``paper_catalogue_emulator/corpus/seed.json`` (FIXTURE DATA) deterministically.

    python -m paper_catalogue_emulator.make_seed

arXiv ids and titles are real (the seed reading lists). Author names are real where listed here, but every
other value (dates, abstracts, categories, venues, DOIs, Semantic Scholar ids, counts) is made up
for offline tests.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from paper_catalogue_emulator.papers import FIXTURE_NOTICE, SEED_PATH, corpus_id_for, s2_id_for

# (arxiv id, title, authors, venue)
REAL = [
    (
        "2003.08271",
        "Pre-trained Models for Natural Language Processing: A Survey",
        ["Xipeng Qiu", "Tianxiang Sun", "Yige Xu", "Yunfan Shao", "Ning Dai", "Xuanjing Huang"],
        "Science China Technological Sciences",
    ),
    ("1511.01432", "Semi-supervised Sequence Learning", ["Andrew M. Dai", "Quoc V. Le"], "NeurIPS"),
    (
        "1708.00107",
        "Learned in Translation: Contextualized Word Vectors",
        ["Bryan McCann", "James Bradbury", "Caiming Xiong", "Richard Socher"],
        "NeurIPS",
    ),
    (
        "1705.00108",
        "Semi-supervised sequence tagging with bidirectional language models",
        ["Matthew E. Peters", "Waleed Ammar", "Chandra Bhagavatula", "Russell Power"],
        "ACL",
    ),
    (
        "1801.06146",
        "Universal Language Model Fine-tuning for Text Classification",
        ["Jeremy Howard", "Sebastian Ruder"],
        "ACL",
    ),
    (
        "1802.05365",
        "Deep contextualized word representations",
        [
            "Matthew E. Peters",
            "Mark Neumann",
            "Mohit Iyyer",
            "Matt Gardner",
            "Christopher Clark",
            "Kenton Lee",
            "Luke Zettlemoyer",
        ],
        "NAACL",
    ),
    (
        "1810.04805",
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"],
        "NAACL",
    ),
    (
        "1901.07291",
        "Cross-lingual Language Model Pretraining",
        ["Guillaume Lample", "Alexis Conneau"],
        "NeurIPS",
    ),
    (
        "1905.02450",
        "MASS: Masked Sequence to Sequence Pre-training for Language Generation",
        ["Kaitao Song", "Xu Tan", "Tao Qin", "Jianfeng Lu", "Tie-Yan Liu"],
        "ICML",
    ),
    (
        "1905.03197",
        "Unified Language Model Pre-training for Natural Language Understanding and Generation",
        [
            "Li Dong",
            "Nan Yang",
            "Wenhui Wang",
            "Furu Wei",
            "Xiaodong Liu",
            "Yu Wang",
            "Jianfeng Gao",
            "Ming Zhou",
            "Hsiao-Wuen Hon",
        ],
        "NeurIPS",
    ),
    (
        "2002.12804",
        "UniLMv2: Pseudo-Masked Language Models for Unified Language Model Pre-Training",
        ["Hangbo Bao", "Li Dong", "Furu Wei", "Wenhui Wang", "Nan Yang", "Xiaodong Liu", "Yu Wang"],
        "ICML",
    ),
    (
        "2004.09297",
        "MPNet: Masked and Permuted Pre-training for Language Understanding",
        ["Kaitao Song", "Xu Tan", "Tao Qin", "Jianfeng Lu", "Tie-Yan Liu"],
        "NeurIPS",
    ),
    (
        "1907.11692",
        "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
        [
            "Yinhan Liu",
            "Myle Ott",
            "Naman Goyal",
            "Jingfei Du",
            "Mandar Joshi",
            "Danqi Chen",
            "Omer Levy",
            "Mike Lewis",
            "Luke Zettlemoyer",
            "Veselin Stoyanov",
        ],
        "arXiv.org",
    ),
    (
        "1909.11942",
        "ALBERT: A Lite BERT for Self-supervised Learning of Language Representations",
        [
            "Zhenzhong Lan",
            "Mingda Chen",
            "Sebastian Goodman",
            "Kevin Gimpel",
            "Piyush Sharma",
            "Radu Soricut",
        ],
        "ICLR",
    ),
    (
        "1906.08101",
        "Pre-Training with Whole Word Masking for Chinese BERT",
        ["Yiming Cui", "Wanxiang Che", "Ting Liu", "Bing Qin", "Ziqing Yang"],
        "IEEE/ACM TASLP",
    ),
    (
        "1905.07129",
        "ERNIE: Enhanced Language Representation with Informative Entities",
        ["Zhengyan Zhang", "Xu Han", "Zhiyuan Liu", "Xin Jiang", "Maosong Sun", "Qun Liu"],
        "ACL",
    ),
    (
        "1904.09223",
        "ERNIE: Enhanced Representation through Knowledge Integration",
        [
            "Yu Sun",
            "Shuohuan Wang",
            "Yukun Li",
            "Shikun Feng",
            "Xuyi Chen",
            "Han Zhang",
            "Xin Tian",
            "Danxiang Zhu",
            "Hao Tian",
            "Hua Wu",
        ],
        "arXiv.org",
    ),
    (
        "1907.12412",
        "ERNIE 2.0: A Continual Pre-training Framework for Language Understanding",
        ["Yu Sun", "Shuohuan Wang", "Yukun Li", "Shikun Feng", "Hao Tian", "Hua Wu", "Haifeng Wang"],
        "AAAI",
    ),
    (
        "2003.10555",
        "ELECTRA: Pre-training Text Encoders as Discriminators Rather Than Generators",
        ["Kevin Clark", "Minh-Thang Luong", "Quoc V. Le", "Christopher D. Manning"],
        "ICLR",
    ),
    (
        "1909.07606",
        "K-BERT: Enabling Language Representation with Knowledge Graph",
        ["Weijie Liu", "Peng Zhou", "Zhe Zhao", "Zhiruo Wang", "Qi Ju", "Haotang Deng", "Ping Wang"],
        "AAAI",
    ),
    (
        "1908.04577",
        "StructBERT: Incorporating Language Structures into Pre-training for Deep Language Understanding",
        ["Wei Wang", "Bin Bi", "Ming Yan", "Chen Wu", "Zuyi Bao", "Jiangnan Xia", "Liwei Peng", "Luo Si"],
        "ICLR",
    ),
    (
        "1909.02209",
        "Semantics-aware BERT for Language Understanding",
        ["Zhuosheng Zhang", "Yuwei Wu", "Hai Zhao", "Zuchao Li", "Shuailiang Zhang", "Xi Zhou", "Xiang Zhou"],
        "AAAI",
    ),
    (
        "1906.08237",
        "XLNet: Generalized Autoregressive Pretraining for Language Understanding",
        ["Zhilin Yang", "Zihang Dai", "Yiming Yang", "Jaime Carbonell", "Ruslan Salakhutdinov", "Quoc V. Le"],
        "NeurIPS",
    ),
    (
        "2004.05150",
        "Longformer: The Long-Document Transformer",
        ["Iz Beltagy", "Matthew E. Peters", "Arman Cohan"],
        "arXiv.org",
    ),
    (
        "2007.14062",
        "Big Bird: Transformers for Longer Sequences",
        [
            "Manzil Zaheer",
            "Guru Guruganesh",
            "Avinava Dubey",
            "Joshua Ainslie",
            "Chris Alberti",
            "Santiago Ontanon",
            "Philip Pham",
            "Anirudh Ravula",
            "Qifan Wang",
            "Li Yang",
            "Amr Ahmed",
        ],
        "NeurIPS",
    ),
    (
        "1908.08962",
        "Well-Read Students Learn Better: On the Importance of Pre-training Compact Models",
        ["Iulia Turc", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"],
        "arXiv.org",
    ),
    (
        "1910.01108",
        "DistilBERT, a distilled version of BERT: smaller, faster, cheaper and lighter",
        ["Victor Sanh", "Lysandre Debut", "Julien Chaumond", "Thomas Wolf"],
        "arXiv.org",
    ),
    (
        "1909.10351",
        "TinyBERT: Distilling BERT for Natural Language Understanding",
        [
            "Xiaoqi Jiao",
            "Yichun Yin",
            "Lifeng Shang",
            "Xin Jiang",
            "Xiao Chen",
            "Linlin Li",
            "Fang Wang",
            "Qun Liu",
        ],
        "Findings of EMNLP",
    ),
    (
        "2004.02178",
        "FastBERT: a Self-distilling BERT with Adaptive Inference Time",
        ["Weijie Liu", "Peng Zhou", "Zhe Zhao", "Zhiruo Wang", "Haotang Deng", "Qi Ju"],
        "ACL",
    ),
    (
        "2004.08900",
        "The Cost of Training NLP Models: A Concise Overview",
        ["Or Sharir", "Barak Peleg", "Yoav Shoham"],
        "arXiv.org",
    ),
    (
        "1907.10529",
        "SpanBERT: Improving Pre-training by Representing and Predicting Spans",
        ["Mandar Joshi", "Danqi Chen", "Yinhan Liu", "Daniel S. Weld", "Luke Zettlemoyer", "Omer Levy"],
        "TACL",
    ),
    (
        "1908.10084",
        "Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks",
        ["Nils Reimers", "Iryna Gurevych"],
        "EMNLP",
    ),
    (
        "1909.00204",
        "NEZHA: Neural Contextualized Representation for Chinese Language Understanding",
        [
            "Junqiu Wei",
            "Xiaozhe Ren",
            "Xiaoguang Li",
            "Wenyong Huang",
            "Yi Liao",
            "Yasheng Wang",
            "Jiashu Lin",
            "Xin Jiang",
            "Xiao Chen",
            "Qun Liu",
        ],
        "arXiv.org",
    ),
    (
        "1911.00720",
        "ZEN: Pre-training Chinese Text Encoder Enhanced by N-gram Representations",
        ["Shizhe Diao", "Jiaxin Bai", "Yan Song", "Tong Zhang", "Yonggang Wang"],
        "Findings of EMNLP",
    ),
    (
        "2004.13922",
        "Revisiting Pre-Trained Models for Chinese Natural Language Processing",
        ["Yiming Cui", "Wanxiang Che", "Ting Liu", "Bing Qin", "Shijin Wang", "Guoping Hu"],
        "Findings of EMNLP",
    ),
    (
        "2303.17564",
        "BloombergGPT: A Large Language Model for Finance",
        [
            "Shijie Wu",
            "Ozan Irsoy",
            "Steven Lu",
            "Vadim Dabravolski",
            "Mark Dredze",
            "Sebastian Gehrmann",
            "Prabhanjan Kambadur",
            "David Rosenberg",
            "Gideon Mann",
        ],
        "arXiv.org",
    ),
    (
        "2211.05100",
        "BLOOM: A 176B-Parameter Open-Access Multilingual Language Model",
        ["Teven Le Scao", "Angela Fan", "Christopher Akiki", "Ellie Pavlick", "Suzana Ilic"],
        "arXiv.org",
    ),
    (
        "2205.01068",
        "OPT: Open Pre-trained Transformer Language Models",
        [
            "Susan Zhang",
            "Stephen Roller",
            "Naman Goyal",
            "Mikel Artetxe",
            "Moya Chen",
            "Shuohui Chen",
            "Christopher Dewan",
            "Mona Diab",
            "Xian Li",
            "Xi Victoria Lin",
            "Todor Mihaylov",
            "Myle Ott",
            "Sam Shleifer",
            "Kurt Shuster",
            "Daniel Simig",
            "Punit Singh Koura",
            "Anjali Sridhar",
            "Tianlu Wang",
            "Luke Zettlemoyer",
        ],
        "arXiv.org",
    ),
    (
        "2103.10360",
        "GLM: General Language Model Pretraining with Autoregressive Blank Infilling",
        ["Zhengxiao Du", "Yujie Qian", "Xiao Liu", "Ming Ding", "Jiezhong Qiu", "Zhilin Yang", "Jie Tang"],
        "ACL",
    ),
    (
        "2004.10964",
        "Don't Stop Pretraining: Adapt Language Models to Domains and Tasks",
        [
            "Suchin Gururangan",
            "Ana Marasović",
            "Swabha Swayamdipta",
            "Kyle Lo",
            "Iz Beltagy",
            "Doug Downey",
            "Noah A. Smith",
        ],
        "ACL",
    ),
    (
        "2106.07139",
        "Pre-Trained Models: Past, Present and Future",
        [
            "Xu Han",
            "Zhengyan Zhang",
            "Ning Ding",
            "Yuxian Gu",
            "Xiao Liu",
            "Yuqi Huo",
            "Jiezhong Qiu",
            "Liang Zhang",
            "Wentao Han",
            "Minlie Huang",
            "Qin Jin",
            "Yanyan Lan",
            "Yang Liu",
            "Zhiyuan Liu",
            "Zhiwu Lu",
            "Xipeng Qiu",
            "Ruihua Song",
            "Jie Tang",
            "Ji-Rong Wen",
            "Jinhui Yuan",
            "Wayne Xin Zhao",
            "Jun Zhu",
        ],
        "AI Open",
    ),
    (
        "2103.13076",
        "Finetuning Pretrained Transformers into RNNs",
        [
            "Jungo Kasai",
            "Hao Peng",
            "Yizhe Zhang",
            "Dani Yogatama",
            "Gabriel Ilharco",
            "Nikolaos Pappas",
            "Yi Mao",
            "Weizhu Chen",
            "Noah A. Smith",
        ],
        "EMNLP",
    ),
    (
        "2006.08671",
        "To Pretrain or Not to Pretrain: Examining the Benefits of Pretraining on Resource Rich Tasks",
        ["Sinong Wang", "Madian Khabsa", "Hao Ma"],
        "ACL",
    ),
    (
        "1910.13461",
        "BART: Denoising Sequence-to-Sequence Pre-training for Natural Language Generation, "
        "Translation, and Comprehension",
        [
            "Mike Lewis",
            "Yinhan Liu",
            "Naman Goyal",
            "Marjan Ghazvininejad",
            "Abdelrahman Mohamed",
            "Omer Levy",
            "Veselin Stoyanov",
            "Luke Zettlemoyer",
        ],
        "ACL",
    ),
    (
        "2012.15409",
        "UNIMO: Towards Unified-Modal Understanding and Generation via Cross-Modal Contrastive Learning",
        [
            "Wei Li",
            "Can Gao",
            "Guocheng Niu",
            "Xinyan Xiao",
            "Hao Liu",
            "Jiachen Liu",
            "Hua Wu",
            "Haifeng Wang",
        ],
        "ACL",
    ),
]

# Made-up distractors: similar-but-different titles, ids in 2101.09xxx (fixture, not real papers).
DISTRACTORS = [
    (
        "2101.09901",
        "ERNIE 3.0: Large-scale Knowledge Enhanced Pre-training for Language Understanding and Generation",
        ["Fixture Author A", "Fixture Author B"],
        "arXiv.org",
    ),
    (
        "2101.09902",
        "Big Bird: Transformers for Longer Sequences in Genomics",
        ["Fixture Author C"],
        "arXiv.org",
    ),
    (
        "2101.09903",
        "BERT Rediscovers the Classical NLP Pipeline",
        ["Fixture Author D", "Fixture Author E"],
        "ACL",
    ),
    ("2101.09904", "Semi-supervised Sequence Learning with Graphs", ["Fixture Author F"], "arXiv.org"),
    (
        "2101.09905",
        "Cross-lingual Language Model Pretraining for Low-Resource Translation",
        ["Fixture Author G", "Fixture Author H"],
        "EMNLP",
    ),
    (
        "2101.09906",
        "DistilBERT Revisited: Smaller, Faster, Cheaper Distillation of Language Models",
        ["Fixture Author I"],
        "arXiv.org",
    ),
]

_CATS = {
    "ACL": ["cs.CL"],
    "NAACL": ["cs.CL"],
    "EMNLP": ["cs.CL"],
    "Findings of EMNLP": ["cs.CL"],
    "TACL": ["cs.CL"],
    "NeurIPS": ["cs.LG", "cs.CL"],
    "ICML": ["cs.LG", "cs.CL"],
    "ICLR": ["cs.CL", "cs.LG"],
    "AAAI": ["cs.CL", "cs.AI"],
}


def _h(s: str) -> int:
    return int(hashlib.sha1(s.encode()).hexdigest(), 16)


def make_paper(arxiv_id: str, title: str, authors: list[str], venue: str, distractor: bool = False) -> dict:
    h = _h(arxiv_id)
    yy, mm = int(arxiv_id[:2]), int(arxiv_id[2:4])
    year = 2000 + yy
    day = 1 + h % 27
    published = f"{year}-{mm:02d}-{day:02d}T{h % 24:02d}:{(h >> 5) % 60:02d}:{(h >> 11) % 60:02d}Z"
    version = 1 + (h >> 17) % 3
    if version == 1:
        updated = published
    else:
        um = mm + 2 * (version - 1)
        uy = year + (um - 1) // 12
        um = (um - 1) % 12 + 1
        updated = f"{uy}-{um:02d}-{1 + (h >> 23) % 27:02d}T{(h >> 29) % 24:02d}:{(h >> 31) % 60:02d}:00Z"
    cats = _CATS.get(venue, ["cs.CL", "cs.LG"] if h % 2 else ["cs.CL"])
    published_venue = venue != "arXiv.org"
    doi = f"10.99999/fixture.{arxiv_id}" if published_venue and (h >> 37) % 3 else None
    pub_year = year + (1 if published_venue and mm >= 9 else 0)
    cites = 50 + (h >> 41) % 20000 if not distractor else (h >> 41) % 40
    kind = "Distractor fixture paper" if distractor else "Fixture abstract"
    return {
        "arxiv_id": arxiv_id,
        "version": version,
        "title": title,
        "authors": authors,
        "summary": f"{kind} (made up for offline tests, not the real abstract). This work on "
        f"{title.split(':')[0]} studies pre-trained language models and reports results on "
        f"standard natural language processing benchmarks.",
        "published": published,
        "updated": updated,
        "primary_category": cats[0],
        "categories": cats,
        "doi": doi,
        "journal_ref": f"{venue} {pub_year}" if published_venue and (h >> 43) % 2 else None,
        "comment": f"{5 + (h >> 47) % 20} pages, {1 + (h >> 53) % 8} figures" if (h >> 59) % 3 else None,
        "s2_paper_id": s2_id_for(arxiv_id),
        "corpus_id": corpus_id_for(arxiv_id),
        "venue": venue,
        "year": pub_year,
        "publication_date": published[:10],
        "citation_count": cites,
        "influential_citation_count": cites // 12,
        "reference_count": 10 + (h >> 61) % 90,
    }


def build() -> dict:
    papers = [make_paper(*row) for row in REAL] + [make_paper(*row, distractor=True) for row in DISTRACTORS]
    assert len({p["arxiv_id"] for p in papers}) == len(papers)
    assert len({p["corpus_id"] for p in papers}) == len(papers)
    return {"_notice": FIXTURE_NOTICE, "papers": papers}


def main(path: Path = SEED_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
