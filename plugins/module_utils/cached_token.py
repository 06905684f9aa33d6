# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A token from azure-identity's unencrypted persistent cache, read without importing azure-identity or msal.

Importing azure-identity, msal and cryptography costs a task far more than reading one small file, so a task whose
token is in the cache and fresh reads it here and never imports them. The token is found the way azure-identity
finds it (msal's JSON: an ``AccessToken`` entry of this client and tenant for this scope) and taken only when
azure-identity would take it as it is, without asking for a newer one. Only a private regular file of this user is
read; anything else, a file cut short included, is a miss, and the credential takes over with its own rules (a
damaged cache is removed and warned about there). Nothing is written here: the file stays msal-extensions' own,
shared with any other azure-identity user of the same name.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections import namedtuple

MAX_CACHE_BYTES = 1 << 20  # a cache of a few tokens is a few KiB; anything far larger is not read
# azure-identity asks for a new token when the cached one expires within 5 minutes (DEFAULT_REFRESH_OFFSET) or its
# refresh_on has passed; such a token is left to it.
REFRESH_OFFSET = 300
# What a bearer token may hold (RFC 6750's b64token): nothing that could break the Authorization header.
TOKEN_RE = re.compile(r"[A-Za-z0-9\-._~+/]+=*")

CachedToken = namedtuple("CachedToken", "token expires_on")
TokenQuery = namedtuple("TokenQuery", "client_id tenant environment scope")


def read_private_file(path, max_bytes=MAX_CACHE_BYTES):
    """The text of ``path`` when it is a regular file of this user that nobody else may read or write, else None.

    Not followed through a symbolic link, and a FIFO does not block the open.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077 or info.st_size > max_bytes:
            return None
        data = os.read(fd, max_bytes + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        return data.decode("utf-8") if len(data) <= max_bytes else None
    except UnicodeDecodeError:
        return None


def find_token(text, query, now):
    """The token in the cache ``text`` (msal's JSON) that azure-identity would use for ``query`` at ``now``, else None."""
    try:
        entries = json.loads(text).get("AccessToken")
    except (ValueError, AttributeError):
        return None
    if not isinstance(entries, dict):
        return None
    for entry in entries.values():
        found = _usable(entry, query, now)
        if found:
            return found
    return None


def _usable(entry, query, now):
    """A ``CachedToken`` when ``entry`` is an app-only bearer token of ``query``'s client, tenant, identity provider and scope
    with more than REFRESH_OFFSET seconds left and no refresh due; else None."""
    if not isinstance(entry, dict) or entry.get("home_account_id") or "ext_cache_key" in entry or "key_id" in entry:
        return None  # a user's token, or one bound to a key or a path: not what a client credential asks for
    environment = entry.get("environment")
    if (entry.get("client_id"), entry.get("realm")) != (query.client_id, query.tenant) or \
            not isinstance(environment, str) or environment.lower() != query.environment:
        return None
    target, token = entry.get("target"), entry.get("secret")
    if not isinstance(target, str) or query.scope not in target.split() or str(entry.get("token_type", "Bearer")).lower() != "bearer":
        return None
    if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
        return None
    expires_on = _seconds(entry.get("expires_on"))
    if expires_on is None or expires_on - now <= REFRESH_OFFSET:
        return None
    if "refresh_on" in entry:
        refresh_on = _seconds(entry["refresh_on"])
        if refresh_on is None or now >= refresh_on:
            return None
    return CachedToken(token, expires_on)


def _seconds(value):
    """An epoch time as msal writes it (a string of digits; a number is accepted), else None."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def cached_token(path, query, now):
    """``find_token`` over the file ``path`` (``read_private_file``); None on any miss."""
    text = read_private_file(path)
    return find_token(text, query, now) if text else None
