"""Does a title as written name this paper? Pure functions: no I/O, no clock, no network.

In: a ``TitleRecord`` and the ``Candidate`` papers the sources proposed. Out: a ``Resolution`` (matched / ambiguous /
unmatched, with its score and reason). Public: ``normalise`` (normalise_title, tokens), ``context`` (query_title),
``similarity`` (title_score), ``decide`` (decide, year_disagrees), ``identifiers``, ``overrides``.
"""
