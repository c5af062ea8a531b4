"""Loopback emulator of the arXiv API and the Semantic Scholar Graph API (FIXTURE DATA corpus).

from paper_catalogue_emulator import Emulator, load_seed_corpus
with Emulator(corpus=load_seed_corpus(), arxiv_interval_s=0.05, s2_interval_s=0.02) as emu:
    ...  # emu.arxiv_url, emu.s2_url, emu.stats(), emu.inject(...)
"""

from paper_catalogue_emulator.configs import pipeline_config_text
from paper_catalogue_emulator.papers import Corpus, Paper, load_corpus, load_seed_corpus, synthetic_corpus
from paper_catalogue_emulator.server import Emulator

__all__ = [
    "Corpus",
    "Emulator",
    "Paper",
    "load_corpus",
    "load_seed_corpus",
    "pipeline_config_text",
    "synthetic_corpus",
]
