"""Resource Manager's front door: authentication, api-version, routing, subscription checks.

Paths match case-insensitively (as ARM does) against the raw, still percent-encoded path, so an
encoded '/' or '%' inside a name reaches the name rules instead of changing the route.
"""

import functools
import re
from urllib.parse import unquote

from . import errors, groups, provider, providers, resources, tags, throttling, validation

NS = re.escape(provider.NAMESPACE)
SUB = r"/subscriptions/(?P<sub>[^/]+)"
RG = SUB + r"/resourcegroups/(?P<rg>[^/]+)"
RG_API_VERSIONS = providers.API_VERSIONS
SUB_API_VERSIONS = providers.SUBSCRIPTION_API_VERSIONS
PV = provider.API_VERSIONS
NAMESPACE = r"/providers/(?P<namespace>[^/]+)"
EMPTY_SEGMENTS = re.compile(r"/{2,}")
PROVIDERS_PREFIX = re.compile(r"/providers/", re.IGNORECASE)
SUBSCRIPTION_SEGMENT = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)


def _route(pattern, methods, versions, kind="arm"):
    return re.compile("^" + pattern + "/?$", re.IGNORECASE), methods, versions, kind


ROUTES = [
    _route(r"/providers/" + NS + r"/operations", {"GET": provider.list_operations}, PV),
    _route(r"/subscriptions", {"GET": groups.list_subscriptions}, SUB_API_VERSIONS),
    _route(SUB, {"GET": groups.get_subscription}, SUB_API_VERSIONS),
    _route(SUB + r"/locations", {"GET": providers.list_locations}, SUB_API_VERSIONS),
    _route(SUB + r"/resources", {"GET": resources.list_in_subscription}, RG_API_VERSIONS),
    _route(SUB + r"/providers", {"GET": providers.list_providers}, RG_API_VERSIONS),
    _route(SUB + NAMESPACE, {"GET": providers.get_provider}, RG_API_VERSIONS),
    _route(SUB + NAMESPACE + r"/register", {"POST": providers.get_provider}, RG_API_VERSIONS),
    _route(SUB + r"/operationresults/(?P<job>[^/]+)", {"GET": groups.operation_result}, RG_API_VERSIONS, "async"),
    _route(SUB + r"/resourcegroups", {"GET": groups.list_groups}, RG_API_VERSIONS),
    _route(RG, {"GET": groups.get_group, "HEAD": groups.get_group, "PUT": groups.put_group, "PATCH": groups.patch_group,
                "DELETE": groups.delete_group}, RG_API_VERSIONS),
    _route(RG + r"/resources", {"GET": resources.list_in_group}, RG_API_VERSIONS),
    _route(RG + r"/providers/" + NS + r"/accounts", {"GET": provider.list_in_group}, PV),
    _route(RG + r"/providers/" + NS + r"/accounts/(?P<name>[^/]+)",
           {"GET": provider.get_account, "HEAD": resources.account_exists, "PUT": provider.put_account,
            "PATCH": provider.patch_account, "DELETE": provider.delete_account}, PV),
    _route(RG + r"/providers/" + NS + r"/accounts/(?P<name>[^/]+)/providers/Microsoft\.Resources/tags/default",
           {"GET": tags.get_tags, "PUT": tags.put_tags, "PATCH": tags.patch_tags, "DELETE": tags.delete_tags},
           tags.API_VERSIONS),
    _route(SUB + r"/providers/" + NS + r"/accounts", {"GET": provider.list_in_subscription}, PV),
    _route(SUB + r"/providers/" + NS + r"/locations/(?P<loc>[^/]+)/operationStatuses/(?P<op>[^/]+)",
           {"GET": provider.operation_status}, PV, "async"),
    _route(SUB + r"/providers/" + NS + r"/locations/(?P<loc>[^/]+)/operationResults/(?P<op>[^/]+)",
           {"GET": provider.operation_result}, PV, "async"),
]
UNKNOWN_TYPE = re.compile(r"/providers/" + NS + r"/(?P<type>[^/?]+)", re.IGNORECASE)


