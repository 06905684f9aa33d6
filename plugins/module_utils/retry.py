# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one retry policy: which answers are retried, how long to wait, when to give up (as amazon.aws's
``BackoffIterator`` / ``CloudRetry``).

Used by every request to Resource Manager (``arm.ArmClient``) and by the cloud metadata request (``auth``), so
both honour ``Retry-After`` and back off with the same jitter within the same budget. ``sleep``, ``clock`` and
``random`` are injectable: the unit tests run instantly and deterministically.
"""

from __future__ import annotations

import random as _random
import re
import time
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
RETRY_AFTER_MAX = 3600.0
DELAY_SECONDS_RE = re.compile(r"[0-9]+")  # RFC 9110 delay-seconds: 1*DIGIT (ASCII digits only)


def retry_after_seconds(headers, default=None):
    """``Retry-After`` as seconds (RFC 9110: delay-seconds, or an HTTP-date measured from the response's ``Date``).

    Anything else (``-1``, ``1.5``, ``soon``, ``inf``) is no hint: ``default``. A date in the past gives 0; an absurd
    value is capped at an hour. What 0 means is the caller's: a retry treats it as no hint, a poll as "soon".
    """
    value = headers.get("Retry-After") if headers else None
    if value is None:
        return default
    value = str(value).strip()
    if DELAY_SECONDS_RE.fullmatch(value):
        seconds = float(min(int(value), int(RETRY_AFTER_MAX)))
    else:
        seconds = _seconds_until(value, headers.get("Date"))
    if seconds is None:
        return default
    return min(max(0.0, seconds), RETRY_AFTER_MAX)


def _seconds_until(http_date, reference_date):
    if not http_date or not http_date[0].isalpha():  # an HTTP-date starts with the day's name; '+3' or '1e3' is not one
        return None
    try:
        when = parsedate_to_datetime(http_date)
        reference = parsedate_to_datetime(reference_date) if reference_date else None
        now = reference.timestamp() if reference is not None else time.time()
        return when.timestamp() - now
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


class RetryPolicy(object):
    """At most ``max_retries`` retries within ``budget`` seconds; the server's ``Retry-After`` (a positive delay), else
    full-jitter exponential backoff (``backoff_base`` doubling, capped at ``backoff_cap``)."""

    def __init__(self, max_retries=6, budget=120, backoff_base=1.0, backoff_cap=30.0,
                 sleep=time.sleep, clock=time.monotonic, random=_random.random):
        self.max_retries = max_retries
        self.budget = budget
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.sleep = sleep
        self.clock = clock
        self.random = random

    def backoff(self, attempt):
        """Full jitter: a random pause up to ``backoff_base * 2**attempt`` (at most ``backoff_cap``)."""
        return self.random() * min(self.backoff_cap, self.backoff_base * (2 ** attempt))

    def start(self):
        """The retries of one call, counted from now."""
        return Attempts(self)


class Attempts(object):
    """The retries of one call: ``next_delay(headers)`` is the pause before the next try, or None to give up.

    After giving up, ``gave_up`` says why (for messages), and ``asked_too_long`` is true when the reason is the
    server's own Retry-After, beyond what is left of the budget: the caller says so rather than fail silently.
    """

    def __init__(self, policy):
        self.policy = policy
        self.started = policy.clock()
        self.attempt = 0
        self.throttles = 0
        self.gave_up = None
        self.asked_too_long = False

    def later(self, headers=None):
        """The pause after a 429 that a run-wide gate (``fleet_gate``) will wait for: the server's Retry-After, else the
        backoff by how often this request was throttled. Not an attempt: under a gate a 429 means "later", and the
        run's time budget, not this request's retry limit, decides when it fails."""
        hinted = retry_after_seconds(headers) if headers is not None else None
        self.throttles += 1
        return hinted if hinted is not None and hinted > 0 else self.policy.backoff(min(self.throttles - 1, 5))

    def discount(self, seconds):
        """Time spent waiting at a run-wide gate (pacing, another worker's 429) does not count against this budget."""
        self.started += max(0.0, seconds)

    def next_delay(self, headers=None):
        policy = self.policy
        hinted = retry_after_seconds(headers) if headers is not None else None
        if hinted is not None and hinted <= 0:
            hinted = None  # 'retry now' is no hint: four requests within 5 ms help nobody
        delay = hinted if hinted is not None else policy.backoff(self.attempt)
        left = policy.budget - (policy.clock() - self.started)
        if self.attempt >= policy.max_retries:
            self.gave_up = "gave up after %d attempts" % (self.attempt + 1)
        elif delay > left:
            self.asked_too_long = hinted is not None
            if self.asked_too_long:
                self.gave_up = ("not retried: the server asked to wait %s seconds (Retry-After), more than the retry budget"
                                " allows (%d seconds per request, %d left)" % (_shown_delay(headers, hinted), policy.budget, max(0, left)))
            else:
                self.gave_up = "gave up after %d attempts within the retry budget of %d seconds" % (self.attempt + 1, policy.budget)
        if self.gave_up:
            return None
        self.attempt += 1
        return delay


def _shown_delay(headers, seconds):
    """The server's own Retry-After when it is delay-seconds (not capped), else the seconds it means."""
    value = str(headers.get("Retry-After")).strip()
    return value[:20] if DELAY_SECONDS_RE.fullmatch(value) else "%d" % round(seconds)
