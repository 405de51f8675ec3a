"""Triage assistant engine (issue 19): similar incidents, suggestions and duplicate warnings.

Pure computation, no Flask and no database. The caller (a Celery task per tenant, and the incident
service) turns that tenant's incidents into `TriageDocument`s, builds one `TfidfIndex(scope=tenant_id)`,
keeps it current with add/update/remove, stores `to_bytes()` and asks `suggest.advise(index, text, where)`.

Modules: text (Turkish/English normalisation), documents (the values), index (the interface and the
serialised form), tfidf (default backend), embedding (optional backend), hybrid (both), sketch (document
sketches and the diversified list of similar incidents), suggest (votes and duplicates).
The modules import scikit-learn (about a second): import them where they are used, not at app start-up.
"""
