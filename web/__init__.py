"""The reference front end: every journey in the browser, in French, with the DSFR, built on the
HTTP API only (it is an API layer, like any other). It imports nothing from the rest of Parcours
(tests/test_web_pages.py checks it): what it knows of a journey, it reads from the API."""