class Call:
    """What a handler needs to know about one ARM request."""

    def __init__(self, method, raw_path, args, headers, raw, params, api_version):
        self.method = method
        self.raw_path = raw_path
        self.args = args
        self.headers = headers
        self.raw = raw
        self.api_version = api_version
        self.params = params
        self.sub = params.get("sub")
        self.rg = params.get("rg")
        self.name = params.get("name")
        self.loc = params.get("loc")
        self.op = params.get("op")


@functools.lru_cache(maxsize=4096)
def normalise(raw_path):
    """Collapse empty segments after '/providers/': the SDK's and CLI's by-parts calls send an empty parent
    resource path (`.../providers/{namespace}//accounts/{name}`), which Resource Manager reads as none."""
    found = PROVIDERS_PREFIX.search(raw_path)
    if not found:
        return raw_path
    return raw_path[:found.start()] + EMPTY_SEGMENTS.sub("/", raw_path[found.start():])


@functools.lru_cache(maxsize=4096)
def route(raw_path):
    """(methods, api-versions, kind, decoded path parameters) of the route a normalised path takes, or None.

    Memoised (every request asks, and most paths come again), so the parameters are a tuple of pairs, not a dict.
    """
    for regex, methods, versions, kind in ROUTES:
        found = regex.match(raw_path)
        if found:
            return methods, versions, kind, tuple((k, unquote(v)) for k, v in found.groupdict().items())
    return None


def classify(raw_path):
    """'async' for operation status/result URLs, else 'arm'."""
    found = route(normalise(raw_path))
    return "async" if found is not None and found[2] == "async" else "arm"


def handle(emu, method, raw_path, args, headers, raw):
    """Answer one Resource Manager request (raises errors.ApiError for error answers).

    Order of checks, as ARM: token, throttling (a subscription's buckets when the path names one, else the tenant's),
    api-version present, route/method, api-version supported, subscription, then the handler (resource group, name,
    body, preconditions). Every answer after the throttle, errors included, carries the bucket's remaining-requests
    headers.
    """
    token = emu.identity.authenticate(headers.get("Authorization"))
    raw_path = normalise(raw_path)
    found = SUBSCRIPTION_SEGMENT.match(raw_path)
    if found:
        limits = emu.throttle.admit(throttling.SUBSCRIPTION, found.group(1).lower(), token["principal"], method)
    else:
        limits = emu.throttle.admit(throttling.TENANT, emu.identity.tenant, token["principal"], method)
    try:
        reply = _answer(emu, method, raw_path, args, headers, raw)
    except errors.ApiError as exc:
        exc.headers.update(limits)
        raise
    reply.headers.update(limits)
    return reply


def _answer(emu, method, raw_path, args, headers, raw):
    api_version = args.get("api-version")
    if not api_version:
        raise errors.arm(400, "MissingApiVersionParameter",
                         "The api-version query parameter (?api-version=) is required for all requests.")
    found = route(raw_path)
    if found is not None:
        methods, versions, _kind, params = found
        handler = methods.get(method)
        if handler is None:
            raise errors.arm(405, "MethodNotAllowed", "The requested resource does not support http method '%s'." % method,
                             headers={"Allow": ", ".join(sorted(methods))})
        if api_version not in versions:
            raise errors.arm(400, "InvalidApiVersionParameter",
                             "The api-version '%s' is invalid. The supported versions are '%s'." % (api_version, "','".join(versions)))
        call = Call(method, raw_path, args, headers, raw, dict(params), api_version)
        if call.sub is not None:
            groups.require_known_subscription(emu, call.sub)
        validation.check_content_type(method, headers, raw)
        return handler(emu, call)
    unknown = UNKNOWN_TYPE.search(raw_path)
    if unknown:
        raise errors.arm(404, "InvalidResourceType",
                         "The resource type '%s' could not be found in the namespace '%s' for api version '%s'."
                         % (unquote(unknown.group("type")), provider.NAMESPACE, api_version))
    raise errors.arm(404, "NotFound", "No HTTP resource was found that matches the request URI '%s%s'." % (emu.base, raw_path))
