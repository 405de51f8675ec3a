"""Input no store can hold is refused at the door, the same way on SQLite and PostgreSQL.

- NUL (U+0000): PostgreSQL refuses it in text and in jsonb, so it would surface as a database error.
- Lone UTF-16 surrogates (U+D800-U+DFFF, e.g. JSON "\\ud800"): not encodable as UTF-8, so the driver fails.
- Integers beyond a signed 64-bit BIGINT: the drivers overflow binding them.
- JSON nested deeper than any document of ours: the parser and every recursive consumer after it
  (serialisers, marshmallow, jsonb) run out of stack; Python answers that with RecursionError.
"""

import json
import re

from app.utils.errors import BadRequest

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_JSON_DEPTH = 64  # our deepest document (a mapping inside a list inside an object) is far below this

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
NUL_MESSAGE = "Must not contain the NUL character (U+0000)."
SURROGATE_MESSAGE = "Must not contain unpaired UTF-16 surrogates (U+D800-U+DFFF)."


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored, or None when it can."""
    match = _BAD_TEXT.search(value)
    if match is None:
        return None
    return NUL_MESSAGE if match.group() == "\x00" else SURROGATE_MESSAGE


def without_unstorable(value: str) -> str:
    """For what the client does not choose to send but its software does (a User-Agent header): stored for
    information only, so the bad characters are dropped instead of refusing the request."""
    return _BAD_TEXT.sub("", value)


def int64_problem(value: int) -> str | None:
    if INT64_MIN <= value <= INT64_MAX:
        return None
    return f"Must be between {INT64_MIN} and {INT64_MAX}."


def loads(data: bytes | str, what: str = "The body"):
    """json.loads that answers 400 (never RecursionError) for malformed or too deeply nested JSON."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise BadRequest(f"{what} is nested too deeply (at most {MAX_JSON_DEPTH} levels).") from None
    except ValueError:  # includes UnicodeDecodeError
        raise BadRequest(f"{what} is not valid JSON.") from None
    check_depth(value, what)
    return value


def check_depth(value, what: str = "The body") -> None:
    """Iterative, so a deep document cannot exhaust the stack here either."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise BadRequest(f"{what} is nested too deeply (at most {MAX_JSON_DEPTH} levels).")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def unstorable(value) -> dict[str, list[str]]:
    """Every string (key or value) and integer in a parsed JSON document that no store can hold, as field
    errors keyed by path ("name", "steps.0.title"); a bad key is reported at its parent ("_schema" at the
    top). Empty when all is well."""
    errors: dict[str, list[str]] = {}
    stack = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            problem = int64_problem(item)
        else:
            problem = None
            if isinstance(item, dict):
                for key, child in item.items():
                    if text_problem(key):
                        errors.setdefault(path or "_schema", []).append(f"A field name: {text_problem(key)}")
                        continue
                    stack.append((child, f"{path}.{key}" if path else key))
            elif isinstance(item, list):
                stack.extend((child, f"{path}.{index}" if path else str(index)) for index, child in enumerate(item))
        if problem:
            errors.setdefault(path or "_schema", []).append(problem)
    return errors
