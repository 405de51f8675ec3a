"""The HTTP toolkit every blueprint shares: reading bodies and query arguments through marshmallow,
If-Match / ETag, the 202 answer of a long operation (http.py), authentication hooks and the tenant rate
limit (auth.py, rate_limit.py), and the OpenAPI document (openapi.py). Services never import this package."""
