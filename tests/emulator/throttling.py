"""Resource Manager's request throttling, as Azure documents it since 2024 ("Understand how Azure Resource Manager
throttles requests"), behind the `throttling` config switch.

Token buckets per operation kind — reads (GET, HEAD), writes (PUT, PATCH, POST; the Tags API too) and deletes
(DELETE) — at two scopes: a request whose path names a subscription spends from the bucket of (subscription,
principal, kind) and from the subscription's global bucket of that kind (`throttling_global_factor` times larger and
faster, shared by every principal); any other authenticated request (`GET /subscriptions`, the operations list) is
tenant-level and spends from the bucket of (tenant, principal, kind). Tenant buckets have the subscription buckets'
sizes and rates, as Azure's table gives both the same numbers.

A bucket holds at most `size` tokens and gains `rate` at each whole second after it was created (Azure adds tokens
every second, not continuously). A request takes one token from each of its buckets; when one holds less than a whole
token the request is not handled and is answered 429 (`SubscriptionRequestsThrottled` / `TenantRequestsThrottled`)
with `Retry-After`: the whole seconds until every refusing bucket has a token again. Until that time has passed, every
further request on a refusing bucket is refused too, with the seconds still left ("a request sent before the retry
value has elapsed is not processed and a new retry value is returned"): the rule keys on the bucket, so every client
of one principal waits, as AWX job slices sharing a credential must. A refused request takes nothing.

Answers carry `x-ms-ratelimit-remaining-subscription-<kind>` and `-subscription-global-<kind>`, or
`x-ms-ratelimit-remaining-tenant-<kind>`: the whole tokens left. With throttling off nothing is spent and nothing is
refused, and answers carry the same headers of their scope and kind showing full buckets.

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
SUBSCRIPTION, TENANT = "subscription", "tenant"
GLOBAL = "*"  # the principal of a subscription's global bucket
CONFIG_KEYS = ("throttling", "throttling_reads", "throttling_writes", "throttling_deletes", "throttling_global_factor")
HEADER = {SUBSCRIPTION: "x-ms-ratelimit-remaining-subscription-%s", TENANT: "x-ms-ratelimit-remaining-tenant-%s"}
GLOBAL_HEADER = "x-ms-ratelimit-remaining-subscription-global-%s"
CODE = {SUBSCRIPTION: "SubscriptionRequestsThrottled", TENANT: "TenantRequestsThrottled"}
EPSILON = 1e-9  # float sums of refills (0.1 ten times) stop a hair short of a whole token or second


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


class Bucket:
    """One bucket's tokens, the time of its last refill tick, and the end of the Retry-After of its last 429."""

    __slots__ = ("tokens", "tick", "blocked_until")

    def __init__(self, size, now):
        self.tokens = float(size)
        self.tick = now
        self.blocked_until = now

    def refill(self, size, rate, now):
        """Add `rate` tokens for every whole second since the last tick (capped at `size`); return self."""
        ticks = math.floor(now - self.tick + EPSILON)
        if ticks > 0:
            self.tokens = min(float(size), self.tokens + ticks * rate)
            self.tick += ticks
        return self

    def has_token(self):
        return self.tokens >= 1.0 - EPSILON

    def seconds_to_token(self, rate, now):
        """Seconds until the tick that brings this bucket to a whole token (0 when it has one)."""
        if self.has_token():
            return 0.0
        return self.tick + math.ceil((1.0 - self.tokens) / rate - EPSILON) - now

    def blocked_for(self, now):
        return max(0.0, self.blocked_until - now)


