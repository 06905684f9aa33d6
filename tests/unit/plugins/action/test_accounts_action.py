# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet module's action plugin: how often it shows progress."""

from __future__ import annotations

import pytest

from ansible_collections.azureml.model_management.plugins.action.accounts import progress_interval


@pytest.mark.parametrize("environ, seconds", [
    ({}, 5.0), ({"AZUREML_FLEET_PROGRESS_INTERVAL": "1"}, 1.0), ({"AZUREML_FLEET_PROGRESS_INTERVAL": "60"}, 10.0),
    ({"AZUREML_FLEET_PROGRESS_INTERVAL": "0"}, 0.1), ({"AZUREML_FLEET_PROGRESS_INTERVAL": "soon"}, 5.0),
    ({"AZUREML_FLEET_PROGRESS_INTERVAL": "nan"}, 5.0),
])
def test_progress_comes_at_least_every_ten_seconds(environ, seconds):
    assert progress_interval(environ) == seconds
