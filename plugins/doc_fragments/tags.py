# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """The tags options of a module that manages a resource (``azureml.model_management.tags``): tagging.py's rules."""

    DOCUMENTATION = r"""
options:
  tags:
    description:
      - Tags of the resource, a dictionary of names to string values. Not managed when omitted. See O(append_tags).
      - At most 50 tags. Tag names have 1 to 512 characters, without C(< > % & \ ? /), control characters (C0, DEL or C1)
        or line breaks (also U+2028 and U+2029), and do not start or end with whitespace (C(env ) and C(env) would be two
        tags). Values have at most 256 characters (V("") is a value) and are kept exactly as given, spaces and line breaks included.
      - Lengths are counted as Azure counts them, in UTF-16 code units, so a character outside the Basic Multilingual Plane,
        such as an emoji, counts as two.
      - Tag names are case-insensitive; two names that differ only by case are refused. Values are compared exactly.
      - At most 50 tags after the change too. With O(append_tags=true) the resource's current tags count, so a task that would
        take the resource past 50 tags fails after the GET and before any write.
    type: dict
  append_tags:
    description:
      - With V(true), the tags in O(tags) are added or updated and other tags of the resource are kept.
      - With V(false), tags of the resource that are not in O(tags) are removed (O(tags={}) removes all of them), except tags
        whose names start with C(hidden-) (such as C(hidden-link:...) and C(hidden-title), which Azure services and tools write
        to link resources and which the portal does not show) or with C(microsoft), C(azure) or C(windows) (reserved for Azure),
        compared ignoring case. Such a tag is kept unless O(tags) lists it, in which case it gets the value given there.
    type: bool
    default: true
"""
