"""Resource Manager's input rules: names, locations, tags, sku, request bodies.

Pure functions that raise errors.ApiError, so the rules can be read in one place and tested through HTTP.
"""

import json
import re
import unicodedata

from . import errors

SKU_NAMES = ("S1", "S2", "S3", "DevTest")
MIN_CAPACITY = 1
MAX_CAPACITY = 16
MAX_TAGS = 50
MAX_TAG_NAME = 512
MAX_TAG_VALUE = 256
MAX_RESOURCE_NAME = 260
RESOURCE_NAME_FORBIDDEN = set('<>%&:\\?/')
RESOURCE_NAME_LINE_SEPARATORS = set("\u2028\u2029")  # line breaks that are not control characters
TAG_NAME_FORBIDDEN = set('<>%&\\?/')
MAX_RESOURCE_GROUP_NAME = 90
RG_NAME_PUNCTUATION = set("-_.()")
DOTNET_LETTER_OR_DIGIT = ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd")  # the categories .NET's Char.IsLetterOrDigit accepts
SUBSCRIPTION_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def dotnet_len(text):
    """The length .NET (and so Resource Manager) gives a string: UTF-16 code units, 2 for a character above U+FFFF."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _has_control(text):
    return any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in text)


def check_content_type(method, headers, raw):
    """Resource Manager reads request bodies as JSON only: any other (or no) media type is 415."""
    if method not in ("PUT", "PATCH", "POST") or not raw:
        return
    media = (headers.get("Content-Type") or "").split(";")[0].strip()
    if media.lower() != "application/json":
        raise errors.arm(415, "UnsupportedMediaType", "The content media type '%s' is not supported. Only 'application/json' "
                         "is supported." % (media or "<null>"))


def parse_json_body(raw):
    """Parse a request body as ARM does: it must be a JSON object (UTF-8, no byte order mark: see docs/decisions.md)."""
    if raw is None or not raw.strip():
        raise errors.invalid_content("The request body is empty.")
    if isinstance(raw, bytes) and raw.startswith(b"\xef\xbb\xbf"):
        raise errors.invalid_content("Unexpected character encountered while parsing value: U+FEFF (a UTF-8 byte order "
                                     "mark). Path '', line 0, position 0.")
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.invalid_content("%s" % exc) from None
    if not isinstance(value, dict):
        raise errors.invalid_content("The request body must be a JSON object, not %s." % type(value).__name__)
    return value


def check_subscription_id(sub):
    if not SUBSCRIPTION_RE.fullmatch(sub):
        raise errors.arm(400, "InvalidSubscriptionId", "The provided subscription identifier '%s' is malformed or invalid." % sub)


def resource_name_valid(name):
    """Resource Manager's rule for a resource name, with the safe choice where Azure's is unknown (docs/decisions.md,
    "Names the emulator refuses"): no line break of any kind (U+2028 and U+2029 too), no whitespace at either end
    (Unicode's, a no-break space included), no '.' at the end."""
    return (bool(name) and dotnet_len(name) <= MAX_RESOURCE_NAME and not any(ch in RESOURCE_NAME_FORBIDDEN for ch in name)
            and not _has_control(name) and not any(ch in RESOURCE_NAME_LINE_SEPARATORS for ch in name)
            and name == name.strip() and not name.endswith("."))


def check_resource_name(name, type_name="Microsoft.MachineLearningModelManagement/accounts"):
    if not resource_name_valid(name):
        raise errors.arm(
            400, "InvalidResourceName",
            "The resource name '%s' is invalid. The name can be up to %d characters in length, cannot contain the "
            "characters '<,>,%%,&,:,\\,?,/', control characters or line breaks, and cannot begin or end with whitespace "
            "or end with '.'. Resource type: '%s'." % (name, MAX_RESOURCE_NAME, type_name))


def _rg_char(ch):
    """Azure: "underscores, hyphens, periods, parentheses, and letters or digits as defined by Char.IsLetterOrDigit",
    which looks at one UTF-16 unit: a character above U+FFFF is a surrogate pair there, neither letter nor digit."""
    return ch in RG_NAME_PUNCTUATION or (ord(ch) <= 0xFFFF and unicodedata.category(ch) in DOTNET_LETTER_OR_DIGIT)


def resource_group_name_valid(name):
    return (bool(name) and dotnet_len(name) <= MAX_RESOURCE_GROUP_NAME and not name.endswith(".")
            and all(_rg_char(ch) for ch in name))


def check_resource_group_name(name):
    if not resource_group_name_valid(name):
        raise errors.arm(
            400, "InvalidResourceGroupName",
            "The provided resource group name '%s' is invalid. Resource group names can be 1 to 90 characters long, may only "
            "contain alphanumeric characters, periods, underscores, hyphens and parentheses, and cannot end in a period." % name)


def normalize_location(value):
    """'East US 2' -> 'eastus2'; None when absent or empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise errors.invalid_content("'location' must be a string.")
    norm = "".join(value.split()).lower()
    return norm or None


def require_location(body):
    loc = normalize_location(body.get("location"))
    if loc is None:
        raise errors.arm(400, "LocationRequired", "The location property is required for this definition.")
    return loc


def check_tags(tags):
    """Validate a tags object as ARM does; return a new dict (None -> {})."""
    if tags is None:
        return {}
    if not isinstance(tags, dict):
        raise errors.invalid_content("'tags' must be a JSON object of string values.")
    seen = {}
    for name, value in tags.items():
        if not isinstance(value, str):
            raise errors.invalid_content("The value of tag '%s' must be a string." % name)
        lower = name.lower()
        if lower in seen:
            raise errors.invalid_content(
                "Can not add property %s to the tags object. A tag with the same name '%s' already exists "
                "(tag names are case-insensitive)." % (name, seen[lower]))
        seen[lower] = name
    if len(tags) > MAX_TAGS:
        raise errors.arm(400, "InvalidTagCount",
                         "The number of tags '%d' exceeds the maximum of '%d' tags per resource." % (len(tags), MAX_TAGS))
    bad_chars = [n for n in tags if any(ch in TAG_NAME_FORBIDDEN for ch in n) or _has_control(n)]
    if bad_chars:
        raise errors.arm(400, "InvalidTagNameCharacters",
                         "The tag names '%s' have reserved characters '<,>,%%,&,\\,?,/' or control characters."
                         % ",".join(bad_chars))
    for name, value in tags.items():
        if not name or dotnet_len(name) > MAX_TAG_NAME:
            raise errors.arm(400, "InvalidTagNameLength",
                             "The tag name '%s' is empty or exceeds the maximum length of '%d' characters." % (name, MAX_TAG_NAME))
        if dotnet_len(value) > MAX_TAG_VALUE:
            raise errors.arm(400, "InvalidTagValueLength",
                             "The tag value '%s' exceeds the maximum length of '%d' characters." % (value, MAX_TAG_VALUE))
    return dict(tags)


def _sku_name_error(value):
    return errors.provider(
        400, "InvalidSkuName",
        "The sku name '%s' is invalid. Valid sku names are: %s." % (value, ", ".join(SKU_NAMES)),
        details=[{"code": "InvalidSkuName", "message": "Allowed values: %s." % ", ".join(SKU_NAMES)}])


def canonical_sku_name(value):
    if not isinstance(value, str):
        raise _sku_name_error(value)
    for name in SKU_NAMES:
        if name.lower() == value.lower():
            return name
    raise _sku_name_error(value)


def check_capacity(value):
    if value is None:
        raise errors.provider(400, "InvalidSkuCapacity", "The sku capacity is required. It must be an integer from %d to %d."
                              % (MIN_CAPACITY, MAX_CAPACITY),
                              details=[{"code": "InvalidSkuCapacity", "message": "sku.capacity is missing."}])
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_CAPACITY <= value <= MAX_CAPACITY:
        raise errors.provider(400, "InvalidSkuCapacity", "The sku capacity '%s' is invalid. It must be an integer from %d to %d."
                              % (json.dumps(value), MIN_CAPACITY, MAX_CAPACITY),
                              details=[{"code": "InvalidSkuCapacity", "message": "sku.capacity must be between %d and %d."
                                        % (MIN_CAPACITY, MAX_CAPACITY)}])
    return value


def check_sku_for_put(sku):
    if sku is None:
        raise errors.provider(400, "SkuRequired", "The sku property is required when creating or replacing an account.",
                              details=[{"code": "SkuRequired", "message": "sku is missing."}])
    if not isinstance(sku, dict):
        raise errors.provider(400, "InvalidRequestBody", "The 'sku' property must be an object with 'name' and 'capacity'.")
    if sku.get("name") is None:
        raise errors.provider(400, "InvalidSkuName", "The sku name is required. Valid sku names are: %s." % ", ".join(SKU_NAMES),
                              details=[{"code": "InvalidSkuName", "message": "sku.name is missing."}])
    return {"name": canonical_sku_name(sku["name"]), "capacity": check_capacity(sku.get("capacity"))}


def merge_sku(current, patch):
    if patch is None:
        return dict(current)
    if not isinstance(patch, dict):
        raise errors.provider(400, "InvalidRequestBody", "The 'sku' property must be an object with 'name' and/or 'capacity'.")
    merged = dict(current)
    if patch.get("name") is not None:
        merged["name"] = canonical_sku_name(patch["name"])
    if patch.get("capacity") is not None:
        merged["capacity"] = check_capacity(patch["capacity"])
    return merged


def check_properties(props):
    """Return the writable properties from a PUT body (only description; read-only ones are ignored)."""
    if props is None:
        return {}
    if not isinstance(props, dict):
        raise errors.provider(400, "InvalidRequestBody", "The 'properties' property must be a JSON object.")
    out = {}
    desc = props.get("description")
    if desc is not None:
        if not isinstance(desc, str):
            raise errors.provider(400, "InvalidRequestBody", "The property 'description' must be a string.")
        out["description"] = desc
    return out


def merge_properties(current, patch):
    """JSON merge-patch of the writable properties (description); null removes it."""
    if patch is None:
        return dict(current)
    if not isinstance(patch, dict):
        raise errors.provider(400, "InvalidRequestBody", "The 'properties' property must be a JSON object.")
    merged = dict(current)
    if "description" in patch:
        desc = patch["description"]
        if desc is None:
            merged.pop("description", None)
        elif isinstance(desc, str):
            merged["description"] = desc
        else:
            raise errors.provider(400, "InvalidRequestBody", "The property 'description' must be a string.")
    return merged
