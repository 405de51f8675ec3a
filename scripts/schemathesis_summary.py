"""Count the failures of a schemathesis run (its NDJSON report) per check, split into the API's two halves
(issue 15: people, projects and delivery vs. hypercare, testing, cutover and integrations), one line per
unique failure (check, operation, code) below the table. Standard library only."""

import json
import re
import sys
from collections import Counter

# Paths of the second half; everything else is the first (auth, account, users, admin, projects, delivery).
# The attachments and discussions blueprints hang under every object, whichever half owns the object.
FIRST_HALF_WHEREVER = re.compile(r"/attachments(/|$)|^(?!.*/hypercare/).*/comments$")
SECOND_HALF = re.compile(
    r"/(hypercare|triage|incidents|change-requests|runbooks|runbook-runs|runs|test-cases|test-cycles|testing"
    r"|defects|cloud-alm|integrations|connections|leads|marketplace|webhooks|sla)(/|$)"
)


def failures(path: str):
    seen = set()
    with open(path, encoding="utf-8") as events:
        for line in events:
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if not finished:
                continue
            for checks in (finished.get("recorder") or {}).get("checks", {}).values():
                for check in checks:
                    info = (check.get("failure_info") or {}).get("failure")
                    if check.get("status") != "failure" or not info:
                        continue
                    key = (check["name"], info.get("operation", "?"), info.get("code", "?"), info.get("title", ""))
                    if key not in seen:
                        seen.add(key)
                        yield key


def main(path: str) -> None:
    found = sorted(failures(path))
    halves = Counter()
    for name, operation, _code, _title in found:
        second = SECOND_HALF.search(operation) and not FIRST_HALF_WHEREVER.search(operation)
        halves[(name, "second" if second else "first")] += 1
    print(f"schemathesis: {len(found)} unique failures (check x operation x kind)")
    for name in sorted({name for name, _ in halves}):
        print(f"  {name:<34} first half {halves[(name, 'first')]:>3}   second half {halves[(name, 'second')]:>3}")
    for name, operation, code, title in found:
        print(f"  - {code} {name}: {operation} ({title})")


if __name__ == "__main__":
    main(sys.argv[1])
