"""A tiny reply value that handlers return (app.py sends it), request ids and time formats."""

import datetime
import random


class JsonText(str):
    """A body that is JSON text already (an account as stored): sent as it is, not parsed and written again."""


class Reply:
    """status, JSON body (an object, a list, JsonText, or None for an empty body), extra headers."""

    def __init__(self, status, body=None, headers=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(moment):
    """ISO 8601 with microseconds and Z, as the service wrote timestamps."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def dotnet_time(seconds):
    """Format like the .NET invariant DateTime that ARM puts into messages: 11/27/2025 2:16:05 AM."""
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    return "%d/%d/%d %d:%02d:%02d %s" % (moment.month, moment.day, moment.year, hour, moment.minute, moment.second, suffix)


def request_id():
    """A random version-4 GUID string, the form of Azure's request ids. Not a secret, so `random` serves, at a tenth
    of the cost of uuid.uuid4() (two per request)."""
    value = "%032x" % (random.getrandbits(128) & ~(0xF000 << 64 | 0xC000 << 48) | (0x4000 << 64 | 0x8000 << 48))
    return "%s-%s-%s-%s-%s" % (value[:8], value[8:12], value[12:16], value[16:20], value[20:])
