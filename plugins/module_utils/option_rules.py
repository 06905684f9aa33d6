# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rules for option values that several layers check (a subscription id's form, a number within its range, an
api-version's format). No I/O: the fleet's pure planning reads them without importing the transport (``connection``),
and the modules' common start (``base``) without importing the account's rules."""

from __future__ import annotations

import re

# Resource Manager's api-version: a date, optionally -preview/-alpha/-beta. ASCII digits only, nothing after it
# (the value goes into every URL's query: '2017-09-01-preview&x=y' must never get there).
API_VERSION_RE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(-(preview|alpha|beta))?")
API_VERSION_RULE = "a date YYYY-MM-DD, optionally followed by -preview, -alpha or -beta, and nothing else"
GUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")  # fullmatch: "$" allows a final "\n"


def number_problem(value, option, allowed):
    """None when ``value`` is a whole number within ``allowed`` (low, high, unit), else the message to fail with.

    Booleans are refused: Ansible's ``type: int`` lets ``true`` through (it is 1 to Python), and YAML turns
    ``yes``/``no``/``on``/``off`` into booleans behind the user's back. Numbers given as text (``"45"``) count.
    """
    low, high, unit = allowed
    unit = " " + unit if unit else ""
    if isinstance(value, bool):
        return "%s must be a whole number from %d to %d%s, got a boolean" % (option, low, high, unit)
    try:
        number = int(value) if isinstance(value, str) else value
    except ValueError:
        number = None
    if not isinstance(number, int):
        return "%s must be a whole number from %d to %d%s" % (option, low, high, unit)
    if not low <= number <= high:
        return "%s must be from %d to %d%s, got %d" % (option, low, high, unit, number)
    return None


def check_api_version(value, option="api_version"):
    """The api-version's format; whether Resource Manager knows that version is for Resource Manager to say."""
    if not isinstance(value, str) or not API_VERSION_RE.fullmatch(value):
        return "%s must be %s, for example 2017-09-01-preview" % (option, API_VERSION_RULE)
    return None
