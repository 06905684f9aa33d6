# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which cloud: its Resource Manager, identity authority and token audience, and the cache of its public documents.

A known cloud is a name; any other Resource Manager (Azure Stack Hub, the emulator) is discovered from
``{url}/metadata/endpoints``. ``MetadataCache`` keeps that document, and the identity provider's OpenID discovery
documents (``token_fetch.discovery_adapter``), for ``METADATA_CACHE_SECONDS``: both are public, never secrets.
"""

from __future__ import annotations

import hashlib
import json
import os
import random as _random
import time
from collections import namedtuple

from ansible_collections.azureml.model_management.plugins.module_utils.arm import (
    HAS_REQUESTS,
    default_user_agent,
    shorten,
)
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError
from ansible_collections.azureml.model_management.plugins.module_utils.retry import RETRY_STATUSES, RetryPolicy
from ansible_collections.azureml.model_management.plugins.module_utils.text import CONTROL_RULE, has_control

if HAS_REQUESTS:
    import requests

METADATA_API_VERSION = "2015-01-01"
METADATA_CACHE_SECONDS = 24 * 3600  # cloud metadata and OpenID discovery documents are reused this long


class CloudEndpoints(namedtuple("CloudEndpoints", "name resource_manager authority audience custom")):
    """Resource Manager URL, identity authority and token audience of one cloud."""

    @property
    def scope(self):
        return self.audience.rstrip("/") + "/.default"


KNOWN_CLOUDS = dict((cloud.name.lower(), cloud) for cloud in (
    CloudEndpoints("AzureCloud", "https://management.azure.com", "https://login.microsoftonline.com",
                   "https://management.core.windows.net/", False),
    CloudEndpoints("AzureChinaCloud", "https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn",
                   "https://management.core.chinacloudapi.cn/", False),
    CloudEndpoints("AzureUSGovernment", "https://management.usgovcloudapi.net", "https://login.microsoftonline.us",
                   "https://management.core.usgovcloudapi.net/", False),
))
KNOWN_CLOUDS["azurepubliccloud"] = KNOWN_CLOUDS["azurecloud"]


def resolve_cloud(cloud_environment, verify=True, timeout=30, session=None, cache=None, sleep=time.sleep, random=_random.random,
                  clock=time.monotonic):
    """A known cloud by name, or a custom one (Azure Stack Hub, emulator) from ``{url}/metadata/endpoints``.

    ``cache`` (a ``MetadataCache``) serves a document fetched less than ``METADATA_CACHE_SECONDS`` ago.
    """
    name = (cloud_environment or "AzureCloud").strip()
    if name.lower() in KNOWN_CLOUDS:
        return KNOWN_CLOUDS[name.lower()]
    if not name.lower().startswith("https://") or has_control(name):
        raise AuthError("InvalidCloud", "cloud_environment must be AzureCloud, AzureChinaCloud, AzureUSGovernment or the https:// URL "
                                        "of a Resource Manager (without %s), got %r" % (CONTROL_RULE, name))
    base = name.rstrip("/")
    url = "%s/metadata/endpoints?api-version=%s" % (base, METADATA_API_VERSION)
    where = "cloud_environment %r: cannot read the cloud metadata from %s" % (name, url)
    cached = cache.get(url) if cache is not None else None
    retry = RetryPolicy(sleep=sleep, clock=clock, random=random)  # the metadata request is retried like any Resource Manager call
    document = cached if cached is not None else _fetch_metadata(url, where, verify, timeout, session, retry)
    try:
        auth = document["authentication"]
        authority, audience = auth["loginEndpoint"], auth["audiences"][0]
        if not (isinstance(authority, str) and authority.startswith("https://") and isinstance(audience, str) and audience):
            raise ValueError("bad values")
    except (ValueError, KeyError, TypeError, IndexError):
        raise AuthError("CloudMetadataInvalid", "%s: the answer has no https authentication.loginEndpoint and "
                                                "authentication.audiences" % where) from None
    if cache is not None and cached is None:
        cache.put(url, document)
    return CloudEndpoints(base, base, authority.rstrip("/"), audience, True)


def _fetch_metadata(url, where, verify, timeout, session, retry):
    """The metadata document; throttling, 5xx and dropped connections are retried by ``retry`` (a ``RetryPolicy``)."""
    getter = session.get if session is not None else requests.get
    attempts = retry.start()
    while True:
        hint = None
        try:
            response = getter(url, headers={"Accept": "application/json", "User-Agent": default_user_agent()}, timeout=timeout, verify=verify)
        except requests.exceptions.SSLError as exc:
            raise AuthError("CloudMetadataUnavailable", "%s: TLS failure (check validate_certs or REQUESTS_CA_BUNDLE): %s"
                            % (where, shorten(str(exc), 300))) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            error = AuthError("CloudMetadataUnavailable", "%s: %s: %s" % (where, type(exc).__name__, shorten(str(exc), 300)))
        except requests.exceptions.RequestException as exc:
            raise AuthError("CloudMetadataUnavailable", "%s: %s: %s" % (where, type(exc).__name__, shorten(str(exc), 300))) from None
        else:
            if response.status_code == 200:
                try:
                    return response.json()
                except ValueError:
                    return None  # reported by the caller, like any document without the fields it needs
            error = AuthError("CloudMetadataUnavailable", "%s: HTTP %s" % (where, response.status_code))
            if response.status_code not in RETRY_STATUSES:
                raise error
            hint = response.headers
        delay = attempts.next_delay(hint)
        if delay is None:
            raise error
        retry.sleep(delay)


class MetadataCache(object):
    """Public documents (cloud metadata, OpenID discovery) by URL, in ``directory``, each reused for ``max_age`` seconds."""

    def __init__(self, directory, max_age=METADATA_CACHE_SECONDS, clock=time.time):
        self.directory = directory
        self.max_age = max_age
        self._clock = clock

    def _path(self, url):
        return os.path.join(self.directory, "metadata-%s.json" % hashlib.sha256(url.encode("utf-8")).hexdigest()[:32])

    def get(self, url):
        """The document, or None when absent, unreadable, for another URL or older than ``max_age``."""
        try:
            with open(self._path(url)) as handle:
                entry = json.load(handle)
            fresh = entry["url"] == url and 0 <= self._clock() - float(entry["fetched"]) < self.max_age
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return entry["document"] if fresh else None

    def put(self, url, document):
        """Write atomically, mode 0600; a cache that cannot be written only costs the next task a request."""
        path = self._path(url)
        tmp = "%s.%d.tmp" % (path, os.getpid())
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(dict(url=url, fetched=self._clock(), document=document), handle)
            os.replace(tmp, path)
        except (OSError, TypeError, ValueError):
            try:
                os.remove(tmp)
            except OSError:
                pass
