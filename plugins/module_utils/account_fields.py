# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A managed field as data: what the account's rules need to know about one field, and the two kinds of field.

``account_model.FIELDS`` describes the fields of a Model Management Account with these classes, the way google.cloud's
generated modules and amazon.aws ``_rds/transformations.py`` keep field knowledge in one table. The option spec, the
validation, the desired state, the diff, the request bodies, the predictions, the repair, the diff view and
``account_service.shows_write`` are derived from that table, so a new field is one entry there.

A ``Field`` is one value at one place: ``option`` is where the task gives it (a dot names a suboption: ``sku.name``),
``path`` where Resource Manager's JSON keeps it. Its write unit is the option's top level: the object of a suboption
(``sku``) is written whole, a field of ``properties`` (which Resource Manager merges) alone. ``TagsField`` is the tag
set: merged with ``append_tags``, names compared ignoring case. Pure, no I/O; knows no particular account field.
"""

from __future__ import annotations

from ansible_collections.azureml.model_management.plugins.module_utils.tagging import (
    check_merged_tags,
    check_tags,
    coerce_tags,
    lower_tags,
    merge_tags,
)


# ---------------------------------------------------------------------------------------------------------------------
# paths into JSON objects


def get_in(obj, path):
    """The value at ``path`` (a tuple of keys), or None when it or an object on the way is missing (or not an object)."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def has_in(obj, path):
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return False
        obj = obj[key]
    return True


def set_in(obj, path, value):
    """Set ``path`` in ``obj`` (changed in place), replacing each object on the way by a copy (or a new one)."""
    for key in path[:-1]:
        inner = obj.get(key)
        obj[key] = dict(inner) if isinstance(inner, dict) else {}
        obj = obj[key]
    obj[path[-1]] = value


def drop_in(obj, path):
    """Remove ``path`` from ``obj`` (changed in place, each object on the way replaced by a copy) when it is there."""
    if not has_in(obj, path):
        return
    for key in path[:-1]:
        obj[key] = dict(obj[key])
        obj = obj[key]
    del obj[path[-1]]


def as_is(value):
    return value


def _text_kind(value):
    return isinstance(value, str)


def _int_kind(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _object_kind(value):
    return isinstance(value, dict)


# Each kind of value: how an answer's value is checked, the message when it is not one, its argument spec type.
KINDS = {str: (_text_kind, "is not a string", "str"), int: (_int_kind, "is not an integer", "int"),
         dict: (_object_kind, "is not an object", "dict")}


# ---------------------------------------------------------------------------------------------------------------------
# the two kinds of field


class Field(object):
    """One managed value (text or a number).

    ``check(value, option)``: the message when a task's value (not None) is refused, else None. ``normalize``: the
    task's value as the desired state holds it. ``compare``: the form two values are compared in (an account without
    the field reads as ``empty``). ``show``: the form ``--diff`` shows (default: the compared form). ``kind``: the
    type an answer must carry, and the argument spec's. ``mutable``: False when Azure cannot change it after the
    create (``fixed_because`` says why). ``required``: a create needs it.
    """

    def __init__(self, option, path, check, kind=str, normalize=as_is, compare=as_is, show=None, empty=None,
                 mutable=True, required=False, fixed_because=None):
        self.option = option
        self.option_path = tuple(option.split("."))
        self.unit = self.option_path[0]
        self.path = tuple(path)
        self.unit_path = self.path if len(self.option_path) == 1 else self.path[:-len(self.option_path) + 1]
        self.spec = dict(type=KINDS[kind][2])
        self.check = check
        self.kind = kind
        self.normalize = normalize
        self.compare = compare
        self.show = show
        self.empty = empty
        self.mutable = mutable
        self.required = required
        self.fixed_because = fixed_because

    def wanted(self, desired):
        """The task's value in a desired state (None: not managed)."""
        return get_in(desired, self.option_path)

    def read(self, account):
        """The value in an account as Resource Manager sends it (None when absent)."""
        return get_in(account, self.path)

    def key(self, value):
        return self.compare(self.empty if value is None else value)

    def same(self, a, b):
        return self.key(a) == self.key(b)

    def after(self, have, wanted, desired):
        """The field's value once the task is applied to ``have`` (``desired``: the whole desired state)."""
        return have if wanted is None else wanted

    def view(self, value):
        return self.show(value) if self.show is not None else self.key(value)

    def answer_problem(self, value):
        """Why an answer's value cannot be this field, or None."""
        accepts, problem = KINDS[self.kind][:2]
        if value is None or accepts(value):
            return None
        return "the account's %s %s" % (".".join(self.path), problem)

    def result_problem(self, value):
        """Why the value a write would leave cannot be written, or None."""
        return None

    def shows(self, before, expected, now):
        """True when ``now`` shows this field's part of a write that was to turn ``before`` into ``expected``."""
        return not self.same(expected, before) and self.same(now, expected)


class TagsField(Field):
    """The resource's tags: names compared ignoring case and values exactly; ``append_tags`` keeps unlisted ones;
    Azure allows 50 (``tagging``)."""

    def __init__(self, option="tags", path=("tags",)):
        super(TagsField, self).__init__(option, path, check=lambda value, name: check_tags(coerce_tags(value), name),
                                        kind=dict, normalize=coerce_tags, compare=lower_tags, empty={})

    def after(self, have, wanted, desired):
        """A resource always has a tag set: without tags, the empty one."""
        if wanted is None:
            return dict(have or {})
        return merge_tags(have, wanted, desired.get("append_tags", True))

    def view(self, value):
        value = value or {}
        return dict((name, value[name]) for name in sorted(value, key=lambda name: (name.lower(), name)))

    def answer_problem(self, value):
        if value is None or (isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())):
            return None
        return "the account's %s are not an object of string values" % ".".join(self.path)

    def result_problem(self, value):
        return check_merged_tags(value or {}, self.option)

    def shows(self, before, expected, now):
        """Any tag added, changed or removed by the write, as now (others' tags do not count)."""
        before, expected, now = lower_tags(before), lower_tags(expected), lower_tags(now)
        return any(before.get(k) != v and now.get(k) == v for k, v in expected.items()) or \
            any(k not in expected and k not in now for k in before)


