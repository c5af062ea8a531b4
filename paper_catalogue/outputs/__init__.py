"""Files for people: the catalogue (Parquet/CSV contract), citation history, review file, BibTeX, HTML report, plots.

In: catalogue rows (pandas) and the stage records. Out: files under ``data/enriched/``, each written atomically.
Public: ``catalogue`` (COLUMNS, write_catalogue, load_catalogue), ``history``, ``review``, ``bibtex``,
``html_report``, ``plots``; ``command`` is the report and BibTeX commands' shared command line.
"""
