# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Opt-in reuse across tasks: the token_cache settings and the directory the cache lives in. No network."""

from __future__ import annotations

import os

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


# ---------------------------------------------------------------------------------------------------------------------
# issue 15, item 2: a path is refused, not trimmed, when it has a line break or surrounding whitespace


@pytest.mark.parametrize("params, env, fragment", [
    ({"token_cache": "allow_unencrypted", "token_cache_dir": "/run/job\n"}, {}, "must not contain control characters or line breaks"),
    ({"token_cache": "allow_unencrypted"}, {"ANSIBLE_AZURE_TOKEN_CACHE_DIR": "/run/job\u2028x"}, "must not contain"),
    ({"token_cache": "allow_unencrypted", "token_cache_dir": " /run/job"}, {}, "must not start or end with whitespace"),
    ({"token_cache": "allow_unencrypted", "token_cache_dir": "/run/job\xa0"}, {}, "must not start or end with whitespace"),
])
def test_cache_dir_with_line_breaks_or_surrounding_whitespace_is_refused(params, env, fragment):
    with pytest.raises(AuthError) as info:
        token_cache.cache_settings(params, env)
    assert info.value.code == "InvalidTokenCache" and "token_cache_dir (or ANSIBLE_AZURE_TOKEN_CACHE_DIR)" in str(info.value)
    assert fragment in str(info.value)


def test_a_space_inside_the_cache_dir_is_a_character_like_any_other():
    assert token_cache.cache_settings({"token_cache": "encrypted", "token_cache_dir": "/run/my job"}, {}).directory == "/run/my job"


# ---------------------------------------------------------------------------------------------------------------------
# issue 15, item 5: the parents are checked the way ssh checks ~/.ssh


@pytest.mark.parametrize("mode, refused", [
    (0o777, True), (0o770, True), (0o757, True), (0o1777, False), (0o1770, False), (0o755, False), (0o700, False),
])
def test_cache_dir_under_a_parent_others_may_write_without_the_sticky_bit_is_refused(tmp_path, mode, refused):
    parent = tmp_path / "parent"
    parent.mkdir()
    parent.chmod(mode)
    directory = parent / "job" / "azure"
    if not refused:
        token_cache.prepare_cache_dir(str(directory))
        assert directory.stat().st_mode & 0o7777 == 0o700 and (parent / "job").stat().st_mode & 0o7777 == 0o700
        return
    with pytest.raises(AuthError) as info:
        token_cache.prepare_cache_dir(str(directory))
    message = str(info.value)
    assert info.value.code == "InvalidTokenCache" and "the directory %s above it" % parent in message
    assert "%04o" % mode in message and "no sticky bit" in message
    assert not (parent / "job").exists()  # refused before anything was created


def test_every_parent_is_checked_not_only_the_nearest(tmp_path):
    (tmp_path / "open").mkdir()
    (tmp_path / "open").chmod(0o777)
    (tmp_path / "open" / "mine").mkdir(mode=0o700)
    with pytest.raises(AuthError) as info:
        token_cache.prepare_cache_dir(str(tmp_path / "open" / "mine" / "azure"))
    assert "the directory %s above it" % (tmp_path / "open") in str(info.value)


def test_parents_reached_through_a_symbolic_link_are_checked(tmp_path):
    (tmp_path / "open").mkdir()
    (tmp_path / "open").chmod(0o777)
    (tmp_path / "open" / "real").mkdir(mode=0o700)
    (tmp_path / "safe").mkdir(mode=0o700)
    (tmp_path / "safe" / "link").symlink_to(tmp_path / "open" / "real")
    with pytest.raises(AuthError) as info:
        token_cache.prepare_cache_dir(str(tmp_path / "safe" / "link" / "azure"))
    assert "the directory %s above it" % (tmp_path / "open") in str(info.value)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a directory to another user")
def test_a_parent_owned_by_another_user_is_refused(tmp_path):
    (tmp_path / "theirs").mkdir(mode=0o755)
    os.chown(str(tmp_path / "theirs"), 4242, -1)
    with pytest.raises(AuthError) as info:
        token_cache.prepare_cache_dir(str(tmp_path / "theirs" / "azure"))
    assert "is owned by another user (uid 4242)" in str(info.value)


def test_directories_it_creates_are_private_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        token_cache.prepare_cache_dir(str(tmp_path / "a" / "b" / "c"))
    finally:
        os.umask(old)
    for path in ("a", "a/b", "a/b/c"):
        assert (tmp_path / path).stat().st_mode & 0o777 == 0o700, path
