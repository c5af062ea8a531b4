"""Reading lists in, entries out: markdown (bullets, tables, headings), text, CSV/TSV, BibTeX, in any encoding.

In: the files under ``data/raw/``. Out: ``ListEntry`` per title line, ``SkippedLine`` per line that is not one (with
why), ``ListProblem`` per file problem (named by file and line). Nothing here knows about HTTP or scoring.
Public: ``load.load_reading_lists``, ``load.merge_entries``, ``load.raise_for_fatal``, ``load.parse_markdown``,
``overrides_file.load_overrides``; the parsers' other names are private to this package.
"""
