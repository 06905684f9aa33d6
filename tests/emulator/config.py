"""Runtime knobs (paging, async behaviour, Retry-After, token lifetime, etags, throttling), changeable via the control API.

Kept in memory: a restart or POST /_emulator/reset brings back the values given at start.
"""

import copy
import threading

OUTCOMES = ("Succeeded", "Failed", "Canceled")

DEFAULTS = {
    "page_size": 100,
    "empty_pages": False,
    "async": False,
    "async_polls": 2,
    "async_seconds": None,
    "async_outcome": "Succeeded",
    "async_error": {"code": "InternalOperationError", "message": "The operation failed (emulated failure)."},
    "retry_after": 1,
    "token_lifetime": 3600,
    # Whether accounts carry an etag (body field and ETag header). Off models a provider that has none, as this
    # provider's published API shows none; see docs/decisions.md for what If-Match / If-None-Match do then.
    "etags": True,
    # Where accounts may be created (tests/emulator/locations.py): the preview's regions (East US 2, West Central US,
    # Australia East, West Europe, Southeast Asia) plus the US/EU regions the collection's tests and examples use.
    "account_locations": ["eastus", "eastus2", "westus", "westus2", "westcentralus", "westeurope", "northeurope",
                          "southeastasia", "australiaeast"],
    # Resource Manager's throttling (tests/emulator/throttling.py): off by default. The buckets are Azure's documented
    # subscription limits per principal (2024 token-bucket algorithm); the global bucket is `factor` times them.
    "throttling": False,
    "throttling_reads": {"size": 250, "rate": 25},
    "throttling_writes": {"size": 200, "rate": 10},
    "throttling_deletes": {"size": 200, "rate": 10},
    "throttling_global_factor": 15,
}


def _int(minimum):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError("must be an integer >= %d" % minimum)
        return value
    return check


def _bool(value):
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _seconds_or_null(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError("must be a number of seconds >= 0, or null")
    return value


def _locations(value):
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError("must be a non-empty list of location names")
    return list(dict.fromkeys("".join(v.split()).lower() for v in value))


def _outcome(value):
    if value not in OUTCOMES:
        raise ValueError("must be one of %s" % ", ".join(OUTCOMES))
    return value


def _error(value):
    if not isinstance(value, dict) or not isinstance(value.get("code"), str) or not isinstance(value.get("message"), str):
        raise ValueError('must be an object {"code": str, "message": str}')
    return {"code": value["code"], "message": value["message"]}


def _bucket(value):
    problem = 'must be an object {"size": integer >= 1, "rate": tokens per second > 0}'
    if not isinstance(value, dict) or set(value) != {"size", "rate"}:
        raise ValueError(problem)
    size, rate = value["size"], value["rate"]
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(problem)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0 or rate == float("inf"):
        raise ValueError(problem)
    return {"size": size, "rate": rate}


CHECKS = {
    "page_size": _int(1),
    "empty_pages": _bool,
    "async": _bool,
    "async_polls": _int(0),
    "async_seconds": _seconds_or_null,
    "async_outcome": _outcome,
    "async_error": _error,
    "retry_after": _int(0),
    "token_lifetime": _int(1),
    "etags": _bool,
    "account_locations": _locations,
    "throttling": _bool,
    "throttling_reads": _bucket,
    "throttling_writes": _bucket,
    "throttling_deletes": _bucket,
    "throttling_global_factor": _int(0),
}


class Config:
    """Thread-safe runtime configuration with validated updates: each update replaces the values (copy on write)."""

    def __init__(self, **start):
        self._lock = threading.Lock()
        values = copy.deepcopy(DEFAULTS)
        values.update(start)
        self._start = self.validate(values)
        self._values = copy.deepcopy(self._start)

    @staticmethod
    def validate(changes):
        """Return validated changes; raise ValueError('key: reason') on the first problem."""
        out = {}
        for key, value in changes.items():
            if key not in CHECKS:
                raise ValueError("%s: unknown configuration key (known: %s)" % (key, ", ".join(sorted(CHECKS))))
            try:
                out[key] = CHECKS[key](value)
            except ValueError as exc:
                raise ValueError("%s: %s" % (key, exc)) from None
        return out

    def update(self, changes):
        valid = self.validate(changes)
        with self._lock:
            values = copy.deepcopy(self._values)
            values.update(valid)
            self._values = values  # replaced, never changed in place: a reader's view stays consistent without the lock
            return copy.deepcopy(values)

    def snapshot(self):
        return copy.deepcopy(self._values)

    def get(self, key):
        """One key's value; lists and objects as copies (scalars need none, and every request reads a few keys)."""
        value = self._values[key]
        return value if value is None or isinstance(value, (bool, int, float, str)) else copy.deepcopy(value)

    def values(self, keys):
        """Several keys read together (one consistent view), as {key: value}, READ-ONLY: objects are the config's
        own (the throttle reads them on every request; copying them cost more than the throttle's arithmetic)."""
        view = self._values
        return {key: view[key] for key in keys}

    def reset(self):
        with self._lock:
            self._values = copy.deepcopy(self._start)
