# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""``TokenProvider``: one bearer token for every request of a task, renewed when it expires or is refused.

The token comes from the warm cache when it is there and fresh (``cached_token``, no azure-identity), else from an
azure-identity credential (``token_fetch``, imported then and only then): a module that fails on its own options, or
a task whose token is in the warm cache, imports neither azure-identity, nor msal, nor cryptography.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections import namedtuple

from ansible.module_utils.common.warnings import warn as module_warning

from ansible_collections.azureml.model_management.plugins.module_utils.token_cache import CACHE_OFF

TOKEN_EXPIRY_MARGIN = 60  # seconds: fetch a new token when the one held expires sooner than this

# What a TokenProvider was made with, handed as a whole to the credential side (token_fetch.TokenFetcher).
TokenSettings = namedtuple("TokenSettings", "factory scope description secrets clock cache warn")


def azure_identity_import_error():
    """None when azure-identity can be imported, else the traceback (for missing_required_lib)."""
    try:
        import azure.identity  # noqa: F401  pylint: disable=unused-import
    except ImportError:
        return traceback.format_exc()
    return None


class TokenProvider(object):
    """Bearer tokens for one scope. ``factory()`` makes a credential; ``refresh()`` makes a new one to bypass its cache.

    ``cached(now)``, when given, is tried once before any credential is made: a ``(token, expires_on)`` read from the
    warm cache without azure-identity, or None. Everything else is ``token_fetch.TokenFetcher``'s (the persistent
    cache, a cache that cannot be read, azure-identity's errors). ``warn`` defaults to Ansible's module warnings.
    """

    def __init__(self, factory, scope, description="credentials", secrets=(), clock=time.time, cache=CACHE_OFF, warn=None, cached=None):
        self.settings = TokenSettings(factory, scope, description, tuple(secrets), clock, cache, warn or module_warning)
        self.scope = scope
        self._clock = clock
        self._cached = cached
        self._fetcher = None
        self._token = None
        self._expires_on = 0
        self._lock = threading.Lock()

    def get_token(self):
        with self._lock:  # one token for every worker of a fleet run: fetched once, not once per thread
            if self._token is None and self._cached is not None:
                found, self._cached = self._cached(self._clock()), None
                if found:
                    self._token, self._expires_on = found
            if self._token is None or self._expires_on - TOKEN_EXPIRY_MARGIN <= self._clock():
                self._token, self._expires_on = self._fetch(new_credential=False)
            return self._token

    def refresh(self, rejected=None):
        """A new token; ``rejected`` (the token a 401 refused) avoids a second refresh when another worker already did one."""
        with self._lock:
            if rejected is None or rejected == self._token:
                self._token, self._expires_on = self._fetch(new_credential=True)
            return self._token

    def _fetch(self, new_credential):
        if self._fetcher is None:
            from ansible_collections.azureml.model_management.plugins.module_utils.token_fetch import TokenFetcher

            self._fetcher = TokenFetcher(self.settings)
        return self._fetcher.fetch(new_credential)
