"""Demo data per area, called by `flask seed-demo` (app/cli.py build_demo)."""
