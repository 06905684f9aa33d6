"""The query options of Resource Manager's lists: the small `$filter` grammar they document, and `$top`.

`$filter` is clauses joined by `and`: `<field> eq '<value>'` (resourceType, name, location, resourceGroup,
tagName, tagValue) and `substringof('<text>', name)`. As in Azure, a tag filter (tagName, optionally with
tagValue) cannot be combined with other clauses. Anything else is 400 InvalidFilterInQueryString: answering an
unfiltered list to a filter we do not understand would hand clients resources they did not ask for.
"""

import re

from . import errors

_EQ = re.compile(r"\s*(?P<field>[A-Za-z]+)\s+eq\s+'(?P<value>(?:[^']|'')*)'\s*", re.IGNORECASE)
_SUBSTRING = re.compile(r"\s*substringof\(\s*'(?P<value>(?:[^']|'')*)'\s*,\s*name\s*\)\s*", re.IGNORECASE)
_AND = re.compile(r"and\b", re.IGNORECASE)
TAG_FIELDS = ("tagname", "tagvalue")
RESOURCE_FIELDS = ("resourcetype", "name", "location", "resourcegroup") + TAG_FIELDS


def _invalid(text):
    return errors.arm(400, "InvalidFilterInQueryString", "Invalid $filter '%s' specified in the query string." % text)


def _clauses(text):
    """'a eq '1' and substringof('x', name)' -> [('a', '1'), ('substringof', 'x')]; raise on anything else."""
    out, pos = [], 0
    while True:
        found = _EQ.match(text, pos) or _SUBSTRING.match(text, pos)
        if not found:
            raise _invalid(text)
        field = found.groupdict().get("field") or "substringof"
        out.append((field.lower(), found.group("value").replace("''", "'")))
        pos = found.end()
        if pos == len(text):
            return out
        joined = _AND.match(text, pos)
        if not joined:
            raise _invalid(text)
        pos = joined.end()


def compile_filter(text, fields=RESOURCE_FIELDS):
    """Return a predicate over {"type", "name", "location", "resourceGroup", "tags"} for a `$filter` (None: all)."""
    if text is None or not text.strip():
        return lambda _item: True
    clauses = _clauses(text)
    names = [field for field, _value in clauses]
    tag_names = [v for f, v in clauses if f == "tagname"]
    tag_values = [v for f, v in clauses if f == "tagvalue"]
    unknown = [f for f in names if f not in fields and not (f == "substringof" and "name" in fields)]
    mixed = (tag_names or tag_values) and len(clauses) != len(tag_names) + len(tag_values)
    if unknown or mixed or len(tag_names) > 1 or len(tag_values) > 1 or (tag_values and not tag_names) \
            or len(set(names)) != len(names):
        raise _invalid(text)

    def matches(item):
        for field, value in clauses:
            if field == "substringof":
                ok = value.lower() in item["name"].lower()
            elif field == "tagname":
                tags = {k.lower(): v for k, v in item["tags"].items()}
                ok = value.lower() in tags and (not tag_values or tags[value.lower()] == tag_values[0])
            elif field == "tagvalue":
                ok = True  # checked with its tagName
            elif field == "location":
                ok = "".join(value.split()).lower() == item["location"]
            else:
                key = {"resourcetype": "type", "resourcegroup": "resourceGroup"}.get(field, field)
                ok = item[key].lower() == value.lower()
            if not ok:
                return False
        return True

    return matches


def page_size(args, default):
    """`$top` (a positive integer) is the page size; the rest comes through nextLink, as Azure's lists do."""
    top = args.get("$top")
    if top is None:
        return default
    if not (top.isascii() and top.isdigit()) or int(top) < 1:
        raise errors.arm(400, "InvalidQueryParameterValue",
                         "The value '%s' of query parameter '$top' is invalid: it must be a positive integer." % top)
    return int(top)
