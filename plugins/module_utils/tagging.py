# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tags of any Azure resource: Azure's limits and the checks of a task's tags, compare and merge, filters, and the
path of Resource Manager's Tags API (as amazon.aws's ``module_utils/tagging.py``). No resource type owns this file:
the next one reuses it as it is. Pure, no I/O.

Azure's rules: at most 50 tags; tag names of at most 512 characters without ``< > % & \\ ? /``, compared ignoring
case; values of at most 256 characters, compared exactly (``""`` is a value). Lengths are counted as Azure counts
them, in UTF-16 code units (``text.dotnet_length``).

Reserved names: tags whose names start with ``hidden-`` (``hidden-link:``, ``hidden-title``...) are written by
Azure services and tools to link resources, and the portal does not show them; names starting with ``microsoft``,
``azure`` or ``windows`` are reserved for Azure. ``append_tags: false`` ("exactly these tags") never removes such
a tag that the task does not list: the task can set them, not lose them. See docs/decisions.md (issue 17).
"""

from __future__ import annotations

from collections import namedtuple

from ansible_collections.azureml.model_management.plugins.module_utils.text import (
    CONTROL_RULE,
    coerce_text,
    has_control,
    has_surrounding_space,
    shown,
    too_long,
    utf8_problem,
)

TAGS_MAX = 50
TAG_NAME_MAX = 512
TAG_VALUE_MAX = 256
TAG_NAME_FORBIDDEN = '<>%&\\?/'
RESERVED_PREFIXES = ("hidden-", "microsoft", "azure", "windows")  # compared ignoring case, like tag names
TAGS_API_VERSION = "2021-04-01"


def tags_path(resource_path):
    """The Tags API of one resource (``PATCH`` with ``operation: Merge`` adds tags on the server, keeping the others)."""
    return "%s/providers/Microsoft.Resources/tags/default?api-version=%s" % (resource_path, TAGS_API_VERSION)


# ---------------------------------------------------------------------------------------------------------------------
# checks: each returns an error message naming the option, or None


def check_tag_name(tag_name, option="tags"):
    if not isinstance(tag_name, str) or not tag_name:
        return "%s: tag names must be non-empty strings" % option
    length = too_long(tag_name, TAG_NAME_MAX)
    if length:
        return "%s: tag name %s is longer than %d characters (got %s)" % (option, shown(tag_name), TAG_NAME_MAX, length)
    bad = sorted(set(ch for ch in tag_name if ch in TAG_NAME_FORBIDDEN))
    if bad:
        return "%s: tag name %s must not contain any of %s (found %s)" % (option, shown(tag_name), " ".join(TAG_NAME_FORBIDDEN), " ".join(bad))
    return name_text_problem(tag_name, "%s: tag name %s" % (option, shown(tag_name)))


def name_text_problem(value, what):
    """The text rules of a tag name (also the name part of a tag filter): no control character or line break, no
    surrounding whitespace ("env " and "env" would be two tags), sendable as UTF-8."""
    if has_control(value):
        return "%s must not contain %s" % (what, CONTROL_RULE)
    if has_surrounding_space(value):
        return "%s must not start or end with whitespace" % what
    return utf8_problem(value, what)


def check_tag_value(tag_name, value, option="tags"):
    """A value is free text, kept as given (surrounding spaces and line breaks included); only its length is limited."""
    if not isinstance(value, str):
        return "%s: the value of tag %r must be a string (quote it in YAML; use '' for an empty value)" % (option, tag_name)
    length = too_long(value, TAG_VALUE_MAX)
    if length:
        return "%s: the value of tag %r is longer than %d characters (got %s)" % (option, tag_name, TAG_VALUE_MAX, length)
    return utf8_problem(value, "%s: the value of tag %s" % (option, shown(tag_name)))


def check_tags(tags, option="tags"):
    if not isinstance(tags, dict):
        return "%s must be a dictionary of tag names to string values" % option
    if len(tags) > TAGS_MAX:
        return "%s: at most %d tags are allowed (got %d)" % (option, TAGS_MAX, len(tags))
    seen = {}
    for tag_name, value in tags.items():
        error = check_tag_name(tag_name, option) or check_tag_value(tag_name, value, option)
        if error:
            return error
        key = tag_name.lower()
        if key in seen:
            return "%s: tag names %r and %r differ only by case; Azure treats them as the same tag" % (option, seen[key], tag_name)
        seen[key] = tag_name
    return None


def check_merged_tags(merged_tags, option="tags"):
    """The tag set a write would leave on the resource: Azure allows at most 50, whatever the task listed."""
    if len(merged_tags) > TAGS_MAX:
        return ("%s: with the account's current tags the result would have %d tags; at most %d are allowed"
                " (remove some, or use append_tags: false)" % (option, len(merged_tags), TAGS_MAX))
    return None


def coerce_tags(tags):
    """Turn YAML numbers into strings (``version: 2`` → ``"2"``); anything else is left for check_tags."""
    if not isinstance(tags, dict):
        return tags
    return dict((tag_name, coerce_text(value)) for tag_name, value in tags.items())


# ---------------------------------------------------------------------------------------------------------------------
# filters: 'name' (the tag exists) or 'name:value' (it has exactly this value)


TagFilter = namedtuple("TagFilter", ["name", "value"])  # value None: the tag exists, with any value


def split_tag_filter(item):
    """The one syntax of a tag filter (account_info's ``tags``, the fleet's ``purge_tags``, the inventory's
    ``include_tags``/``exclude_tags``): 'env:prod:eu' → ('env', 'prod:eu'); 'env' → ('env', None). Spaces around the
    name and the value are dropped ('env: prod' is env:prod, as a YAML reader expects); other whitespace (tabs, line
    breaks) is kept, so that the rules of tag names refuse it in a name instead of matching something unexpected."""
    tag_name, sep, value = item.partition(":")
    return TagFilter(tag_name.strip(" "), value.strip(" ") if sep else None)


def check_tag_filters(filters, option="tags"):
    """Each entry a string with a non-empty name that follows the text rules of tag names; the value is exact text."""
    if filters is not None and not isinstance(filters, list):
        return "%s must be a list of 'name' or 'name:value' entries" % option
    for item in filters or []:
        if not isinstance(item, str) or not split_tag_filter(item)[0]:
            return "%s: each entry must be 'name' or 'name:value' with a non-empty name, got %r" % (option, item)
        problem = name_text_problem(split_tag_filter(item)[0], "%s: the tag name of entry %s" % (option, shown(item)))
        if problem:
            return problem
    return None


def matches_tag_filters(resource, filters):
    """All filters (strings, ``split_tag_filter``) match the resource's tags."""
    return tags_match(resource, [split_tag_filter(item) for item in filters or []])


