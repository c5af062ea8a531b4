"""Snapshot mode: the public bulk snapshots (arXiv metadata, Semantic Scholar dataset releases) in a local DuckDB.

``store`` opens the database and owns its schema; ``arxiv_import`` and ``s2_import`` stream the downloaded
JSON-lines files into it with DuckDB's own ``read_json`` (never the whole file in memory); ``lookup`` answers
the pipeline's questions (candidates for many titles by SQL joins, records by id); ``download`` fetches S2
release and diff files with the API key, resumable and checksummed.
"""
