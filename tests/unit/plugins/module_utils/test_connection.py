# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The subscription a task uses: trimmed where it is read, then matched whole against the GUID pattern (issue 15)."""

from __future__ import annotations

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils.connection import default_subscription, subscription_problem

SUB = "00000000-0000-0000-0000-000000000001"


@pytest.mark.parametrize("value", [SUB + "\n", "\n" + SUB, SUB + "\n\n", SUB + " ", SUB + "\u2028", SUB[:-1] + "\n" + SUB[-1]])
def test_a_guid_with_anything_around_or_inside_is_refused(value):
    """GUID_RE is matched whole: with match() and "$", a subscription id followed by a newline passed."""
    assert "must be a GUID" in subscription_problem(value)


@pytest.mark.parametrize("params, env", [
    ({"subscription_id": SUB + "\n"}, {}),
    ({}, {"AZURE_SUBSCRIPTION_ID": " " + SUB + "\r\n"}),
])
def test_the_subscription_is_trimmed_where_it_is_read(params, env):
    value = default_subscription(None, params, env)
    assert value == SUB and subscription_problem(value) is None
