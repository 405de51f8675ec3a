"""Values shared between requests (a worker's memos), handed out so that no request can change another's."""


def own_copy(values: dict) -> dict:
    """`values` for one caller to keep and change: lists, dicts and sets are copied all the way down; everything else
    a memo holds here (text, numbers, UUIDs, dates) cannot be changed in place and is shared."""
    return {key: _copied(value) for key, value in values.items()}


def _copied(value):
    # Not copy.deepcopy: the values are JSON documents and query arguments, and deepcopy's generality (a memo of
    # every object, __reduce__) made it a twentieth of a cached request.
    kind = type(value)
    if kind is list:
        return [_copied(item) for item in value]
    if kind is dict:
        return {key: _copied(item) for key, item in value.items()}
    if kind is set:
        return set(value)
    return value
