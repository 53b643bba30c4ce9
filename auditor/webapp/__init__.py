"""Plain functions behind the Streamlit page (``app.py``): uploads, tables, filters, evidence.

Nothing here but ``app.py`` (the page itself) imports Streamlit, so every piece is unit-tested
without a page.
"""
