"""Regenerate ``evaluation/corpus.json`` (FIXTURE DATA) from the paper list below.

``python -m evaluation.build_corpus`` rewrites the file deterministically. Real papers carry their
real arXiv id and title (only ids and titles the author was sure of); every other field is made up.
Made-up papers (distractors) have ids 2199.xxxxx, which no real arXiv paper can have.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from emulator.papers import corpus_id_for, s2_id_for

HERE = Path(__file__).resolve().parent
CORPUS_PATH = HERE / "corpus.json"

NOTICE = (
    "FIXTURE DATA (evaluation corpus): arXiv ids and titles of papers with real=true are real; papers with "
    "ids 2199.xxxxx are made up (distractors). Authors, dates, abstracts, categories, venues, DOIs, Semantic "
    "Scholar ids and all counts are made up. Not real API answers."
)

#: (arXiv id, title, year or None for the id's year, real?)
PAPERS: list[tuple[str, str, int | None, bool]] = [
    # --- Transformers and the "Attention Is (Not) All You Need" family
    ("1706.03762", "Attention Is All You Need", None, True),
    ("1902.10186", "Attention is not Explanation", None, True),
    (
        "2103.03404",
        "Attention is Not All You Need: Pure Attention Loses Rank Doubly Exponentially with Depth",
        None,
        True,
    ),
    ("2010.13154", "Attention is All You Need in Speech Separation", None, True),
    ("2199.00002", "Attention Is Not Quite All You Need", 2022, False),
    ("2199.00003", "Attention Is All You Need for Chinese Word Segmentation", 2020, False),
    ("1901.02860", "Transformer-XL: Attentive Language Models Beyond a Fixed-Length Context", None, True),
    ("2009.06732", "Efficient Transformers: A Survey", None, True),
    ("2001.04451", "Reformer: The Efficient Transformer", None, True),
    ("2004.05150", "Longformer: The Long-Document Transformer", None, True),
    ("2007.14062", "Big Bird: Transformers for Longer Sequences", None, True),
    ("2199.00001", "Big Bird: Transformers for Longer Sequences in Genomics", 2021, False),
    ("2006.04768", "Linformer: Self-Attention with Linear Complexity", None, True),
    ("2009.14794", "Rethinking Attention with Performers", None, True),
    ("1904.10509", "Generating Long Sequences with Sparse Transformers", None, True),
    ("2205.14135", "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness", None, True),
    ("2104.09864", "RoFormer: Enhanced Transformer with Rotary Position Embedding", None, True),
    (
        "2108.12409",
        "Train Short, Test Long: Attention with Linear Biases Enables Input Length Extrapolation",
        None,
        True,
    ),
    ("1701.06538", "Outrageously Large Neural Networks: The Sparsely-Gated Mixture-of-Experts Layer", None, True),
    (
        "2101.03961",
        "Switch Transformers: Scaling to Trillion Parameter Models with Simple and Efficient Sparsity",
        None,
        True,
    ),
    ("2010.11929", "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale", None, True),
    # --- GPT / LLaMA / LLM families
    ("2005.14165", "Language Models are Few-Shot Learners", None, True),
    ("2303.08774", "GPT-4 Technical Report", None, True),
    ("2012.15723", "Making Pre-trained Language Models Better Few-shot Learners", None, True),
    ("2109.01652", "Finetuned Language Models Are Zero-Shot Learners", None, True),
    ("2205.11916", "Large Language Models are Zero-Shot Reasoners", None, True),
    ("2302.13971", "LLaMA: Open and Efficient Foundation Language Models", None, True),
    ("2307.09288", "Llama 2: Open Foundation and Fine-Tuned Chat Models", None, True),
    ("2407.21783", "The Llama 3 Herd of Models", None, True),
    ("2310.06825", "Mistral 7B", None, True),
    ("2401.04088", "Mixtral of Experts", None, True),
    ("2204.02311", "PaLM: Scaling Language Modeling with Pathways", None, True),
    ("2205.01068", "OPT: Open Pre-trained Transformer Language Models", None, True),
    ("2211.05100", "BLOOM: A 176B-Parameter Open-Access Multilingual Language Model", None, True),
    ("2001.08361", "Scaling Laws for Neural Language Models", None, True),
    ("2010.14701", "Scaling Laws for Autoregressive Generative Modeling", None, True),
    ("2203.15556", "Training Compute-Optimal Large Language Models", None, True),
    ("2203.02155", "Training language models to follow instructions with human feedback", None, True),
    (
        "2204.05862",
        "Training a Helpful and Harmless Assistant with Reinforcement Learning from Human Feedback",
        None,
        True,
    ),
    ("2212.08073", "Constitutional AI: Harmlessness from AI Feedback", None, True),
    ("2305.18290", "Direct Preference Optimization: Your Language Model is Secretly a Reward Model", None, True),
    ("2201.11903", "Chain-of-Thought Prompting Elicits Reasoning in Large Language Models", None, True),
    ("2203.11171", "Self-Consistency Improves Chain of Thought Reasoning in Language Models", None, True),
    ("2305.10601", "Tree of Thoughts: Deliberate Problem Solving with Large Language Models", None, True),
    ("2210.03629", "ReAct: Synergizing Reasoning and Acting in Language Models", None, True),
    ("2302.04761", "Toolformer: Language Models Can Teach Themselves to Use Tools", None, True),
    ("2106.09685", "LoRA: Low-Rank Adaptation of Large Language Models", None, True),
    ("1902.00751", "Parameter-Efficient Transfer Learning for NLP", None, True),
    ("2101.00190", "Prefix-Tuning: Optimizing Continuous Prompts for Generation", None, True),
    ("2104.08691", "The Power of Scale for Parameter-Efficient Prompt Tuning", None, True),
    ("2110.08207", "Multitask Prompted Training Enables Zero-Shot Task Generalization", None, True),
    ("2210.11416", "Scaling Instruction-Finetuned Language Models", None, True),
    ("2107.03374", "Evaluating Large Language Models Trained on Code", None, True),
    ("2009.03300", "Measuring Massive Multitask Language Understanding", None, True),
    ("2005.11401", "Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks", None, True),
    ("2004.04906", "Dense Passage Retrieval for Open-Domain Question Answering", None, True),
    # --- BERT and the X-BERTs
    ("1810.04805", "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding", None, True),
    ("2199.00010", "BERT: Pre-training of Deep Bidirectional Transformers for Language Generation", 2020, False),
    ("1907.11692", "RoBERTa: A Robustly Optimized BERT Pretraining Approach", None, True),
    ("1909.11942", "ALBERT: A Lite BERT for Self-supervised Learning of Language Representations", None, True),
    ("1910.01108", "DistilBERT, a distilled version of BERT: smaller, faster, cheaper and lighter", None, True),
    ("1907.10529", "SpanBERT: Improving Pre-training by Representing and Predicting Spans", None, True),
    ("1909.10351", "TinyBERT: Distilling BERT for Natural Language Understanding", None, True),
    ("2004.02984", "MobileBERT: a Compact Task-Agnostic BERT for Resource-Limited Devices", None, True),
    ("1903.10676", "SciBERT: A Pretrained Language Model for Scientific Text", None, True),
    (
        "1901.08746",
        "BioBERT: a pre-trained biomedical language representation model for biomedical text mining",
        None,
        True,
    ),
    ("2006.03654", "DeBERTa: Decoding-enhanced BERT with Disentangled Attention", None, True),
    ("1908.10084", "Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks", None, True),
    ("1911.03894", "CamemBERT: a Tasty French Language Model", None, True),
    ("2002.08155", "CodeBERT: A Pre-Trained Model for Programming and Natural Languages", None, True),
    (
        "1908.02265",
        "ViLBERT: Pretraining Task-Agnostic Visiolinguistic Representations for Vision-and-Language Tasks",
        None,
        True,
    ),
    ("1904.09675", "BERTScore: Evaluating Text Generation with BERT", None, True),
    ("2002.12327", "A Primer in BERTology: What we know about how BERT works", None, True),
    ("1906.04341", "What Does BERT Look At? An Analysis of BERT's Attention", None, True),
    ("1905.05950", "BERT Rediscovers the Classical NLP Pipeline", None, True),
    ("2199.00011", "K-BERT: Enabling Language Representation with Knowledge Graph", 2019, False),
    ("2199.00012", "BERT-Large: Pre-training of Deep Bidirectional Transformers at Scale", 2021, False),
    ("1908.08962", "Well-Read Students Learn Better: On the Importance of Pre-training Compact Models", None, True),
    # --- ERNIE family
    ("1904.09223", "ERNIE: Enhanced Representation through Knowledge Integration", None, True),
    ("1905.07129", "ERNIE: Enhanced Language Representation with Informative Entities", None, True),
    ("1907.12412", "ERNIE 2.0: A Continual Pre-training Framework for Language Understanding", None, True),
    (
        "2107.02137",
        "ERNIE 3.0: Large-scale Knowledge Enhanced Pre-training for Language Understanding and Generation",
        None,
        True,
    ),
    ("2006.16934", "ERNIE-ViL: Knowledge Enhanced Vision-Language Representations Through Scene Graph", None, True),
    # --- other pre-training
    ("1802.05365", "Deep contextualized word representations", None, True),
    ("1801.06146", "Universal Language Model Fine-tuning for Text Classification", None, True),
    ("1906.08237", "XLNet: Generalized Autoregressive Pretraining for Language Understanding", None, True),
    ("2003.10555", "ELECTRA: Pre-training Text Encoders as Discriminators Rather Than Generators", None, True),
    ("1910.10683", "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer", None, True),
    (
        "1910.13461",
        "BART: Denoising Sequence-to-Sequence Pre-training for Natural Language Generation, Translation, "
        "and Comprehension",
        None,
        True,
    ),
    ("1905.03197", "Unified Language Model Pre-training for Natural Language Understanding and Generation", None, True),
    ("1905.02450", "MASS: Masked Sequence to Sequence Pre-training for Language Generation", None, True),
    ("1912.08777", "PEGASUS: Pre-training with Extracted Gap-sentences for Abstractive Summarization", None, True),
    ("1911.02116", "Unsupervised Cross-lingual Representation Learning at Scale", None, True),
    ("1901.07291", "Cross-lingual Language Model Pretraining", None, True),
    ("2001.08210", "Multilingual Denoising Pre-training for Neural Machine Translation", None, True),
    ("2004.10964", "Don't Stop Pretraining: Adapt Language Models to Domains and Tasks", None, True),
    ("2003.08271", "Pre-trained Models for Natural Language Processing: A Survey", None, True),
    ("2104.08821", "SimCSE: Simple Contrastive Learning of Sentence Embeddings", None, True),
    ("1503.02531", "Distilling the Knowledge in a Neural Network", None, True),
    # --- word vectors, seq2seq, classics
    ("1301.3781", "Efficient Estimation of Word Representations in Vector Space", None, True),
    ("1310.4546", "Distributed Representations of Words and Phrases and their Compositionality", None, True),
    ("1607.04606", "Enriching Word Vectors with Subword Information", None, True),
    ("1508.07909", "Neural Machine Translation of Rare Words with Subword Units", None, True),
    (
        "1808.06226",
        "SentencePiece: A simple and language independent subword tokenizer and detokenizer for Neural Text Processing",
        None,
        True,
    ),
    ("1409.0473", "Neural Machine Translation by Jointly Learning to Align and Translate", None, True),
    ("1409.3215", "Sequence to Sequence Learning with Neural Networks", None, True),
    ("1512.03385", "Deep Residual Learning for Image Recognition", None, True),
    ("1603.05027", "Identity Mappings in Deep Residual Networks", None, True),
    ("1412.6980", "Adam: A Method for Stochastic Optimization", None, True),
    ("1711.05101", "Decoupled Weight Decay Regularization", None, True),
    (
        "1502.03167",
        "Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift",
        None,
        True,
    ),
    ("1607.06450", "Layer Normalization", None, True),
    ("2002.04745", "On Layer Normalization in the Transformer Architecture", None, True),
    ("1406.2661", "Generative Adversarial Networks", None, True),
    ("1312.6114", "Auto-Encoding Variational Bayes", None, True),
    ("2006.11239", "Denoising Diffusion Probabilistic Models", None, True),
    ("2103.00020", "Learning Transferable Visual Models From Natural Language Supervision", None, True),
    ("2002.05709", "A Simple Framework for Contrastive Learning of Visual Representations", None, True),
    # --- benchmarks
    ("1804.07461", "GLUE: A Multi-Task Benchmark and Analysis Platform for Natural Language Understanding", None, True),
    ("1905.00537", "SuperGLUE: A Stickier Benchmark for General-Purpose Language Understanding Systems", None, True),
    ("1606.05250", "SQuAD: 100,000+ Questions for Machine Comprehension of Text", None, True),
    ("1806.03822", "Know What You Don't Know: Unanswerable Questions for SQuAD", None, True),
    # --- same title, different years (made up: two different papers with one title)
    ("2199.00020", "On the Robustness of Language Models", 2019, False),
    ("2199.00021", "On the Robustness of Language Models", 2023, False),
    ("2199.00022", "A Survey on Neural Text Generation", 2017, False),
    ("2199.00023", "A Survey on Neural Text Generation", 2022, False),
]

_VENUES = ("ACL", "EMNLP", "NAACL", "NeurIPS", "ICLR", "ICML", "TACL", "arXiv.org")


def _h(key: str) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16)


def paper_dict(arxiv_id: str, title: str, year: int | None, real: bool) -> dict:
    yy, mm = int(arxiv_id[:2]), int(arxiv_id[2:4])
    if year is None:
        year = 1900 + yy if yy > 90 else 2000 + yy
    month = mm if 1 <= mm <= 12 else 1 + _h(arxiv_id) % 12
    day = 1 + _h("d" + arxiv_id) % 28
    published = f"{year}-{month:02d}-{day:02d}T12:00:00Z"
    venue = _VENUES[_h("v" + arxiv_id) % len(_VENUES)]
    cites = _h("c" + arxiv_id) % 5000
    return {
        "arxiv_id": arxiv_id,
        "version": 1 + _h("ver" + arxiv_id) % 3,
        "title": title,
        "authors": [
            f"Fixture Author {chr(65 + (_h(arxiv_id + str(i)) % 26))}. {i + 1}" for i in range(1 + _h(arxiv_id) % 4)
        ],
        "summary": (
            "Fixture abstract (made up for the resolver evaluation, not the real abstract). "
            f"This work on {title} reports results on standard benchmarks."
        ),
        "published": published,
        "updated": published,
        "primary_category": "cs.CL",
        "categories": ["cs.CL", "cs.LG"],
        "doi": None,
        "journal_ref": None,
        "comment": None if real else "made-up distractor paper (FIXTURE)",
        "s2_paper_id": s2_id_for(arxiv_id),
        "corpus_id": corpus_id_for(arxiv_id),
        "venue": venue,
        "year": year,
        "publication_date": published[:10],
        "citation_count": cites,
        "influential_citation_count": cites // 10,
        "reference_count": 10 + _h("r" + arxiv_id) % 60,
        "_real": real,
    }


def build() -> dict:
    ids = [p[0] for p in PAPERS]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise SystemExit(f"duplicate ids: {sorted(dupes)}")
    return {"_notice": NOTICE, "papers": [paper_dict(*p) for p in PAPERS]}


def main() -> None:
    CORPUS_PATH.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {CORPUS_PATH} ({len(PAPERS)} papers)")


if __name__ == "__main__":
    main()
