# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pacing to Resource Manager's buckets and one pause for all workers, on a fake clock."""

from __future__ import annotations

import heapq
import itertools
import math
import random
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.azureml.model_management.plugins.module_utils import fleet_gate as fg
from ansible_collections.azureml.model_management.tests.unit.fakes import FakeClock


def gate(**kwargs):
    clock = FakeClock()
    return fg.PacingGate(clock=clock, sleep=clock.sleep, **dict(dict(random=lambda: 0.0), **kwargs)), clock


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


def test_a_429_pauses_every_worker_then_the_run_resumes_at_the_refill_rate_not_in_a_burst():
    pacing, clock = gate()
    assert pacing.throttled("PUT", 5) is True
    pacing.before_send("GET")  # another worker, which was not told, waits too
    assert clock.now == 5.0
    assert pacing.pauses == 1
    rate = pacing.rates()["writes"]
    assert rate == 7.0  # cut to 70 %
    times = []
    for _request in range(5):
        pacing.before_send("PUT")
        times.append(clock.now)
    # nothing refilled during the pause: one write at its end, then one per 1/7 s; no burst of 5 s x 10 tokens
    assert [round(t - 5.0, 6) for t in times] == [round(n / rate, 6) for n in range(0, 5)]


def test_a_pause_lasts_up_to_a_quarter_longer_than_asked_so_that_runs_sharing_a_bucket_come_back_apart():
    pacing, clock = gate(random=lambda: 1.0)
    pacing.throttled("PUT", 4)
    pacing.before_send("PUT")
    assert clock.now == 5.0


def test_a_shorter_429_does_not_shorten_a_longer_pause():
    pacing, clock = gate()
    pacing.throttled("PUT", 10)
    pacing.throttled("PUT", 1)
    pacing.before_send("PATCH")
    assert clock.now >= 10


def test_the_429s_of_requests_sent_before_the_last_cut_do_not_cut_again():
    """Ten workers in flight get ten 429s for one overshoot: that is one cut (TCP: one per round trip), not 0.7 ** 10."""
    pacing, clock = gate()
    sent = [pacing.before_send("PUT") for _worker in range(10)]
    clock.sleep(0.1)
    for admission in sent:
        pacing.throttled("PUT", 1, admission)
    assert pacing.rates()["writes"] == 7.0 and pacing.pauses == 10
    later = pacing.before_send("PUT")
    pacing.throttled("PUT", 1, later)
    assert abs(pacing.rates()["writes"] - 4.9) < 1e-9


def test_the_rate_never_falls_below_its_floor_nor_rises_above_the_documented_one():
    pacing, clock = gate()
    for _round in range(100):
        pacing.throttled("DELETE", 1, pacing.before_send("DELETE"))
    assert pacing.rates()["deletes"] == 10.0 * fg.FLOOR
    for _answer in range(1000):
        pacing.before_send("DELETE")
        pacing.answered("DELETE", {})
    assert pacing.rates()["deletes"] == 10.0 and pacing.rates()["writes"] == 10.0


@pytest.mark.parametrize("remaining, expected", [("150", 4.0), (None, 4.0), ("3", 2.0 + 10.0 * fg.PROBE)],
                         ids=["room: doubles per second", "no header: doubles", "near empty: creeps up"])
def test_after_a_cut_the_rate_grows_back_fast_with_room_and_slowly_without(remaining, expected):
    pacing, clock = gate(writes=(200, 10.0))
    pacing.paces["writes"].rate = 2.0
    pacing.answered("PUT", {})  # the start of the growth
    clock.sleep(1.0)
    headers = {} if remaining is None else {"x-ms-ratelimit-remaining-subscription-writes": remaining}
    pacing.answered("PUT", headers)
    assert abs(pacing.rates()["writes"] - expected) < 1e-9
    clock.sleep(30)
    pacing.answered("PUT", headers)  # an idle spell counts as one second at most
    assert pacing.rates()["writes"] <= expected * 2


def test_the_remaining_header_lowers_the_bucket_and_never_raises_it():
    pacing, clock = gate()
    pacing.answered("PUT", {"x-ms-ratelimit-remaining-subscription-writes": "2"})
    pacing.before_send("PUT")
    pacing.before_send("PUT")
    assert clock.now == 0.0
    pacing.before_send("PUT")
    assert abs(clock.now - 0.1) < 1e-6
    pacing.answered("PUT", {"x-ms-ratelimit-remaining-subscription-writes": "1000"})
    assert pacing.buckets["writes"].tokens <= 1.0
    pacing.answered("DELETE", {"x-ms-ratelimit-remaining-subscription-deletes": "150",
                               "x-ms-ratelimit-remaining-subscription-global-deletes": "3"})
    assert pacing.buckets["deletes"].tokens == 3.0  # the subscription's global bucket, shared with others, is lower
    for junk in ({}, None, {"x-ms-ratelimit-remaining-subscription-writes": "many"},
                 {"x-ms-ratelimit-remaining-subscription-writes": "-4"}):
        pacing.answered("PUT", junk)  # ignored


