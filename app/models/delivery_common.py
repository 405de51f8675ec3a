"""Vocabulary shared by the delivery domain (requirements, backlog, testing, defects) and by hypercare."""

SAP_MODULES = ("FI", "CO", "MM", "SD", "PP", "QM", "PM", "WM", "EWM", "HCM", "PS", "TR", "BASIS", "BTP", "OTHER")

# Severity terms shared with hypercare incidents (seed 002, action A4): one scale for reporting.
SEVERITIES = ("p1", "p2", "p3", "p4")
