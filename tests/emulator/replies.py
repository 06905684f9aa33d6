"""A tiny reply value that handlers return (app.py turns it into a werkzeug Response), and time formats."""

import datetime


class Reply:
    """status, JSON body (or None for an empty body), extra headers."""

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
