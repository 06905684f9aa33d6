# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pacing the requests of a fleet run to Resource Manager's throttling buckets, and one pause for every worker.

Resource Manager throttles per subscription and principal with token buckets: reads 250 with 25 refilled per second,
writes 200 with 10 per second, deletes 200 with 10 per second (and a global bucket per subscription, 15 times larger,
that all principals share). A fleet run of 1,000 writes sent as fast as its workers can would be a storm
of 429s, each retried: ``PacingGate`` makes every request of the run take a token from a local copy of those buckets
first (``before_send``, called by ``ArmClient`` before each send), so the run stays within them. When Resource Manager
answers 429 anyway (someone else spends the same budget), ``throttled(seconds)`` pauses every worker, not only the one
that was told, and empties the local buckets so that the run restarts at the refill rate. ``observed`` lowers a bucket
to the ``x-ms-ratelimit-remaining-subscription-*`` header of an answer, never raises it.

``clock`` and ``sleep`` are injectable: the unit tests run on a fake clock.
"""

from __future__ import annotations

import threading
import time

READS = (250, 25.0)  # bucket size, tokens refilled per second
WRITES = (200, 10.0)
DELETES = (200, 10.0)
WRITE_METHODS = frozenset(("PUT", "PATCH", "POST"))
EPSILON = 1e-6
REMAINING = "x-ms-ratelimit-remaining-subscription-%s"  # the principal's bucket of a kind; "-global-%s" the subscription's


class TokenBucket(object):
    """``capacity`` tokens, ``rate`` more per second; ``take(now)`` is 0 when a token was taken, else the seconds to wait."""

    def __init__(self, capacity, rate, now):
        self.capacity = float(capacity)
        self.rate = float(rate)
        self.tokens = float(capacity)
        self.updated = now

    def _refill(self, now):
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def take(self, now):
        self._refill(now)
        if self.tokens >= 1.0 - EPSILON:  # a float refill may stop a hair short of a whole token: never wait for that
            self.tokens = max(0.0, self.tokens - 1.0)
            return 0.0
        return (1.0 - self.tokens) / self.rate

    def at_most(self, tokens, now):
        self._refill(now)
        self.tokens = max(0.0, min(self.tokens, float(tokens)))


def kind_of(method):
    method = (method or "").upper()
    return "deletes" if method == "DELETE" else "writes" if method in WRITE_METHODS else "reads"


class PacingGate(object):
    """The ``gate`` of an ``ArmClient`` shared by all workers of one fleet run (thread-safe)."""

    def __init__(self, reads=READS, writes=WRITES, deletes=DELETES, clock=time.monotonic, sleep=time.sleep):
        self.clock = clock
        self.sleep = sleep
        now = clock()
        self.buckets = dict((kind, TokenBucket(size, rate, now)) for kind, (size, rate) in
                            (("reads", reads), ("writes", writes), ("deletes", deletes)))
        self.paused_until = now
        self.pauses = 0  # how many 429s paused the run (reported with the results)
        self.waited = 0.0  # seconds the workers spent waiting here, summed over workers
        self._lock = threading.Lock()

    def before_send(self, method):
        """Block until a request of ``method`` may go: after any shared pause, with a token of its bucket."""
        bucket = self.buckets[kind_of(method)]
        while True:
            with self._lock:
                now = self.clock()
                delay = self.paused_until - now
                if delay <= 0:
                    delay = bucket.take(now)
                    if delay <= 0:
                        return
                self.waited += delay
            self.sleep(delay)

    def throttled(self, seconds):
        """A 429 asked for ``seconds``: every worker waits that long, then the run goes on at the refill rate."""
        with self._lock:
            now = self.clock()
            self.paused_until = max(self.paused_until, now + max(0.0, float(seconds)))
            self.pauses += 1
            for bucket in self.buckets.values():
                bucket.at_most(0, now)

    def observed(self, method, headers):
        """Lower the bucket of ``method`` to what Resource Manager says remains in the principal's bucket or in the
        subscription's global one (a header that is absent or not a number is ignored)."""
        kind = kind_of(method)
        values = [_count(headers, REMAINING % kind), _count(headers, REMAINING % ("global-" + kind))]
        values = [value for value in values if value is not None]
        if values:
            with self._lock:
                self.buckets[kind].at_most(min(values), self.clock())


def _count(headers, name):
    value = headers.get(name) if headers is not None else None
    try:
        count = int(str(value).strip()) if value is not None else None
    except ValueError:
        return None
    return count if count is not None and count >= 0 else None