# ---------------------------------------------------------------------------------------------------------------------
# a resource's fields, in order


class FieldTable(tuple):
    """The managed fields of one resource type (a tuple), in the order of ``--diff`` output and of messages.

    ``units``: each write unit (the top level of its option) with the path Resource Manager keeps it at, in order;
    ``objects``: each option with suboptions (``sku``) and its fields.
    """

    def __new__(cls, *fields):
        return tuple.__new__(cls, fields)

    def __init__(self, *fields):
        super(FieldTable, self).__init__()
        self.mutable = tuple(field for field in fields if field.mutable)
        self.objects = {}
        for field in fields:
            if field.unit != field.option:
                self.objects.setdefault(field.unit, []).append(field)
        self.units = tuple(dict((field.unit, field.unit_path) for field in fields).items())
        self.mutable_units = tuple((unit, path) for unit, path in self.units if any(field.unit == unit for field in self.mutable))

    def options(self):
        """The fields' part of an argument spec (an option with suboptions as ``type: dict`` with ``options``)."""
        options = {}
        for field in self:
            if field.unit == field.option:
                options[field.option] = dict(field.spec)
            else:
                options.setdefault(field.unit, dict(type="dict", options={}))["options"][field.option_path[-1]] = dict(field.spec)
        return options

    def option_problems(self, params):
        """The messages for the fields' options as a task gives them (an object option that is not a dictionary: one)."""
        problems = []
        for field in self:
            parent = params.get(field.unit)
            if parent is None:
                continue
            if field.unit != field.option and not isinstance(parent, dict):
                parts = " and ".join(part.option_path[-1] for part in self.objects[field.unit])
                problems.append("%s must be a dictionary with %s" % (field.unit, parts))
            elif field.wanted(params) is not None:
                problems.append(field.check(field.wanted(params), field.option))
        return list(dict.fromkeys(problem for problem in problems if problem))

    def containers(self, other_paths=()):
        """The objects on the way to each field (and to ``other_paths``): ``("sku",)``, ``("properties",)``."""
        paths = [field.path for field in self] + list(other_paths)
        return tuple(dict.fromkeys(path[:i] for path in paths for i in range(1, len(path))))
