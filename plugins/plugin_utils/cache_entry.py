# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the inventory cache holds: the listing as one JSON text, so that no key or value Azure sent is a cache marker.

ansible-core's cache plugins decode keys of their own inside the data: ``__ansible_type`` (2.19+),
``__ansible_vault`` and ``__ansible_unsafe`` (before 2.19). A tag named like one of them made every cache hit fail,
or turned the tags into a vault object. Inside a string nothing is decoded, so the entry is
``{"format": 2, "listing": "<JSON of the scope and the accounts>"}``; any other entry (an older format, a file
somebody changed) is a miss and the accounts are listed again.

The jsonfile cache writes its files with mode 0644; ``make_private`` sets 0600 right after, as for the token cache:
the accounts' tags and descriptions are nobody else's business.
"""

from __future__ import annotations

import json
import os
import stat

FORMAT = 2  # 1 was the listing as a plain mapping, open to marker keys


def encode(scope, accounts, complete):
    """The cache entry for a listing of ``scope``; one with errors (not ``complete``) is written so that it is never
    served, replacing any older complete one."""
    return {"format": FORMAT, "listing": json.dumps({"scope": scope, "accounts": accounts if complete else None})}


def _is_account(account, subscriptions):
    if not isinstance(account, dict):
        return False
    return isinstance(account.get("id"), str) and account.get("subscription_id") in subscriptions and isinstance(account.get("tags"), dict)


def decode(entry, scope):
    """The accounts of a cache ``entry`` written for exactly ``scope`` by a listing without errors, else None."""
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or not isinstance(entry.get("listing"), str):
        return None
    try:
        listing = json.loads(entry["listing"])
    except ValueError:
        return None
    if not isinstance(listing, dict) or listing.get("scope") != scope:
        return None
    accounts = listing.get("accounts")
    if not isinstance(accounts, list) or not all(_is_account(account, scope["subscriptions"]) for account in accounts):
        return None
    return accounts


def make_private(directory, key):
    """Mode 0600 for the regular files in ``directory`` whose names end with the cache ``key`` (the cache plugin adds
    its prefixes); symbolic links are left alone. Returns the paths changed. No-op when ``directory`` is not one."""
    changed = []
    try:
        names = os.listdir(directory)
    except (OSError, TypeError):
        return changed
    for name in names:
        path = os.path.join(directory, name)
        if not name.endswith(key):
            continue
        try:
            info = os.lstat(path)
            if stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) != 0o600:
                os.chmod(path, 0o600)
                changed.append(path)
        except OSError:
            continue
    return changed
