"""The citation-growth panel says how it fills (one point per refresh run) and, for fixture data, that the growth
is the emulator's simulation, in the report's caption and on the figure itself (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from paper_catalogue.outputs import html_report, plots
from paper_catalogue.outputs.catalogue import to_frame

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def catalogue(origin: str) -> pd.DataFrame:
    return to_frame(
        [
            {
                "key": "arxiv:1810.04805",
                "entry_title": "BERT",
                "title": "BERT",
                "arxiv_id": "1810.04805",
                "citation_count": 100,
                "influential_citation_count": 10,
                "match_status": "matched",
                "match_score": 1.0,
                "fetched_at": T0,
                "stale": False,
                "data_origin": origin,
            }
        ]
    )


def growth_caption(origin: str) -> str:
    page = html_report.render_html(catalogue(origin), {}, {"citation_growth": "citation_growth.png"}, None)
    return page.split('id="fig-citation_growth"', 1)[1].split("<figcaption>", 1)[1].split("</figcaption>", 1)[0]


def test_the_caption_says_it_fills_one_point_per_refresh_run() -> None:
    for origin in ("live", "fixture"):
        caption = growth_caption(origin)
        assert "one point per refresh run" in caption and "per UTC day" in caption


def test_only_fixture_data_says_the_growth_is_simulated_by_the_emulator() -> None:
    assert "simulated by the emulator" in growth_caption("fixture")
    assert "make demo-refresh" in growth_caption("fixture")
    assert "simulated" not in growth_caption("live")


def test_the_figure_says_so_too() -> None:
    one_point = pd.DataFrame({"key": ["arxiv:1810.04805"], "fetched_at": [pd.Timestamp(T0)], "citation_count": [1]})
    fixture = plots.citation_growth(one_point, catalogue("fixture"))
    live = plots.citation_growth(one_point, catalogue("live"))
    assert "simulated by the emulator" in fixture.axes[0].get_title()
    assert "simulated" not in live.axes[0].get_title()
    fixture_text = " ".join(t.get_text() for t in fixture.axes[0].texts)
    live_text = " ".join(t.get_text() for t in live.axes[0].texts)
    assert "one point per refresh run" in fixture_text and "one point per refresh run" in live_text
    assert "emulator simulates the growth" in fixture_text and "emulator" not in live_text


def test_two_snapshots_within_one_second_draw_a_line() -> None:
    """Run times have one-second resolution: a refresh right after an enrich (the test suite, a scripted demo) is a
    second snapshot with the same timestamp, and still counts (the panel once drew nothing, depending on the clock)."""
    history = pd.DataFrame(
        {
            "key": ["arxiv:1810.04805", "arxiv:1810.04805"],
            "fetched_at": [T0, T0],
            "citation_count": [100, 120],
            "influential_citation_count": [10, 12],
        }
    )
    fig = plots.citation_growth(history, catalogue("fixture"))
    assert len(fig.axes[0].lines) == 1
