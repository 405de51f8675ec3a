"""Values shared between requests (a worker's memos), handed out so that no request can change another's."""

import copy


def own_copy(values: dict) -> dict:
    """`values` for one caller to keep and change: lists, dicts and sets are copied (deeply); everything else a memo
    holds here (text, numbers, UUIDs, dates) cannot be changed in place and is shared."""
    return {
        key: copy.deepcopy(value) if isinstance(value, list | dict | set) else value for key, value in values.items()
    }
