# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reuse across tasks (opt-in): the token_cache settings, which credentials' tokens are kept, and the directory the
cache lives in (checked as ssh checks ~/.ssh). The tokens themselves are written by azure-identity (msal-extensions;
set up by ``token_fetch``), never by code of this collection, and read back by ``cached_token`` or azure-identity; the
public metadata documents are kept by cloud.MetadataCache in the same directory.
"""

from __future__ import annotations

import os
import stat
from collections import namedtuple

from ansible_collections.azureml.model_management.plugins.module_utils.credentials import SERVICE_PRINCIPAL, WORKLOAD_IDENTITY
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError
from ansible_collections.azureml.model_management.plugins.module_utils.text import CONTROL_RULE, has_control, has_surrounding_space

TOKEN_CACHE_MODES = ("disabled", "encrypted", "allow_unencrypted")  # not "off": YAML would read it as false
TOKEN_CACHE_ENV, TOKEN_CACHE_DIR_ENV = "ANSIBLE_AZURE_TOKEN_CACHE", "ANSIBLE_AZURE_TOKEN_CACHE_DIR"
TOKEN_CACHE_NAME = "azureml.model_management"  # azure-identity adds ".nocae" / ".cae"
TOKEN_CACHE_SUFFIXES = (".nocae", ".cae")
# Credentials whose tokens azure-identity can persist (app-only tokens); the others keep a per-task token:
# a managed identity's endpoint is local and cheap, the Azure CLI has its own cache, and a user token needs an account record.
CACHEABLE_KINDS = (SERVICE_PRINCIPAL, WORKLOAD_IDENTITY)


class CacheSettings(namedtuple("CacheSettings", "mode directory")):
    """``token_cache`` mode and the directory the user named for it (None when off)."""

    @property
    def enabled(self):
        return self.mode != "disabled"

    @property
    def token_cache_name(self):
        # azure-identity puts the cache at os.path.join(<its default folder>, name): an absolute name puts it here.
        return os.path.join(self.directory, TOKEN_CACHE_NAME)

    @property
    def token_cache_files(self):
        """The files azure-identity keeps the tokens in (or, with an encrypted store, signals changes with)."""
        return [self.token_cache_name + suffix for suffix in TOKEN_CACHE_SUFFIXES]


CACHE_OFF = CacheSettings("disabled", None)


def cache_settings(params, env):
    """The token_cache / token_cache_dir options, else their environment variables; pure, raises AuthError."""
    mode = (params.get("token_cache") or env.get(TOKEN_CACHE_ENV) or "disabled").strip().lower()
    if mode not in TOKEN_CACHE_MODES:
        raise AuthError("InvalidTokenCache", "token_cache (or %s) must be one of %s, got %r" % (TOKEN_CACHE_ENV, ", ".join(TOKEN_CACHE_MODES), mode))
    if mode == "disabled":
        return CACHE_OFF
    directory = params.get("token_cache_dir") or env.get(TOKEN_CACHE_DIR_ENV)
    if not directory:
        raise AuthError("InvalidTokenCache", "token_cache %s needs token_cache_dir (or %s): a directory only you can write, "
                                             "for example an AWX job's private directory" % (mode, TOKEN_CACHE_DIR_ENV))
    # A path is refused, not trimmed, when it has a line break or surrounding whitespace: both are legal in a
    # directory name, so trimming could pick another directory than the one named (docs/decisions.md, issue 15).
    if has_control(directory):
        raise AuthError("InvalidTokenCache", "token_cache_dir (or %s) must not contain %s: got %s" % (TOKEN_CACHE_DIR_ENV, CONTROL_RULE, ascii(directory)))
    if has_surrounding_space(directory):
        raise AuthError("InvalidTokenCache", "token_cache_dir (or %s) must not start or end with whitespace: got %s" % (TOKEN_CACHE_DIR_ENV, ascii(directory)))
    directory = os.path.abspath(os.path.expanduser(directory))
    return CacheSettings(mode, directory)


def _ancestors(path):
    """The directories above ``path``, nearest first, up to the root."""
    parent = os.path.dirname(path)
    while parent != path:
        yield parent
        path, parent = parent, os.path.dirname(parent)


def unsafe_parent(directory):
    """``(parent, why)`` for the first directory above ``directory`` through which another user could swap it, else None.

    What ssh checks for ~/.ssh (StrictModes): every parent must be owned by root or by us, and one that group or others
    may write needs the sticky bit (as /tmp has), which keeps them from renaming what they do not own. The parents of
    the path as written are checked, and those of the path that symbolic links in it lead to.
    """
    uid = os.geteuid()
    seen = set()
    for parent in list(_ancestors(directory)) + list(_ancestors(os.path.realpath(directory))):
        if parent in seen:
            continue
        seen.add(parent)
        try:
            info = os.lstat(parent)
        except FileNotFoundError:
            continue  # created below, by us, mode 0700
        except OSError as exc:
            return parent, "cannot be checked (%s)" % (exc.strerror or exc)
        if stat.S_ISLNK(info.st_mode):
            continue  # its target is among the parents of the resolved path
        if info.st_uid not in (0, uid):
            return parent, "is owned by another user (uid %d)" % info.st_uid
        if info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
            return parent, "is writable by %s (mode %04o) and has no sticky bit" % (
                "group and others" if info.st_mode & 0o022 == 0o022 else "others" if info.st_mode & 0o002 else "its group", stat.S_IMODE(info.st_mode))
    return None


def _make_private_dirs(directory):
    """``os.makedirs`` with every directory it creates at mode 0700 (makedirs gives the missing parents the umask's mode)."""
    missing = []
    path = directory
    while not os.path.lexists(path):
        missing.append(path)
        path = os.path.dirname(path)
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass  # another task created it at the same moment; it is checked like any existing directory


def prepare_cache_dir(directory):
    """Create ``directory`` (0700) when missing; refuse one that another user owns or may write, or that another user
    could swap through one of its parents (``unsafe_parent``): they could plant or read the cache."""
    unsafe = unsafe_parent(directory)
    if unsafe:
        raise AuthError("InvalidTokenCache", "token_cache_dir %s is refused: the directory %s above it %s, so another user could put "
                                             "another directory in its place; choose a directory whose parents only you or root can write "
                                             "(as ssh requires of ~/.ssh), such as one in your home directory or an AWX job's private "
                                             "directory" % (directory, unsafe[0], unsafe[1]))
    try:
        _make_private_dirs(directory)
        info = os.lstat(directory)
    except OSError as exc:
        raise AuthError("InvalidTokenCache", "token_cache_dir %s cannot be created: %s" % (directory, exc.strerror or exc)) from None
    if not stat.S_ISDIR(info.st_mode):
        raise AuthError("InvalidTokenCache", "token_cache_dir %s is not a directory (symbolic links are refused)" % directory)
    if info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise AuthError("InvalidTokenCache", "token_cache_dir %s must be owned by this user and writable by nobody else (mode 0700 "
                                             "is right; it has %04o)" % (directory, stat.S_IMODE(info.st_mode)))
