"""Lines of real published reading lists (awesome-lists on GitHub): what is a paper, and what is not.

Each test pins a class of line seen in real READMEs (see evaluation/real_lists/), never a single title.
"""

from __future__ import annotations

from paper_catalogue.lists.load import parse_markdown
from paper_catalogue.lists.nonpaper import is_authors_line, is_results_row, non_paper_section
from paper_catalogue.matching.context import query_title
from paper_catalogue.matching.similarity import title_similarity


def parse(text: str) -> tuple[list[tuple[str, int]], dict[int, str]]:
    entries, skipped, _ = parse_markdown(text, "list.md")
    return [(e.title, e.occurrence.line) for e in entries], {s.line: s.reason for s in skipped}


def test_contents_change_log_talks_and_list_title_are_not_papers() -> None:
    entries, skipped = parse(
        "# awesome-self-supervised-learning\n"
        "## Change Log\n"
        "- July.29 ECCV'18 papers updated!\n"
        "## Table of Contents\n"
        "- [Computer Vision](#computer-vision)\n"
        "  - [Image Representation Learning](#image-representation-learning)\n"
        "## Papers\n"
        "- Unsupervised Visual Representation Learning by Context Prediction.\n"
        "## Talks/Slides\n"
        "- Deep Reinforcement Learning, Fall 2015\n"
        "### More talks\n"
        "- Another Talk About Deep Learning Systems\n"
        "## Further Papers\n"
        "- A Second Paper That Is Listed Here\n"
    )
    assert entries == [
        ("Unsupervised Visual Representation Learning by Context Prediction", 8),
        ("A Second Paper That Is Listed Here", 14),
    ]
    assert skipped[1].startswith("heading naming the list")
    assert "lists no papers" in skipped[3] and "table-of-contents" in skipped[5] and "table-of-contents" in skipped[6]
    assert "'Talks/Slides' section" in skipped[10] and "'Talks/Slides' section" in skipped[12]


def test_a_paper_link_in_a_non_paper_section_is_still_an_entry() -> None:
    entries, _ = parse("## Tutorials\n- Tutorial slides [arXiv](https://arxiv.org/abs/1701.07274)\n")
    assert entries == [("Tutorial slides", 2)]


def test_author_lines_under_titles_are_skipped() -> None:
    for line in (
        "Doersch, Carl and Gupta, Abhinav and Efros, Alexei A. *ICCV 2015*",
        "Ruohan Gao, Rogerio Feris, Kristen Grauman",
        "Pathak, Deepak and",
        "L. Gomez* and Y. Patel* and M. Rusiñol and D. Karatzas and C.V. Jawahar. CVPR 2017",
    ):
        assert is_authors_line(line), line
    for title in (
        "Listen, Attend and Spell",
        "Deep Residual Learning, Revisited",
        "Generative Adversarial Nets. NIPS 2014",
    ):
        assert not is_authors_line(title), title
    entries, skipped = parse(
        "- Unsupervised Learning of Visual Representations using Videos.\n"
        "  - Wang, Xiaolong and Gupta, Abhinav. ICCV 2015\n"
    )
    assert entries == [("Unsupervised Learning of Visual Representations using Videos", 1)]
    assert skipped[2] == "a line of author names"


def test_notes_nested_under_an_emphasised_entry_are_notes() -> None:
    entries, skipped = parse(
        " - V. Mnih, K. Kavukcuoglu, and D. Silver, **Playing Atari with Deep Reinforcement Learning**, NIPS 2013.\n"
        "   - Deep Q-Network (DQN) with experience replay\n"
        " - H. van Hasselt, **Deep Reinforcement Learning with Double Q-learning**, arXiv, 2015.\n"
    )
    assert [t for t, _ in entries] == [
        "Playing Atari with Deep Reinforcement Learning",
        "Deep Reinforcement Learning with Double Q-learning",
    ]
    assert skipped[2] == "a note under the entry on line 1"


