# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The character rules every check of a text option uses, in one place (pure, no I/O).

Control characters and line breaks, surrounding whitespace, text that cannot be sent as UTF-8, and the length
that Azure counts: Resource Manager is .NET, whose ``String.Length`` counts UTF-16 code units, so a character
outside the Basic Multilingual Plane (an emoji, U+1F600) counts 2 where Python's ``len`` counts 1.
"""

from __future__ import annotations

# Line breaks that are not control characters (str.splitlines breaks there too); the others are all C0 or C1.
LINE_SEPARATORS = "\u2028\u2029"
CONTROL_RULE = "control characters or line breaks (C0, DEL, C1, U+2028 or U+2029)"


def is_control(ch):
    """C0 (0x00-0x1F), DEL (0x7F) and C1 (0x80-0x9F): invisible in logs and portals."""
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F


def has_control(value):
    """True when ``value`` holds a control character or a line break of any kind (\\n, \\r, \\x85, U+2028, U+2029...)."""
    return any(is_control(ch) or ch in LINE_SEPARATORS for ch in value)


def header_value_problem(value):
    """Why ``value`` cannot be sent as an HTTP header value, or None: http.client writes header values as Latin-1, and a
    control character (a line break above all) would end the header or smuggle another one."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return "it has a character outside Latin-1"
    if any(is_control(ch) and ch != "\t" for ch in value):
        return "it has a control character"
    return None


def has_surrounding_space(value):
    """True when ``value`` starts or ends with whitespace (Unicode's, as ``str.strip`` sees it: a no-break space too)."""
    return value != value.strip()


def not_utf8(value):
    """True for text that cannot be sent in a UTF-8 JSON body or URL (a lone surrogate such as '\\ud800')."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def utf8_problem(value, what):
    """The message for text that cannot be sent as UTF-8, naming ``what`` (an option, "tags: tag name 'x'"), else None."""
    if not_utf8(value):
        return "%s must be valid Unicode text that can be sent as UTF-8 (it holds a lone surrogate)" % what
    return None


def dotnet_length(value):
    """The length Azure checks its limits against: UTF-16 code units (a character above U+FFFF counts 2)."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in value)


def too_long(value, limit):
    """``"<length>"`` when ``value`` is longer than ``limit`` as Azure counts, else None (for messages)."""
    length = dotnet_length(value)
    if length <= limit:
        return None
    if length != len(value):
        return "%d UTF-16 code units: a character outside the Basic Multilingual Plane, such as an emoji, counts 2" % length
    return "%d" % length


def shown(value, limit=40):
    """A value for a message: repr-escaped (a control character is shown as \\x85, never raw), cut at ``limit``."""
    return ascii(value[:limit] + ("..." if len(value) > limit else ""))


def kind(value):
    """What a value is, for "must be a string, got a list"."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a dictionary"
    if isinstance(value, (set, frozenset)):
        return "a set"
    if isinstance(value, (bytes, bytearray)):
        return "bytes"
    return "a %s" % type(value).__name__


def coerce_text(value):
    """A number given for a text option becomes its text (``description: 123`` → ``"123"``), as ``type: str`` does."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value
