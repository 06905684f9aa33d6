"""Error answers in the two shapes Azure uses.

Resource Manager's own errors (auth, api-version, routing, names, tags, request parsing, preconditions,
missing subscription/group/resource) are WRAPPED: {"error": {"code", "message"}}. Errors the provider
itself raises (sku, location change, body content, skiptoken, async) are FLAT: {"code", "message", "details"}.
Clients must read both, so the emulator produces both.
"""

WRAPPED = "wrapped"
FLAT = "flat"


class ApiError(Exception):
    """An error answer; raise it from any handler and the app renders it."""

    def __init__(self, status, code, message, shape=WRAPPED, headers=None, details=None, target=None):
        super().__init__("%s %s: %s" % (status, code, message))
        self.status = status
        self.code = code
        self.message = message
        self.shape = shape
        self.headers = dict(headers or {})
        self.details = details
        self.target = target

    def body(self):
        if self.shape == FLAT:
            return {"code": self.code, "message": self.message, "details": list(self.details or [])}
        inner = {"code": self.code, "message": self.message}
        if self.target is not None:
            inner["target"] = self.target
        if self.details:
            inner["details"] = list(self.details)
        return {"error": inner}


def arm(status, code, message, **kwargs):
    """A Resource Manager (wrapped) error."""
    return ApiError(status, code, message, shape=WRAPPED, **kwargs)


def provider(status, code, message, details=None, **kwargs):
    """A provider (flat) error."""
    return ApiError(status, code, message, shape=FLAT, details=details, **kwargs)


def invalid_content(reason):
    return arm(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: %s" % reason)