def test_results_tables_contacts_slides_images_and_prose() -> None:
    assert is_results_row(["Fast R-CNN", "70.0 (07+12)", "68.4 (07++12)", "-", "ICCV'15"], 0)
    assert not is_results_row(["Attention Is All You Need", "NIPS", "2017"], 0)
    entries, skipped = parse(
        "| Detector | VOC07 | VOC12 | Published In |\n|---|---|---|---|\n| Fast R-CNN | 70.0 | 68.4 | ICCV'15 |\n\n"
        "- Email: someone@example.com\n"
        "- [A Survey on Algorithms of Convex Optimization.pptx](https://example.com/x.pptx)\n"
        "- ![The GAN Zoo.jpg](The_GAN_Zoo.jpg)\n"
        "- I'm a research engineer. I keep this list of papers for my team and friends.\n"
    )
    assert entries == []
    assert skipped[3].startswith("a results-table row")
    assert skipped[5] == "contact details, not a paper"
    assert skipped[6].startswith("a .pptx file") and skipped[7].startswith("a .jpg file")
    assert skipped[8] == "prose about the list"
    assert non_paper_section("Contributing") and not non_paper_section("Miscellaneous")


def test_title_forms_researchers_write() -> None:
    entries, skipped = parse(
        "- 201801 Universal Language Model Fine-tuning for Text Classification\n"
        "- 2018 ACL Deep contextualized word representations\n"
        "#### [Semi-supervised Sequence Learning](https://papers.nips.cc/paper/5949)\n"
        "#### [bert rediscovers the classical nlp pipeline](https://example.org/paper)\n"
        "- **[OverFeat]** OverFeat: Integrated Recognition, Localization and Detection | Sermanet, et al. |"
        " **[ICLR' 14]** | [`[code]`](https://github.com/x)\n"
        "- [[FNN]Deep Learning over Multi-field Categorical Data.pdf](https://github.com/x/y.pdf)\n"
        "- **Why Should I Trust You?** *Ribeiro et al.* KDD 2016\n"
    )
    titles = dict((t, n) for t, n in entries)
    assert titles == {
        "Universal Language Model Fine-tuning for Text Classification": 1,
        "Deep contextualized word representations": 2,
        "Semi-supervised Sequence Learning": 3,
        "bert rediscovers the classical nlp pipeline": 4,
        "OverFeat: Integrated Recognition, Localization and Detection": 5,
        "Deep Learning over Multi-field Categorical Data": 6,
        "Why Should I Trust You?": 7,
    }, skipped
    years = {
        e.occurrence.line: (e.occurrence.venue_hint, e.occurrence.year_hint)
        for e in parse_markdown(
            "- 201801 Universal Language Model Fine-tuning for Text Classification\n"
            "- 2018 ACL Deep contextualized word representations\n",
            "l.md",
        )[0]
    }
    assert years == {1: (None, 2018), 2: ("ACL", 2018)}


def test_a_link_on_the_line_after_its_title_belongs_to_it() -> None:
    entries, _, _ = parse_markdown(
        "- Unsupervised Visual Representation Learning by Context Prediction.\n"
        "  [[pdf]](https://arxiv.org/abs/1505.05192)\n",
        "l.md",
    )
    assert [(e.title, e.arxiv_id) for e in entries] == [
        ("Unsupervised Visual Representation Learning by Context Prediction", "1505.05192")
    ]


def test_a_nickname_in_front_is_not_part_of_the_title() -> None:
    assert query_title("TGAN - Temporal Generative Adversarial Nets") == "Temporal Generative Adversarial Nets"
    assert (
        title_similarity(
            "Improved GAN - Improved Techniques for Training GANs", "Improved Techniques for Training GANs"
        )[0]
        >= 0.97
    )
    assert title_similarity("Universal Transformer - Universal Transformers", "Universal Transformers")[0] >= 0.97
    # a nickname that versions the paper differently never goes: Llama-3 is not Llama 2
    assert (
        title_similarity(
            "Llama 3 - Open Foundation and Fine-Tuned Chat Models",
            "Llama 2: Open Foundation and Fine-Tuned Chat Models",
        )[0]
        < 0.9
    )


def test_the_review_file_lists_the_skipped_lines_by_reason() -> None:
    from paper_catalogue.models import SkippedLine
    from paper_catalogue.outputs.review import build_review

    skipped = [
        SkippedLine("l.md", n, f"Author{n}, A. and B{n}, C. ICCV 2015", "a line of author names") for n in range(7)
    ]
    skipped.append(SkippedLine("l.md", 40, "- [Audio](#audio)", "a table-of-contents link"))
    text = build_review(
        [], [], generated_at="2026-01-01T00:00:00Z", data_origin="live", accept_score=0.9, skipped=skipped
    )
    section = text[text.index("## Lines not read as papers (8)") :]
    assert "- **a line of author names** (7): `l.md:0`" in section and "… and 2 more" in section
    assert "- **a table-of-contents link** (1): `l.md:40`" in section
