"""The two ends of one WSGI exchange, reduced to what the emulator reads and writes.

werkzeug's Request and Response did this in general and took about a quarter of the CPU of an account GET; the
emulator needs only the method, the raw and the decoded path, the query, a few headers by name and the body, and
to send a status, headers and bytes. cheroot (run.py) parses HTTP itself and sets `wsgi.input_terminated`, so the
body stream ends where the request's body ends (Content-Length or chunked).
"""

import functools
import http
from urllib.parse import parse_qsl, quote, urlsplit


class RequestHeaders:
    """The request's headers by name, ignoring case (`get` only), read from the WSGI environ."""

    __slots__ = ("_environ",)

    def __init__(self, environ):
        self._environ = environ

    def get(self, name, default=None):
        return self._environ.get(_environ_key(name), default)


@functools.lru_cache(maxsize=256)
def _environ_key(name):
    """The WSGI environ key of a request header: Content-Type -> CONTENT_TYPE, X-Foo -> HTTP_X_FOO."""
    key = name.upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key


class IncomingRequest:
    """method, path (decoded), raw_path (as sent, still percent-encoded), query pairs, args, headers, body."""

    __slots__ = ("method", "path", "raw_path", "query", "args", "headers", "body")

    def __init__(self, environ):
        self.method = environ["REQUEST_METHOD"].upper()
        self.path = "/" + (environ.get("PATH_INFO") or "").encode("latin1").decode("utf-8", "replace").lstrip("/")
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or quote(self.path)
        self.raw_path = raw_uri.partition("?")[0] if raw_uri.startswith("/") else urlsplit(raw_uri).path or "/"
        self.query = _query_pairs(environ.get("QUERY_STRING") or "")
        self.args = {}
        for key, value in self.query:
            self.args.setdefault(key, value)
        self.headers = RequestHeaders(environ)
        self.body = _body(environ)


@functools.lru_cache(maxsize=1024)
def _query_pairs(query):
    """The query's (name, value) pairs, as a tuple: a pure function of the text, and most queries come again."""
    return tuple(parse_qsl(query, keep_blank_values=True))


def _body(environ):
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if environ.get("wsgi.input_terminated"):  # the server ends the stream at the body's end
        return stream.read()
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return stream.read(length) if length > 0 else b""


@functools.lru_cache(maxsize=None)
def status_line(status):
    try:
        return "%d %s" % (status, http.HTTPStatus(status).phrase)
    except ValueError:
        return "%d Unknown" % status


def respond(start_response, status, headers, data):
    """Send `data` (bytes) with `headers` (a dict); return the WSGI body iterable.

    Content-Length is added unless given (an injected fault may give its own), and never sent with a 1xx or 204,
    which have no body (RFC 9110 8.6).
    """
    pairs = list(headers.items())
    bodiless = status < 200 or status in (204, 304)
    if not bodiless and not any(name.lower() == "content-length" for name, _value in pairs):
        pairs.append(("Content-Length", str(len(data))))
    start_response(status_line(status), pairs)
    return [] if bodiless else [data]