class Throttle:
    """The buckets of every scope and principal; `admit` is called for each authenticated ARM request."""

    def __init__(self, config, clock=None):
        self.config = config
        self.clock = clock or ThrottleClock()
        self._lock = threading.Lock()
        self._buckets = {}  # (scope, subscription or tenant id, principal, kind) -> Bucket
        self._admitted = dict.fromkeys(KINDS, 0)
        self._throttled = dict.fromkeys(KINDS, 0)

    def _settings(self):
        """(on, {kind: (size, rate)}, global factor) from the config in one read."""
        values = self.config.values(CONFIG_KEYS)
        sizes = {kind: (values["throttling_" + kind]["size"], values["throttling_" + kind]["rate"]) for kind in KINDS}
        return values["throttling"], sizes, values["throttling_global_factor"]

    def enabled(self):
        return self.config.get("throttling")

    def admit(self, scope, scope_id, principal, method):
        """Take a token for this request and return the headers its answer carries; raise the 429 when throttled.

        `scope` is SUBSCRIPTION (scope_id: the subscription id, lower case) or TENANT (the tenant id).
        """
        on, sizes, factor = self._settings()
        kind = kind_of(method)
        size, rate = sizes[kind]
        actor = principal.partition(":")[2] or principal
        plan = [((scope, scope_id, actor, kind), size, rate)]
        if scope == SUBSCRIPTION and factor:
            plan.append(((scope, scope_id, GLOBAL, kind), size * factor, rate * factor))
        if not on:
            return _headers(scope, kind, [bucket_size for _key, bucket_size, _rate in plan])
        now = self.clock.now()
        with self._lock:
            buckets = [(self._bucket(key, bucket_size, now).refill(bucket_size, bucket_rate, now), bucket_rate)
                       for key, bucket_size, bucket_rate in plan]
            retry, refusing = _verdict(buckets, now)
            if retry is None:
                for bucket, _rate in buckets:
                    bucket.tokens = max(0.0, bucket.tokens - 1.0)
                self._admitted[kind] += 1
            else:
                self._throttled[kind] += 1
            levels = [bucket.tokens for bucket, _rate in buckets]
        headers = _headers(scope, kind, levels)
        if retry is not None:
            headers["Retry-After"] = str(retry)
            raise errors.arm(429, CODE[scope], _message(kind, scope, scope_id, actor if 0 in refusing else None, retry),
                             headers=headers)
        return headers

    def _bucket(self, key, size, now):
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = Bucket(size, now)
        return bucket

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
            for (scope, scope_id, actor, kind), bucket in sorted(self._buckets.items()):
                size, rate = sizes[kind]
                if actor == GLOBAL:
                    size, rate = size * factor, rate * factor
                bucket.refill(size, rate, now)
                buckets.append({"scope": scope, scope: scope_id, "principal": actor, "kind": kind,
                                "remaining": round(bucket.tokens, 3), "size": size, "rate": rate,
                                "blocked_for": round(bucket.blocked_for(now), 3)})
            return {"enabled": on, "clock": self.clock.state(), "admitted": dict(self._admitted),
                    "throttled": dict(self._throttled), "buckets": buckets}


def _verdict(buckets, now):
    """(None, []) to admit; else (Retry-After seconds, indexes of the refusing buckets).

    A bucket still inside the Retry-After of its last 429 refuses with the seconds left, whatever it holds; otherwise
    the buckets without a whole token refuse, until the tick that gives every one of them a token again.
    """
    blocked = [index for index, (bucket, _rate) in enumerate(buckets) if bucket.blocked_for(now) > EPSILON]
    if blocked:
        wait = max(buckets[index][0].blocked_for(now) for index in blocked)
        return max(1, int(math.ceil(wait - EPSILON))), blocked
    empty = [index for index, (bucket, _rate) in enumerate(buckets) if not bucket.has_token()]
    if not empty:
        return None, []
    wait = max(buckets[index][0].seconds_to_token(buckets[index][1], now) for index in empty)
    retry = max(1, int(math.ceil(wait - EPSILON)))
    for index in empty:
        buckets[index][0].blocked_until = now + retry
    return retry, empty


def _headers(scope, kind, levels):
    """The remaining-requests headers: the principal's bucket, then (subscriptions) the global one; whole tokens."""
    headers = {HEADER[scope] % kind: str(int(levels[0] + EPSILON))}
    if len(levels) > 1:
        headers[GLOBAL_HEADER % kind] = str(int(levels[1] + EPSILON))
    return headers


def _message(kind, scope, scope_id, actor, retry):
    """Resource Manager's words (as observed from the token-bucket throttler); the global limit names no actor."""
    who = " actor '%s'" % actor if actor else ""
    return ("Number of '%s' requests for %s '%s'%s exceeded. Please try again after '%d' seconds after additional "
            "tokens are available. Refer to https://aka.ms/arm-throttling for additional information."
            % (SINGULAR[kind], scope, scope_id, who, retry))
