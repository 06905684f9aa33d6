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

import math
import random as _random
import time
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
RETRY_AFTER_MAX = 3600.0


def retry_after_seconds(headers, default=None):
    """``Retry-After`` as seconds (a number or an HTTP-date, measured from the response's ``Date``); else ``default``.

    Values that are not finite, or are absurd, fall back to ``default`` or are capped at an hour.
    """
    value = headers.get("Retry-After") if headers else None
    if value is None:
        return default
    value = str(value).strip()
    try:
        seconds = float(value)
    except ValueError:
        seconds = _seconds_until(value, headers.get("Date"))
    if seconds is None or math.isnan(seconds):
        return default
    return min(max(0.0, seconds), RETRY_AFTER_MAX)


def _seconds_until(http_date, reference_date):
    try:
        when = parsedate_to_datetime(http_date)
        reference = parsedate_to_datetime(reference_date) if reference_date else None
        now = reference.timestamp() if reference is not None else time.time()
        return when.timestamp() - now
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


class RetryPolicy(object):
    """At most ``max_retries`` retries within ``budget`` seconds; the server's ``Retry-After``, else full-jitter
    exponential backoff (``backoff_base`` doubling, capped at ``backoff_cap``)."""

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
    """The retries of one call: ``next_delay(headers)`` is the pause before the next try, or None to give up."""

    def __init__(self, policy):
        self.policy = policy
        self.started = policy.clock()
        self.attempt = 0

    def next_delay(self, headers=None):
        policy = self.policy
        hinted = retry_after_seconds(headers) if headers is not None else None
        delay = hinted if hinted is not None else policy.backoff(self.attempt)
        if self.attempt >= policy.max_retries or (policy.clock() - self.started) + delay > policy.budget:
            return None
        self.attempt += 1
        return delay