def test_a_pause_beyond_the_time_budget_is_refused_and_says_why():
    pacing, clock = gate(budget=60, budget_name="throttling_timeout")
    assert pacing.throttled("PUT", 30) is True
    clock.sleep(31)
    assert pacing.throttled("PUT", 30) is False  # it would end at 61 s
    assert pacing.pauses == 1
    assert pacing.spent() == ("still throttled when throttling_timeout of 60 seconds ran out: Resource Manager asked to"
                              " wait beyond it")
    assert gate()[0].throttled("PUT", 86400) is True  # no budget: no limit


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


# ---------------------------------------------------------------------------------------------------------------------
# K runs sharing one principal's bucket, simulated: events on one clock, each run a gate with its workers


class Bucket(object):
    """Resource Manager's side: one bucket refilled continuously or by whole seconds. With ``strict``, a request sent
    before the last Retry-After ended is refused with the seconds left (request-limits-and-throttling: "isn't processed
    and a new retry value is returned"), as the emulator does."""

    def __init__(self, size, rate, stepped=False, strict=False):
        self.size, self.rate, self.stepped, self.strict = float(size), float(rate), stepped, strict
        self.tokens, self.updated, self.blocked_until, self.refused = float(size), 0.0, 0.0, 0

    def take(self, now):
        steps = (math.floor(now) - math.floor(self.updated)) if self.stepped else (now - self.updated)
        self.tokens, self.updated = min(self.size, self.tokens + max(0, steps) * self.rate), now
        if self.tokens >= 1 and not (self.strict and now < self.blocked_until):
            self.tokens -= 1
            return int(self.tokens), None
        self.refused += 1
        wait = (math.floor(now) + 1 - now) if self.stepped else (1 - self.tokens) / self.rate
        if self.strict and now < self.blocked_until:
            return int(max(0, self.tokens)), max(1, int(math.ceil(self.blocked_until - now - 1e-9)))
        retry = max(1, int(math.ceil(wait - 1e-9)))
        self.blocked_until = max(self.blocked_until, now + retry)
        return int(max(0, self.tokens)), retry


class Simulation(object):
    """``runs`` fleet runs of ``writes`` writes each, ``workers`` per run, against one ``Bucket``, on one event clock.

    A worker asks its run's gate (``admit``), sends, and gets the answer ``latency`` seconds later: a 429 goes to
    ``throttled`` and the same write is sent again, an admitted write to ``answered``. No wall clock, no threads."""

    def __init__(self, runs, writes, server, workers=10, latency=0.05):
        self.now, self.server, self.latency = 0.0, server, latency
        jitter = random.Random(runs * writes)  # deterministic: the same figures on every run
        self.gates = [fg.PacingGate(clock=lambda: self.now, sleep=None, random=jitter.random) for _run in range(runs)]
        self.left, self.done, self.events, self.order = [writes] * runs, 0.0, [], itertools.count()
        for run in range(runs):
            for _worker in range(workers):
                self.at(0.0, self.next_write, run)

    def at(self, when, step, *args):
        heapq.heappush(self.events, (when, next(self.order), step, args))

    def next_write(self, run):
        if self.left[run]:
            self.left[run] -= 1
            self.send(run)

    def send(self, run):
        delay, ordinal = self.gates[run].admit("PUT", self.now)
        if ordinal is None:
            return self.at(self.now + delay, self.send, run)
        answer = self.server.take(self.now + self.latency / 2)
        return self.at(self.now + self.latency, self.answer, run, fg.Admission(self.now, 0.0, ordinal), answer)

    def answer(self, run, admission, answer):
        remaining, retry = answer
        if retry is not None:
            self.gates[run].throttled("PUT", retry, admission)
            return self.send(run)
        self.gates[run].answered("PUT", {"x-ms-ratelimit-remaining-subscription-writes": str(remaining)}, admission)
        self.done = self.now
        return self.next_write(run)

    def run(self):
        while self.events:
            self.now, _order, step, args = heapq.heappop(self.events)
            step(*args)
        return self.done


SERVERS = {"continuous refill": {}, "refill per second": {"stepped": True},
           "refill per second, early retries refused": {"stepped": True, "strict": True}}


@pytest.mark.parametrize("model", sorted(SERVERS))
@pytest.mark.parametrize("runs", [1, 2, 4])
def test_runs_sharing_a_principal_converge_on_its_rate_with_few_429s(runs, model):
    """K runs of 250 writes under one principal (Azure's bucket: 200, 10 per second) finish within 1.1x of the joint
    floor (K x 250 - 200) / 10 s, with 429s for fewer than one write in ten (the runs learn the rate from them)."""
    server = Bucket(200, 10.0, **SERVERS[model])
    seconds = Simulation(runs, 250, server).run()
    floor = (runs * 250 - 200) / 10.0
    assert seconds <= 1.1 * floor + 1.0  # + 1: a refill per second adds up to a second to the continuous floor
    assert server.refused <= 0.1 * runs * 250


def test_a_bucket_smaller_than_azures_is_learnt_from_its_429s():
    """A trial subscription's bucket of 20 writes refilled at 2 per second: 300 writes near its floor of 140 s."""
    server = Bucket(20, 2.0)
    assert Simulation(1, 300, server).run() <= 1.05 * 140
    assert server.refused <= 30
