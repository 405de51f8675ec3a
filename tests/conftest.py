"""Every fixture module of tests/fixtures/ is a plugin: its fixtures are available to every test by name."""

pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.services",
    "tests.fixtures.browser",
    "tests.fixtures.hypercare",
    "tests.fixtures.cutover",
    "tests.fixtures.sandboxes",
    "tests.fixtures.cloud_alm",
    "tests.fixtures.d365",
    "tests.fixtures.mail",
    "tests.fixtures.marketplaces",
    "tests.fixtures.attachments",
    "tests.fixtures.triage",
    "tests.fixtures.webhook_receiver",
]
