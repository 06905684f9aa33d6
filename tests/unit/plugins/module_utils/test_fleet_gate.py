# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pacing to Resource Manager's buckets and one pause for all workers, on a fake clock."""

from __future__ import annotations

import threading
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.azureml.model_management.plugins.module_utils import fleet_gate as fg


class FakeClock(object):
    """A clock that moves only when someone sleeps (thread-safe)."""

    def __init__(self):
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            return self.now

    def sleep(self, seconds):
        with self.lock:
            self.now += seconds


def gate(**kwargs):
    clock = FakeClock()
    return fg.PacingGate(clock=clock, sleep=clock.sleep, **kwargs), clock


def test_writes_burst_to_the_bucket_then_go_at_the_refill_rate():
    pacing, clock = gate()
    for _request in range(200):
        pacing.before_send("PUT")
    assert clock.now == 0.0  # the burst of 200
    for _request in range(100):
        pacing.before_send("PATCH")
    assert abs(clock.now - 10.0) < 1e-6  # then 10 per second


def test_reads_and_deletes_have_their_own_buckets():
    pacing, clock = gate()
    for _request in range(200):
        pacing.before_send("PATCH")
    for _request in range(200):
        pacing.before_send("DELETE")
    for _request in range(250):
        pacing.before_send("GET")
    assert clock.now == 0.0
    pacing.before_send("GET")
    assert abs(clock.now - 1 / 25.0) < 1e-6


@settings(max_examples=50, deadline=None)
@given(count=st.integers(min_value=0, max_value=2000), capacity=st.integers(min_value=1, max_value=300),
       rate=st.floats(min_value=0.5, max_value=50))
def test_n_writes_take_the_bucket_limit_and_no_longer(count, capacity, rate):
    """The time n writes take is exactly what the bucket allows: max(0, n - capacity) / rate."""
    pacing, clock = gate(writes=(capacity, rate))
    for _request in range(count):
        pacing.before_send("PUT")
    assert abs(clock.now - max(0, count - capacity) / rate) < 1e-6 * max(1, count)


def test_a_429_pauses_every_worker_and_the_run_restarts_with_what_refilled_meanwhile():
    pacing, clock = gate()
    pacing.throttled(5)
    pacing.before_send("GET")  # another worker, which was not told, waits too
    assert clock.now == 5
    assert pacing.pauses == 1
    for _request in range(50):  # the buckets were emptied by the 429: 5 s of refill, 50 writes
        pacing.before_send("PUT")
    assert clock.now == 5
    pacing.before_send("PUT")
    assert abs(clock.now - 5.1) < 1e-6


def test_a_shorter_429_does_not_shorten_a_longer_pause():
    pacing, clock = gate()
    pacing.throttled(10)
    pacing.throttled(1)
    pacing.before_send("PATCH")
    assert clock.now >= 10


def test_the_remaining_header_lowers_the_bucket_and_never_raises_it():
    pacing, clock = gate()
    pacing.observed("PUT", {"x-ms-ratelimit-remaining-subscription-writes": "2"})
    pacing.before_send("PUT")
    pacing.before_send("PUT")
    assert clock.now == 0.0
    pacing.before_send("PUT")
    assert abs(clock.now - 0.1) < 1e-6
    pacing.observed("PUT", {"x-ms-ratelimit-remaining-subscription-writes": "1000"})
    assert pacing.buckets["writes"].tokens <= 1.0
    pacing.observed("DELETE", {"x-ms-ratelimit-remaining-subscription-deletes": "150",
                               "x-ms-ratelimit-remaining-subscription-global-deletes": "3"})
    assert pacing.buckets["deletes"].tokens == 3.0  # the subscription's global bucket, shared with others, is lower
    for junk in ({}, None, {"x-ms-ratelimit-remaining-subscription-writes": "many"},
                 {"x-ms-ratelimit-remaining-subscription-writes": "-4"}):
        pacing.observed("PUT", junk)  # ignored


def test_workers_in_threads_share_the_gate():
    """Real threads and a real clock: 30 writes over a bucket of 10 refilled at 100/s take about 0.2 s, not less."""
    pacing = fg.PacingGate(writes=(10, 100.0))
    started = time.monotonic()
    workers = [threading.Thread(target=lambda: [pacing.before_send("PUT") for _n in range(5)]) for _w in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert time.monotonic() - started >= 0.19
