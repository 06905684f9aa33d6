# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Opt-in reuse across tasks: the token_cache settings and the directory the cache lives in. No network."""

from __future__ import annotations

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils import token_cache
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError


# ---------------------------------------------------------------------------------------------------------------------
# Opt-in reuse across tasks: settings, directory, metadata cache


@pytest.mark.parametrize("params, env, expected", [
    ({}, {}, ("disabled", None)),
    ({}, {"ANSIBLE_AZURE_TOKEN_CACHE": "allow_unencrypted", "ANSIBLE_AZURE_TOKEN_CACHE_DIR": "/run/job"}, ("allow_unencrypted", "/run/job")),
    ({"token_cache": "encrypted", "token_cache_dir": "/a"},
     {"ANSIBLE_AZURE_TOKEN_CACHE": "allow_unencrypted", "ANSIBLE_AZURE_TOKEN_CACHE_DIR": "/b"}, ("encrypted", "/a")),
    ({"token_cache": "disabled"}, {"ANSIBLE_AZURE_TOKEN_CACHE": "allow_unencrypted"}, ("disabled", None)),
    ({}, {"ANSIBLE_AZURE_TOKEN_CACHE": " Encrypted ", "ANSIBLE_AZURE_TOKEN_CACHE_DIR": "/c/../d"}, ("encrypted", "/d")),
])
def test_cache_settings(params, env, expected):
    settings = token_cache.cache_settings(params, env)
    assert (settings.mode, settings.directory) == expected
    assert settings.enabled == (expected[0] != "disabled")


@pytest.mark.parametrize("params, env, fragment", [
    ({"token_cache": "encrypted"}, {}, "token_cache encrypted needs token_cache_dir (or ANSIBLE_AZURE_TOKEN_CACHE_DIR)"),
    ({}, {"ANSIBLE_AZURE_TOKEN_CACHE": "yes"}, "must be one of disabled, encrypted, allow_unencrypted, got 'yes'"),
])
def test_cache_settings_errors(params, env, fragment):
    with pytest.raises(AuthError) as info:
        token_cache.cache_settings(params, env)
    assert fragment in str(info.value)


def test_cache_dir_is_created_private(tmp_path):
    directory = tmp_path / "job" / "azure"
    token_cache.prepare_cache_dir(str(directory))
    assert directory.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722])
def test_cache_dir_writable_by_others_is_refused(tmp_path, mode):
    directory = tmp_path / "shared"
    directory.mkdir()
    directory.chmod(mode)
    with pytest.raises(AuthError) as info:
        token_cache.prepare_cache_dir(str(directory))
    assert "writable by nobody else" in str(info.value) and "%04o" % mode in str(info.value)


def test_cache_dir_symlink_is_refused(tmp_path):
    (tmp_path / "real").mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(AuthError) as info:
        token_cache.prepare_cache_dir(str(tmp_path / "link"))
    assert "not a directory" in str(info.value)
