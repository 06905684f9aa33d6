"""List paging like ARM: absolute nextLink with an opaque $skiptoken, optional empty pages.

The skiptoken is base64url JSON {"s": scope, "a": cursor, "e": empty-page-already-served}; a token for
another list, or garbage, is rejected with a flat 400 InvalidSkipToken (lists are answered by the provider).
"""

import base64
import json
from urllib.parse import quote

from . import errors


def encode(scope, after, empty_served):
    raw = json.dumps({"s": scope, "a": after, "e": 1 if empty_served else 0}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token, scope):
    if token is None:
        return 0, False
    try:
        padded = token + "=" * (-len(token) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(value, dict) or value.get("s") != scope or value.get("e") not in (0, 1):
            raise ValueError("bad token")
        if type(value.get("a")) is not int or value["a"] < 0:  # pylint: disable=unidiomatic-typecheck
            raise ValueError("bad cursor")
    except (ValueError, UnicodeDecodeError, TypeError):
        raise errors.provider(400, "InvalidSkipToken", "The skip token '%s' is invalid or was issued for another list." % token,
                              details=[{"code": "InvalidSkipToken", "message": "Start the list again without $skiptoken."}]) from None
    return value["a"], bool(value["e"])


def page(scope, token, page_size, empty_pages, fetch, link):
    """Build one page.

    fetch(after, limit) -> list of (cursor, item) with cursor > after, in order.
    link(token) -> absolute nextLink URL.
    """
    after, empty_served = decode(token, scope)
    rows = fetch(after, page_size + 1)
    if empty_pages and not empty_served and rows:
        return {"value": [], "nextLink": link(encode(scope, after, True))}
    items = rows[:page_size]
    body = {"value": [item for _cursor, item in items]}
    if len(rows) > page_size:
        body["nextLink"] = link(encode(scope, items[-1][0], False))
    return body


def next_link(base, raw_path, api_version, token):
    return "%s%s?api-version=%s&$skiptoken=%s" % (base, raw_path, quote(api_version, safe=""), quote(token, safe=""))
