"""The OData query options Graph supports on the emulated collections: `$filter` (eq, in, startswith, and, and
`any` over a collection of strings as in `tags/any(t:t eq 'x')`, Graph's filter-query-parameter.md),
`$select`, `$top`, and server-driven paging with an opaque `$skiptoken` in `@odata.nextLink`."""

import base64
import json
import re
from urllib.parse import urlencode

from .errors import GraphError, bad_request

MAX_TOP = 999
MAX_IN_VALUES = 15
_LITERAL = r"'(?:[^']|'')*'|[0-9a-fA-F-]{36}|true|false|null"
_CLAUSE = re.compile(
    rf"\s*(?:(?P<prop>\w+)\s+eq\s+(?P<value>{_LITERAL})"
    rf"|(?P<iprop>\w+)\s+in\s+\((?P<ivalues>\s*(?:{_LITERAL})(?:\s*,\s*(?:{_LITERAL}))*)\s*\)"
    r"|startswith\(\s*(?P<sprop>\w+)\s*,\s*(?P<svalue>'(?:[^']|'')*')\s*\)"
    r"|(?P<aprop>\w+)/any\(\s*(?P<avar>\w+)\s*:\s*(?P=avar)\s+eq\s+(?P<avalue>'(?:[^']|'')*')\s*\))\s*",
)


def _literal(text):
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    return {"true": True, "false": False, "null": None}.get(text, text)


def _same(a, b):
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    return a == b


def parse_filter(expression, filterable, resource):
    """A predicate over a resource's properties. Graph's 400s for bad syntax and unsupported properties."""
    if not expression:
        return lambda _props: True
    tests = []
    for part in re.split(r"\s+and\s+", expression.strip()):
        match = _CLAUSE.fullmatch(part)
        if not match:
            raise bad_request(f"Invalid filter clause: {expression}")
        prop = match["prop"] or match["iprop"] or match["sprop"] or match["aprop"]
        if prop not in filterable:
            raise GraphError(400, "Request_UnsupportedQuery", f"Unsupported or invalid query filter clause "
                             f"specified for property '{prop}' of resource '{resource}'.")
        if match["prop"]:
            value = _literal(match["value"])
            tests.append(lambda p, k=prop, v=value: _same(p.get(k), v))
        elif match["iprop"]:
            values = [_literal(v) for v in re.findall(_LITERAL, match["ivalues"])]
            if len(values) > MAX_IN_VALUES:
                raise GraphError(400, "Request_UnsupportedQuery", f"Too many child clauses specified in search "
                                 f"filter expression containing 'OR' operators: {len(values)}. Max allowed: "
                                 f"{MAX_IN_VALUES}.")
            tests.append(lambda p, k=prop, vs=values: any(_same(p.get(k), v) for v in vs))
        elif match["aprop"]:  # a collection of strings (tags): any member equal to the value
            value = _literal(match["avalue"])
            tests.append(lambda p, k=prop, v=value: any(_same(item, v) for item in p.get(k) or []))
        else:
            value = _literal(match["svalue"]).casefold()
            tests.append(lambda p, k=prop, v=value: str(p.get(k) or "").casefold().startswith(v))
    return lambda props: all(t(props) for t in tests)


def parse_select(raw, example, type_name):
    if not raw:
        return None
    fields = [f.strip() for f in raw.split(",") if f.strip()]
    for name in fields:
        if name not in example:
            raise bad_request(f"Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'.")
    return fields


def project(props, fields):
    return dict(props) if fields is None else {k: props.get(k) for k in fields}


def _skip(token):
    try:
        return int(json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["o"])
    except (ValueError, KeyError, TypeError):
        raise bad_request("Invalid $skiptoken value.") from None


def page(items, query, page_size, self_url):
    """(items of this page, @odata.nextLink or None) for a query (dict of the request's query string)."""
    top = query.get("$top")
    if top is not None:
        if not top.isdigit() or not 1 <= int(top) <= MAX_TOP:
            raise bad_request(f"Invalid page size specified: '{top}'. Must be between 1 and {MAX_TOP} inclusive.")
        size = int(top)
    else:
        size = page_size
    start = _skip(query["$skiptoken"]) if query.get("$skiptoken") else 0
    chunk = items[start:start + size]
    if start + size >= len(items):
        return chunk, None
    token = base64.urlsafe_b64encode(json.dumps({"o": start + size}).encode()).decode().rstrip("=")
    params = {k: v for k, v in query.items() if k != "$skiptoken"}
    params["$skiptoken"] = token
    return chunk, f"{self_url}?{urlencode(params, safe='$')}"
