# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pacing the requests of a fleet run to Resource Manager's throttling buckets, which other runs may share.

Resource Manager throttles per subscription and principal with token buckets: reads 250 with 25 refilled per second,
writes 200 with 10 per second, deletes 200 with 10 per second (and a global bucket per subscription, 15 times larger,
that all principals share). Every request of a run takes a token from a local copy of those buckets first
(``before_send``, called by ``ArmClient`` before each send). The local copy is a guess: AWX slices and other jobs under
the same credential spend the same bucket, and a trial subscription may have a smaller one. The truth comes back with
the answers, and the gate learns from it the way TCP's congestion control does:

- ``answered``: the ``x-ms-ratelimit-remaining-subscription-<kind>`` (and ``-global-<kind>``) headers lower the local
  bucket, never raise it; the run's rate grows back towards the documented one (doubling per second while they show a
  tenth of the bucket left, creeping up additively when it is nearly empty: that is where runs sharing it collide).
- ``throttled``: a 429 pauses every worker of the run for its ``Retry-After`` (and up to a quarter longer, so that runs
  sharing the bucket come back apart), cuts the rate of its kind to 70 % (once per round trip: the 429s of requests
  sent before the last cut say nothing new), and the run resumes with one request at the end of the pause, then at
  that rate: never with a burst of what refilled during the pause.

