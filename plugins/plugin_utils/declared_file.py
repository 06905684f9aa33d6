# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fleet module's declared list read from a file on the controller (its ``accounts_file`` option), as data.

Why a file: ten thousand entries given as a task argument cost ansible-core far more than the run itself (reading the
playbook's YAML, tagging and templating every string, copying the arguments several times). Read here with the JSON
parser or libyaml, the list goes to the module as it is. It is data, never a template: ``{{ }}`` in it stays text, as
a value from Azure would. A key given twice in one mapping is refused (both parsers would otherwise keep the last one
without a word, and a declared list is where such a slip changes what gets written).
"""

from __future__ import annotations

import json

import yaml

OPTION = "accounts_file"
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DuplicateKey(ValueError):
    """A mapping of the file names one key twice."""


def _unique_pairs(pairs):
    found = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey("the key %r is given twice in one mapping" % (key,))
        found[key] = value
    return found


class _UniqueKeyLoader(_SafeLoader):  # pylint: disable=too-many-ancestors
    """YAML's safe loader (libyaml's when present), refusing a key given twice in one mapping."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
        pairs = [(self.construct_object(key, deep=deep), self.construct_object(value, deep=deep)) for key, value in node.value]
        try:
            return _unique_pairs(pairs)
        except DuplicateKey as err:
            raise yaml.constructor.ConstructorError(None, None, str(err), node.start_mark) from None
        except TypeError:  # an unhashable key (a list as a key): YAML's own words for it
            return super(_UniqueKeyLoader, self).construct_mapping(node, deep=deep)


def parse_declared(text, path):
    """``(entries, None)`` for the text of a declared-list file, else ``(None, message)`` naming the option, the file
    and the rule. JSON when the text starts with ``[`` (fast on large lists), YAML otherwise."""
    where = "%s (%s)" % (OPTION, path)
    try:
        if text.lstrip()[:1] == "[":
            entries = json.loads(text, object_pairs_hook=_unique_pairs)
        else:
            entries = yaml.load(text, Loader=_UniqueKeyLoader)  # nosec B506: a safe loader
    except (ValueError, yaml.YAMLError) as err:
        return None, "%s is not a valid JSON or YAML file: %s" % (where, err)
    if not isinstance(entries, list):
        return None, "%s must hold a list of accounts (one dictionary per account), got %s" % (
            where, "an empty file" if entries is None else type(entries).__name__)
    return entries, None


def read_declared(path):
    """``(entries, None)`` or ``(None, message)``: the file at ``path`` (already resolved) read as UTF-8 and parsed."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except (IOError, OSError) as err:
        return None, "%s: cannot read %s: %s" % (OPTION, path, err.strerror or err)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return None, "%s (%s) must be UTF-8 text: %s" % (OPTION, path, err)
    return parse_declared(text, path)
