"""绩效自评表审核 — the entry ``streamlit run app.py`` names; the page lives in the package
(``auditor/webapp/app.py``) so an installed ``auditor page`` runs the same code."""

from auditor.webapp.app import main

main()
