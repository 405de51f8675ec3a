"""PUT replaces, PATCH changes some fields (issue 15.1). A PUT view loads its schema whole, so its required
fields are required; a PATCH view loads the same schema with `partial=True`. `patch_of` is that schema as
the document describes the PATCH body: the same fields, hooks and Meta, none of them required."""

import copy
from functools import cache


@cache
def patch_of(schema_cls: type) -> type:
    overrides = {}
    for name, field in schema_cls._declared_fields.items():
        if field.required:
            overrides[name] = copy.copy(field)
            overrides[name].required = False
    name = schema_cls.__name__.removesuffix("Schema") + "PatchSchema"
    return type(name, (schema_cls,), {"__module__": schema_cls.__module__, "__doc__": schema_cls.__doc__, **overrides})
