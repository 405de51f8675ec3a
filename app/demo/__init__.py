"""Demo data for the demo tenant, one module per area; build_demo() in app/cli.py calls them."""