A 429 means "later", never "failed": ``throttled`` answers False only when the pause would end beyond the run's time
budget (``budget`` seconds from the gate's creation; None: no limit). ``clock`` and ``sleep`` are injectable: the unit
tests run on a fake clock, and ``admit`` (one non-blocking step of ``before_send``) lets them simulate many runs.
"""

from __future__ import annotations

import random as _random
import threading
import time
from collections import namedtuple

READS = (250, 25.0)  # bucket size, tokens refilled per second
WRITES = (200, 10.0)
DELETES = (200, 10.0)
WRITE_METHODS = frozenset(("PUT", "PATCH", "POST"))
EPSILON = 1e-6
REMAINING = "x-ms-ratelimit-remaining-subscription-%s"  # the principal's bucket of a kind; "-global-%s" the subscription's
DECREASE = 0.7  # a 429 cuts the rate to this share (CUBIC's factor: 0.5 would leave a quarter of the bucket unused)
PROBE = 0.005  # near the bucket's bottom the rate creeps up by this share of the documented rate per second
FLOOR = 0.02  # the rate never falls below this share of the documented rate (one write every 5 s)
ROOM = 0.1  # an answer showing at least this share of the bucket left (20 writes: two seconds of refill): room to grow fast
JITTER = 0.25  # a pause lasts its Retry-After and up to a quarter longer, so that runs sharing a bucket do not
# all come back at the same instant (a request sent before a Retry-After ends may be refused again)
GROWTH_STEP_MAX = 1.0  # seconds: an idle spell does not count as a long run of room

# When a request was let through, how long it waited for that, and how many of its kind the run had let through before.
Admission = namedtuple("Admission", "sent_at waited ordinal")


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
        if now < self.updated:  # held: nothing before the end of the hold
            return self.updated - now
        self._refill(now)
        if self.tokens >= 1.0 - EPSILON:  # a float refill may stop a hair short of a whole token: never wait for that
            self.tokens = max(0.0, self.tokens - 1.0)
            return 0.0
        return (1.0 - self.tokens) / self.rate

    def at_most(self, tokens, now):
        self._refill(now)
        self.tokens = max(0.0, min(self.tokens, float(tokens)))

    def hold(self, until):
        """Nothing before ``until``, then one request (a probe) and the rate: after a pause, no burst of what refilled."""
        self.tokens = 1.0
        self.updated = max(self.updated, until)

    def set_rate(self, rate, now):
        self._refill(now)
        self.rate = float(rate)


class Pace(object):
    """The rate one kind of request allows itself: cut on a 429, probed back up while the answers show room."""

    def __init__(self, ceiling):
        self.ceiling = float(ceiling)
        self.rate = float(ceiling)
        self.cut_at = None  # when the rate was last cut
        self.grown_at = None

    def cut(self, sent_at, now):
        """A 429 for a request sent at ``sent_at``: True when it cut the rate (not a request sent before the last cut)."""
        if self.cut_at is not None and sent_at < self.cut_at:
            return False
        self.rate = max(self.ceiling * FLOOR, self.rate * DECREASE)
        self.cut_at = self.grown_at = now
        return True

    def grow(self, now, room):
        """An admitted answer: the rate doubles per second while the bucket has ``room``, else creeps up."""
        step = min(GROWTH_STEP_MAX, now - self.grown_at) if self.grown_at is not None else 0.0
        self.grown_at = now
        if step <= 0 or self.rate >= self.ceiling:
            return
        grown = max(self.rate * 2 ** step, self.rate + self.ceiling * PROBE) if room else self.rate + self.ceiling * PROBE * step
        self.rate = min(self.ceiling, grown)


def kind_of(method):
    method = (method or "").upper()
    return "deletes" if method == "DELETE" else "writes" if method in WRITE_METHODS else "reads"


class PacingGate(object):
    """The ``gate`` of an ``ArmClient`` shared by all workers of one fleet run (thread-safe)."""

    def __init__(self, reads=READS, writes=WRITES, deletes=DELETES, budget=None, budget_name="the time budget",
                 clock=time.monotonic, sleep=time.sleep, random=_random.random):
        self.clock = clock
        self.sleep = sleep
        self.random = random
        now = clock()
        limits = (("reads", reads), ("writes", writes), ("deletes", deletes))
        self.buckets = dict((kind, TokenBucket(size, rate, now)) for kind, (size, rate) in limits)
        self.paces = dict((kind, Pace(rate)) for kind, (_size, rate) in limits)
        self.deadline = None if budget is None else now + budget
        self.budget = budget
        self.budget_name = budget_name
        self.paused_until = now
        self.sent = dict.fromkeys(self.buckets, 0)  # requests let through, per kind
        self.pauses = 0  # how many 429s paused the run (reported with the results)
        self.waited = 0.0  # seconds the workers spent waiting here, summed over workers
        self._lock = threading.Lock()

    def admit(self, method, now):
        """One step of ``before_send`` at ``now``: ``(0, ordinal)`` when the request may go (its token taken, the
        ordinal counts the requests of its kind let through), else ``(seconds to wait, None)``."""
        kind = kind_of(method)
        with self._lock:
            delay = self.paused_until - now
            if delay <= 0:
                delay = self.buckets[kind].take(now)
            if delay > 0:
                self.waited += delay
                return delay, None
            self.sent[kind] += 1
            return 0.0, self.sent[kind]

    def before_send(self, method):
        """Block until a request of ``method`` may go: after any shared pause, with a token of its bucket."""
        started = self.clock()
        while True:
            now = self.clock()
            delay, ordinal = self.admit(method, now)
            if ordinal is not None:
                return Admission(now, now - started, ordinal)
            self.sleep(delay)

    def throttled(self, method, seconds, admission=None):
        """A 429 asked for ``seconds``: True when every worker waits that long, then goes on at a lower rate; False when
        the pause would end beyond the run's time budget (the request fails)."""
        with self._lock:
            now = self.clock()
            until = now + max(0.0, float(seconds)) * (1.0 + JITTER * self.random())
            if self.deadline is not None and until > self.deadline:
                return False
            self.paused_until = max(self.paused_until, until)
            self.pauses += 1
            kind = kind_of(method)
            self.paces[kind].cut(admission.sent_at if admission else now, now)
            self.buckets[kind].set_rate(self.paces[kind].rate, now)
            for bucket in self.buckets.values():
                bucket.hold(self.paused_until)
            return True

    def answered(self, method, headers, admission=None):
        """An answer that was not a 429: its remaining-tokens headers lower the local bucket of ``method``'s kind (less
        the requests the run let through after this one, which that count does not show yet), and while they show room
        (or nothing) the rate grows back towards the documented one."""
        kind = kind_of(method)
        remaining = _remaining(headers, kind)
        with self._lock:
            now = self.clock()
            bucket, pace = self.buckets[kind], self.paces[kind]
            if remaining is not None:
                bucket.at_most(remaining - (self.sent[kind] - admission.ordinal if admission else 0), now)
            pace.grow(now, room=remaining is None or remaining >= bucket.capacity * ROOM)
            bucket.set_rate(pace.rate, now)

    def spent(self):
        """Why a throttled request was not sent again, for its error message."""
        return ("still throttled when %s of %d seconds ran out: Resource Manager asked to wait beyond it"
                % (self.budget_name, self.budget or 0))

    def rates(self):
        """{kind: requests per second the run allows itself now} (for tests and the benchmark)."""
        with self._lock:
            return dict((kind, pace.rate) for kind, pace in self.paces.items())


def _remaining(headers, kind):
    """The fewest tokens Resource Manager says are left for ``kind`` (the principal's or the subscription's bucket)."""
    values = [_count(headers, REMAINING % kind), _count(headers, REMAINING % ("global-" + kind))]
    values = [value for value in values if value is not None]
    return min(values) if values else None


def _count(headers, name):
    value = headers.get(name) if headers is not None else None
    try:
        count = int(str(value).strip()) if value is not None else None
    except ValueError:
        return None
    return count if count is not None and count >= 0 else None
