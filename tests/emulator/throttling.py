"""Resource Manager's subscription throttling (the token-bucket algorithm Azure moved to in 2024), behind the
`throttling` config switch.

One bucket per (subscription, principal, operation kind) — reads (GET, HEAD), writes (PUT, PATCH, POST; the Tags API
too) and deletes (DELETE) — holding at most `size` tokens and refilled continuously at `rate` tokens per second; and
one global bucket per (subscription, kind), `throttling_global_factor` times larger and faster, shared by every
principal. A request takes one token from both; when either is empty it is answered 429
`SubscriptionRequestsThrottled` with `Retry-After` (whole seconds until both hold a token, at least 1) and takes
nothing. Answers carry `x-ms-ratelimit-remaining-subscription-<kind>` (and `-global-<kind>`): the tokens left.

The clock is injectable (`ThrottleClock(source)`); the control API can freeze and advance it, so tests empty and
refill buckets without sleeping. One lock guards all buckets: an admission is a few float operations under it, and
the sizes and rates are read from the config on each request, so a config change applies at once.
"""

import math
import threading
import time

from . import errors

KINDS = ("reads", "writes", "deletes")
KIND_OF_METHOD = {"GET": "reads", "HEAD": "reads", "DELETE": "deletes"}  # every other method is a write
SINGULAR = {"reads": "read", "writes": "write", "deletes": "delete"}
GLOBAL = "*"  # the principal of a subscription's global bucket
CONFIG_KEYS = ("throttling", "throttling_reads", "throttling_writes", "throttling_deletes", "throttling_global_factor")
HEADER = "x-ms-ratelimit-remaining-subscription-%s"
GLOBAL_HEADER = "x-ms-ratelimit-remaining-subscription-global-%s"


def kind_of(method):
    return KIND_OF_METHOD.get(method.upper(), "writes")


class ThrottleClock:
    """Seconds on a monotonic clock that the control API can freeze and move forward (never back)."""

    def __init__(self, source=time.monotonic):
        self._source = source
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen = None

    def now(self):
        with self._lock:
            return self._frozen if self._frozen is not None else self._source() + self._offset

    def control(self, freeze=None, advance=0.0):
        """Freeze (at the current time) or thaw (carrying on from the frozen time), then advance; return the state."""
        with self._lock:
            if freeze is True and self._frozen is None:
                self._frozen = self._source() + self._offset
            elif freeze is False and self._frozen is not None:
                self._offset = self._frozen - self._source()
                self._frozen = None
            if self._frozen is not None:
                self._frozen += advance
            else:
                self._offset += advance
            return self._state()

    def state(self):
        with self._lock:
            return self._state()

    def _state(self):
        now = self._frozen if self._frozen is not None else self._source() + self._offset
        return {"frozen": self._frozen is not None, "now": round(now, 6), "offset": round(self._offset, 6)}

    def reset(self):
        with self._lock:
            self._offset = 0.0
            self._frozen = None


class Throttle:
    """The buckets of every subscription and principal; `admit` is called for each authenticated ARM request."""

    def __init__(self, config, clock=None):
        self.config = config
        self.clock = clock or ThrottleClock()
        self._lock = threading.Lock()
        self._buckets = {}  # (sub, principal, kind) -> [tokens, time of last update]
        self._admitted = dict.fromkeys(KINDS, 0)
        self._throttled = dict.fromkeys(KINDS, 0)

    def _settings(self):
        """(on, {kind: (size, rate)}, global factor) from the config in one read."""
        values = self.config.values(CONFIG_KEYS)
        sizes = {kind: (values["throttling_" + kind]["size"], values["throttling_" + kind]["rate"]) for kind in KINDS}
        return values["throttling"], sizes, values["throttling_global_factor"]

    def enabled(self):
        return self.config.get("throttling")

    def _level(self, key, size, rate, now):
        """The bucket's tokens now (created full), refilled since its last update, capped at its size."""
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = [float(size), now]
        bucket[0] = min(float(size), bucket[0] + max(now - bucket[1], 0.0) * rate)
        bucket[1] = now
        return bucket

    def admit(self, sub, principal, method):
        """Take a token for this request and return the headers its answer carries; raise the 429 when throttled.

        Requests without a subscription (tenant level) or without throttling on are not counted: {}.
        """
        if not sub or not self.enabled():
            return {}
        on, sizes, factor = self._settings()
        if not on:
            return {}
        kind = kind_of(method)
        size, rate = sizes[kind]
        actor = principal.partition(":")[2] or principal
        keys = [((sub, actor, kind), size, rate)]
        if factor:
            keys.append(((sub, GLOBAL, kind), size * factor, rate * factor))
        now = self.clock.now()
        with self._lock:
            buckets = [(self._level(key, bsize, brate, now), brate) for key, bsize, brate in keys]
            empty = [(bucket, brate) for bucket, brate in buckets if bucket[0] < 1.0]
            if not empty:
                for bucket, _rate in buckets:
                    bucket[0] -= 1.0
                self._admitted[kind] += 1
            else:
                self._throttled[kind] += 1
            levels = [bucket[0] for bucket, _rate in buckets]
            wait = max(((1.0 - bucket[0]) / brate for bucket, brate in empty), default=0.0)
        headers = {HEADER % kind: str(int(levels[0]))}
        if factor:
            headers[GLOBAL_HEADER % kind] = str(int(levels[1]))
        if empty:
            retry = max(1, int(math.ceil(wait - 1e-9)))
            headers["Retry-After"] = str(retry)
            principal_empty = levels[0] < 1.0
            raise errors.arm(429, "SubscriptionRequestsThrottled", _message(kind, sub, actor if principal_empty else None, retry),
                             headers=headers)
        return headers

    def clear_buckets(self):
        """Every bucket full again (a change of the throttling config starts over)."""
        with self._lock:
            self._buckets = {}

    def reset(self):
        with self._lock:
            self._buckets = {}
            self._admitted = dict.fromkeys(KINDS, 0)
            self._throttled = dict.fromkeys(KINDS, 0)
        self.clock.reset()

    def state(self):
        """What GET /_emulator/throttling shows: switch, clock, counters and every bucket's level now."""
        on, sizes, factor = self._settings()
        now = self.clock.now()
        with self._lock:
            buckets = []
            for (sub, actor, kind), bucket in sorted(self._buckets.items()):
                size, rate = sizes[kind]
                if actor == GLOBAL:
                    size, rate = size * factor, rate * factor
                level = min(float(size), bucket[0] + max(now - bucket[1], 0.0) * rate)
                buckets.append({"subscription": sub, "principal": actor, "kind": kind, "remaining": round(level, 3),
                                "size": size, "rate": rate})
            return {"enabled": on, "clock": self.clock.state(), "admitted": dict(self._admitted),
                    "throttled": dict(self._throttled), "buckets": buckets}


def _message(kind, sub, actor, retry):
    """Resource Manager's words (as observed from the token-bucket throttler); the global limit names no actor."""
    who = " actor '%s'" % actor if actor else ""
    return ("Number of '%s' requests for subscription '%s'%s exceeded. Please try again after '%d' seconds after additional "
            "tokens are available. Refer to https://aka.ms/arm-throttling for additional information."
            % (SINGULAR[kind], sub, who, retry))
