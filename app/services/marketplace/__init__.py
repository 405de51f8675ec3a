"""Marketplace stores in hypercare (issue 20): stores, sync (full and delta), the order-flow rules and their
sweep, the war-room panel and the Basic-auth order webhook. Connectors: app/integrations/trendyol/ and
app/integrations/hepsiburada/."""
