"""The only code that talks to the network: one cached HTTP session, politeness, retries, body checks, two clients.

In: ids and titles to look up. Out: ``ArxivRecord``/``S2Record`` by id and ``Candidate`` papers by title, or a
``FetchError`` naming why (never "no match"). Public: ``session.build_http``/``HttpClient``, ``arxiv_source``,
``s2_source``, ``errors``; ``politeness`` is the session's own.
"""
