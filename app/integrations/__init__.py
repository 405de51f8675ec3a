"""The integrations hub: the outbound gateway and its parts, the connector framework, the sandbox
stand-ins. Only alm_gateway.py speaks HTTP (tests/unit/test_outbound_imports.py keeps it so)."""
