# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one retry policy shared by Resource Manager requests and the cloud metadata request."""

from __future__ import annotations

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils.retry import RetryPolicy
from ansible_collections.azureml.model_management.tests.unit.fakes import FakeClock


def policy(**kwargs):
    clock = FakeClock()
    options = dict(clock=clock, random=lambda: 1.0, sleep=lambda s: None)
    options.update(kwargs)
    return RetryPolicy(**options), clock


def test_backoff_doubles_up_to_the_cap_then_gives_up_after_max_retries():
    retry, _clock = policy(max_retries=6, budget=10 ** 6, backoff_base=1.0, backoff_cap=10.0)
    attempts = retry.start()
    delays = [attempts.next_delay() for _attempt in range(7)]
    assert delays == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, None]


def test_retry_after_is_used_when_the_server_gives_it():
    retry, _clock = policy()
    assert retry.start().next_delay({"Retry-After": "7"}) == 7.0


def test_the_budget_counts_from_the_start_of_the_call():
    retry, clock = policy(budget=30)
    attempts = retry.start()
    clock.now = 25.0
    assert attempts.next_delay({"Retry-After": "4"}) == 4.0
    clock.now = 29.5
    assert attempts.next_delay({"Retry-After": "4"}) is None  # 29.5 + 4 > 30: give up now rather than sleep in vain


def test_full_jitter():
    retry, _clock = policy(random=lambda: 0.25, backoff_base=2.0)
    attempts = retry.start()
    assert [attempts.next_delay(), attempts.next_delay()] == [0.5, 1.0]


# ---------------------------------------------------------------------------------------------------------------------
# Retry-After (issue 15.4): RFC 9110 delay-seconds is 1*DIGIT; zero, negative or malformed values are no hint


@pytest.mark.parametrize("value", ["-1", "0", "00", "soon", "1.5", "", "+3", "1e3", "inf", "nan", "-inf", "\u0663"])
def test_a_retry_after_that_is_not_a_positive_delay_is_no_hint_and_the_backoff_applies(value):
    retry, _clock = policy(backoff_base=1.0)
    attempts = retry.start()
    assert [attempts.next_delay({"Retry-After": value}) for _attempt in range(3)] == [1.0, 2.0, 4.0]


def test_a_retry_after_in_the_past_is_no_hint():
    retry, _clock = policy()
    headers = {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT", "Date": "Wed, 21 Oct 2015 07:29:00 GMT"}
    assert retry.start().next_delay(headers) == 1.0


def test_a_retry_after_beyond_the_budget_gives_up_at_once_and_says_what_the_server_asked():
    retry, _clock = policy(budget=120)
    attempts = retry.start()
    assert attempts.next_delay({"Retry-After": "9999"}) is None
    assert "9999" in attempts.gave_up and "Retry-After" in attempts.gave_up and "120" in attempts.gave_up and attempts.asked_too_long


def test_giving_up_on_the_count_or_the_backoff_says_so_too():
    retry, _clock = policy(max_retries=1)
    attempts = retry.start()
    assert attempts.next_delay() == 1.0 and attempts.next_delay() is None
    assert "2 attempts" in attempts.gave_up and not attempts.asked_too_long