def tags_match(resource, filters):
    """Every ``TagFilter`` matches: the tag's name ignoring case; its value, when given, exactly."""
    tags = lower_tags((resource or {}).get("tags"))
    for tag in filters:
        if tag.name.lower() not in tags:
            return False
        if tag.value is not None and tags[tag.name.lower()] != tag.value:
            return False
    return True


# ---------------------------------------------------------------------------------------------------------------------
# compare and merge


def lower_tags(tags):
    return dict((k.lower(), v) for k, v in (tags or {}).items())


def same_tags(a, b):
    """Tag names compare ignoring case, values exactly ("" is a value)."""
    return lower_tags(a) == lower_tags(b)


def is_reserved(tag_name):
    """True for a name Azure or its services use (``hidden-link:...``, ``microsoft...``): see RESERVED_PREFIXES."""
    return tag_name.lower().startswith(RESERVED_PREFIXES)


def merge_tags(current_tags, desired_tags, append_tags):
    """The tag set after applying desired_tags to current_tags.

    append_tags=True keeps tags that are not listed; False removes them, except reserved ones (``is_reserved``),
    which only the task's own list can change. A listed tag whose value is unchanged keeps its current name casing;
    a changed or new one is written as the task spells it.
    """
    current_tags = current_tags or {}
    current_by_lower = dict((k.lower(), k) for k in current_tags)
    result = dict((k, v) for k, v in current_tags.items() if append_tags or is_reserved(k))
    for tag_name, value in desired_tags.items():
        existing = current_by_lower.get(tag_name.lower())
        if existing is not None and current_tags[existing] == value:
            result[existing] = value
            continue
        if existing is not None:
            result.pop(existing, None)
        result[tag_name] = value
    return result


def tags_to_merge(current_tags, resulting_tags):
    """The tags a server-side Merge must send to turn ``current_tags`` into ``resulting_tags`` (added or new values).

    Only valid when nothing is removed (``append_tags``); names compare ignoring case, values exactly.
    """
    current = lower_tags(current_tags)
    return dict((k, v) for k, v in resulting_tags.items() if current.get(k.lower()) != v)
