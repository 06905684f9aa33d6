# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rules for option values that several layers check (a subscription id's form, a number within its range). No I/O:
the fleet's pure planning reads them without importing the transport (``connection``)."""

from __future__ import annotations

import re

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
