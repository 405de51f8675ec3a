"""Substring search with LIKE where the user's `%` and `_` are the characters themselves, not wildcards
(a search for "100%" must not match everything, "a_b" must not match "axb")."""

LIKE_ESCAPE = "\\"


def like_pattern(term: str) -> str:
    """`%term%` with the escape character, `%` and `_` of the term escaped (for `escape=LIKE_ESCAPE`)."""
    escaped = term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%"


def icontains(column, term: str):
    """Case-insensitive "column contains term" (ILIKE on PostgreSQL, lower() LIKE lower() elsewhere)."""
    return column.ilike(like_pattern(term), escape=LIKE_ESCAPE)
