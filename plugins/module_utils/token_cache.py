# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reuse across tasks (opt-in): the token_cache settings, the directory the cache lives in, and how azure-identity's
persistent token cache is set up there. The tokens themselves are kept by azure-identity (msal-extensions), never
by code of this collection; the public metadata documents are kept by cloud.MetadataCache in the same directory.
"""

from __future__ import annotations

import os
import stat
from collections import namedtuple

from ansible_collections.azureml.model_management.plugins.module_utils.arm import HAS_REQUESTS
from ansible_collections.azureml.model_management.plugins.module_utils.cloud import MetadataCache, discovery_adapter
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError

if HAS_REQUESTS:
    import requests

TOKEN_CACHE_MODES = ("disabled", "encrypted", "allow_unencrypted")  # not "off": YAML would read it as false
TOKEN_CACHE_ENV, TOKEN_CACHE_DIR_ENV = "ANSIBLE_AZURE_TOKEN_CACHE", "ANSIBLE_AZURE_TOKEN_CACHE_DIR"
TOKEN_CACHE_NAME = "azureml.model_management"  # azure-identity adds ".nocae" / ".cae"


class CacheSettings(namedtuple("CacheSettings", "mode directory")):
    """``token_cache`` mode and the directory the user named for it (None when off)."""

    @property
    def enabled(self):
        return self.mode != "disabled"

    @property
    def token_cache_name(self):
        # azure-identity puts the cache at os.path.join(<its default folder>, name): an absolute name puts it here.
        return os.path.join(self.directory, TOKEN_CACHE_NAME)


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
    directory = os.path.abspath(os.path.expanduser(directory))
    return CacheSettings(mode, directory)


def prepare_cache_dir(directory):
    """Create ``directory`` (0700) when missing; refuse one that another user owns or may write (they could swap the cache)."""
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        info = os.lstat(directory)
    except OSError as exc:
        raise AuthError("InvalidTokenCache", "token_cache_dir %s cannot be created: %s" % (directory, exc.strerror or exc)) from None
    if not stat.S_ISDIR(info.st_mode):
        raise AuthError("InvalidTokenCache", "token_cache_dir %s is not a directory (symbolic links are refused)" % directory)
    if info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise AuthError("InvalidTokenCache", "token_cache_dir %s must be owned by this user and writable by nobody else (mode 0700 "
                                             "is right; it has %04o)" % (directory, stat.S_IMODE(info.st_mode)))


def persistent_cache_options(cache, verify=True):
    """Keyword arguments for a credential: azure-identity's persistent token cache, and OpenID discovery served from ``cache``.

    msal reads the tenant's OpenID configuration every time a credential starts, even with a cached token;
    the discovery cache is what lets a warm task send no identity request at all.
    """
    from azure.core.pipeline.transport import RequestsTransport
    from azure.identity import TokenCachePersistenceOptions

    session = requests.Session()
    session.mount("https://", discovery_adapter(MetadataCache(cache.directory)))
    options = TokenCachePersistenceOptions(name=cache.token_cache_name, allow_unencrypted_storage=cache.mode == "allow_unencrypted")
    transport = RequestsTransport(session=session, session_owner=True, connection_verify=verify)
    return dict(cache_persistence_options=options, transport=transport)


NO_ENCRYPTED_STORE = (
    "token_cache encrypted: this system offers no encrypted store for tokens (on Linux: libsecret with an unlocked keyring, "
    "which a headless controller rarely has). Set token_cache: allow_unencrypted (or %s=allow_unencrypted) to keep them in "
    "a file of mode 0600 in token_cache_dir, or token_cache: disabled" % TOKEN_CACHE_ENV)
