"""The triage assistant inside Meridian (issue 19): the engine of app/services/triage/ (pure computation)
wired to the tenant's incidents, its stored index, the API and the Celery task.

- documents: an incident as the engine sees it (text, status, labels);
- backends: which index class the installation uses (TF-IDF, or sentence embeddings where packaged);
- store: the tenant's serialised index in the database, and the loaded copies a process keeps;
- sync: the hook incident changes call, and the task's work that brings the stored index up to date;
- advice: similar incidents, suggestions and the duplicate warning, as a user may see them;
- outcomes: suggestions accepted or rejected, and the acceptance report;
- links: incidents linked as duplicates.

The engine imports scikit-learn (about a second): its modules are imported inside functions here, so the
app starts without it and only a process that triages pays for it.
"""
