"""Preflight for scripts/schemathesis.sh: prove the config file means what it says before a 5-minute run.

Run with the schemathesis venv's python. Every built-in check must be on for every operation, except the
per-operation switches scripts/schemathesis.toml declares. A check named on the command line (`--checks
all`) outranks a per-operation `enabled = false` in the file, which once left the cutover activity list's
switch silently ignored; this catches that and any future slip of the same kind.
"""

import sys

from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import _BUILTIN_CHECK_NAMES

# Off by design: max_response_time has no limit to enforce.
ALWAYS_OFF = {"max_response_time"}
EXPECTED_OFF = {"runbooks.list_activities.get": {"negative_data_rejection"}}


class _Operation:
    """Just enough of an APIOperation for schemathesis' operation filters."""

    def __init__(self, operation_id: str):
        self.label = self.path = self.method = ""
        self.definition = type("Definition", (), {"raw": {"operationId": operation_id}})()
        self.operation_id = operation_id
        self.tags = []
        self.schema = self

    def get_operation_id(self, operation) -> str:
        return operation.operation_id


def main(path: str) -> int:
    project = SchemathesisConfig.from_path(path).projects.default
    problems = []
    for operation_id in [*EXPECTED_OFF, "projects.list_projects.get"]:
        checks = project.checks_config_for(operation=_Operation(operation_id), phase="fuzzing")
        off = {name for name in _BUILTIN_CHECK_NAMES if not checks.get_by_name(name=name).enabled} - ALWAYS_OFF
        expected = EXPECTED_OFF.get(operation_id, set())
        if off != expected:
            problems.append(f"{operation_id}: checks off {sorted(off)}, expected {sorted(expected)}")
    for problem in problems:
        print(f"schemathesis config: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
