# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The text of a variables file holding data from Azure, with every string that could be a template marked !unsafe.

The rule is an allow-list, not a search for Jinja's delimiters: a string is plain only when each character is an
ASCII letter or digit or one of ``SAFE_PUNCTUATION``, none of which starts a template, a comment or the ``#jinja2:``
header of ansible-core before 2.19. Everything else carries ``!unsafe``, which ansible-core 2.16 to 2.21 read as text
that is never rendered, except text that YAML reads as another type (quoted as usual: none of it can be a template).
"""

from __future__ import annotations

import string

import yaml

SAFE_CHARACTERS = frozenset(string.ascii_letters + string.digits + " _.:/@+=,-")
UNSAFE_TAG = "!unsafe"
STR_TAG = "tag:yaml.org,2002:str"


def is_plain(text):
    """True when ``text`` may be written without ``!unsafe``: made of ``SAFE_CHARACTERS`` only (the empty text too;
    the dumper quotes whatever would read back as another type, such as ``true`` or ``1.5``)."""
    return all(character in SAFE_CHARACTERS for character in text)


def plain_data(value, where="the input"):
    """``value`` as plain Python types (Ansible's str, dict and list subclasses copied), or TypeError naming where."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, dict):
        return dict((plain_data(key, where + " key"), plain_data(item, "%s[%r]" % (where, key))) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [plain_data(item, "%s[%d]" % (where, index)) for index, item in enumerate(value)]
    raise TypeError("%s is a %s: only strings, numbers, booleans, null, lists and dictionaries can be written" % (where, type(value).__name__))


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes ``!unsafe`` on strings that are not plain (quoted, so the tag holds them exactly)."""


def _represent_text(dumper, text):
    if is_plain(text) or dumper.resolve(yaml.ScalarNode, text, (True, False)) != STR_TAG:
        # Text YAML would read as another type (``~``, ``true``, ``12``, ``<<``) is quoted as usual, not tagged: from
        # 2.19 ansible-core resolves an ``!unsafe`` scalar's type as if it were plain (``!unsafe "~"`` is null). No
        # such text holds ``{`` or ``#``, so it cannot be a template.
        return dumper.represent_str(text)
    return dumper.represent_scalar(UNSAFE_TAG, text, style='"')


_Dumper.add_representer(str, _represent_text)


def vars_yaml(data):
    """The YAML text of ``data`` for a variables file: a document start, keys in order, block style."""
    return yaml.dump(plain_data(data), Dumper=_Dumper, explicit_start=True, default_flow_style=False, sort_keys=False,
                     allow_unicode=True, width=120)
