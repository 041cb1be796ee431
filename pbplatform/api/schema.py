"""A small JSON Schema validator for the subset our OpenAPI document uses.

The API checks request bodies and query parameters against the very schemas it publishes in
/api/v1/openapi.json, so the document and the code cannot drift apart; the tests check
responses with it too. Supported: type (also a list), properties, required,
additionalProperties (false or a schema), minProperties, items, minItems, maxItems, minimum,
maximum, exclusiveMinimum, multipleOf, minLength, maxLength, pattern, enum, const, anyOf, oneOf, not
(of `required`: fields that must not come together) and local $ref.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

Schema = dict[str, Any]

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and math.isfinite(v) and v.is_integer())
    ),
    "number": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and math.isfinite(v))
    ),
}


class Validator:
    """Validate instances against schemas that may `$ref` into `root` (an OpenAPI document)."""

    def __init__(self, root: Schema | None = None, *, strict_integers: bool = True):
        self.root = root or {}
        # Strict: a Python float is not an integer. Request bodies never hit this: they are
        # parsed with integral numbers (1.0, 1e3) as ints, as JSON Schema counts them.
        self.strict_integers = strict_integers

    def errors(self, instance: Any, schema: Schema, path: str = "") -> list[dict[str, str]]:
        found: list[dict[str, str]] = []
        self._check(instance, schema, path, found)
        return found

    def _resolve(self, schema: Schema) -> Schema:
        while "$ref" in schema:
            node: Any = self.root
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def _is_type(self, value: Any, name: str) -> bool:
        if name == "integer" and self.strict_integers and isinstance(value, float):
            return False
        return _TYPES[name](value)

    # Complexity: a small JSON-Schema validator: one branch per keyword it supports (type, enum,
    # bounds, lengths, properties, items).
    def _check(self, value: Any, schema: Schema, path: str, out: list[dict[str, str]]) -> None:
        schema = self._resolve(schema)
        where = path or "(body)"
        types = schema.get("type")
        if types is not None:
            names = [types] if isinstance(types, str) else types
            if not any(self._is_type(value, n) for n in names):
                out.append({"field": where, "message": f"must be of type {' or '.join(names)}"})
                return
        if "const" in schema and value != schema["const"]:
            out.append({"field": where, "message": f"must be {schema['const']!r}"})
        if "enum" in schema and not _in_enum(value, schema["enum"]):
            allowed = ", ".join(repr(v) for v in schema["enum"])
            out.append({"field": where, "message": f"must be one of {allowed}"})
        for key in ("anyOf", "oneOf"):
            if key in schema:
                self._check_alternatives(value, schema[key], key, where, path, out)
        if "not" in schema and not self.errors(value, schema["not"], path):
            together = " and ".join(schema["not"].get("required", ()))
            out.append(
                {
                    "field": where,
                    "message": f"must not give {together} together"
                    if together
                    else "matches a form that is not allowed",
                }
            )
        if isinstance(value, str):
            self._check_string(value, schema, where, out)
        elif _TYPES["number"](value):
            self._check_number(value, schema, where, out)
        elif isinstance(value, list):
            self._check_array(value, schema, path, where, out)
        elif isinstance(value, dict):
            self._check_object(value, schema, path, out)

    def _check_alternatives(
        self,
        value: Any,
        options: list[Schema],
        key: str,
        where: str,
        path: str,
        out: list[dict[str, str]],
    ) -> None:
        passing = [o for o in options if not self.errors(value, o, path)]
        if not passing or (key == "oneOf" and len(passing) > 1):
            out.append({"field": where, "message": "matches none of the allowed forms"})

    def _check_string(
        self, value: str, schema: Schema, where: str, out: list[dict[str, str]]
    ) -> None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            out.append({"field": where, "message": "must be valid Unicode text"})
            return
        if len(value) < schema.get("minLength", 0):
            out.append(
                {"field": where, "message": f"must have at least {schema['minLength']} characters"}
            )
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(
                {"field": where, "message": f"must have at most {schema['maxLength']} characters"}
            )
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append({"field": where, "message": "contains characters that are not allowed"})

    def _check_number(
        self, value: float, schema: Schema, where: str, out: list[dict[str, str]]
    ) -> None:
        if "minimum" in schema and value < schema["minimum"]:
            out.append({"field": where, "message": f"must be at least {schema['minimum']}"})
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            out.append(
                {"field": where, "message": f"must be more than {schema['exclusiveMinimum']}"}
            )
        if "maximum" in schema and value > schema["maximum"]:
            out.append({"field": where, "message": f"must be at most {schema['maximum']}"})
        step = schema.get("multipleOf")
        if step is not None and not _is_multiple(value, step):
            out.append({"field": where, "message": f"must be a multiple of {step}"})

    def _check_array(
        self, value: list[Any], schema: Schema, path: str, where: str, out: list[dict[str, str]]
    ) -> None:
        if len(value) < schema.get("minItems", 0):
            out.append({"field": where, "message": f"needs at least {schema['minItems']} items"})
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append({"field": where, "message": f"allows at most {schema['maxItems']} items"})
            return  # do not walk a huge array item by item
        if "items" in schema:
            for i, item in enumerate(value):
                self._check(item, schema["items"], f"{path}[{i}]", out)

    def _check_object(
        self, value: dict[str, Any], schema: Schema, path: str, out: list[dict[str, str]]
    ) -> None:
        props = schema.get("properties", {})
        prefix = f"{path}." if path else ""
        for name in schema.get("required", ()):
            if name not in value:
                out.append({"field": prefix + name, "message": "is required"})
        if len(value) < schema.get("minProperties", 0):
            out.append(
                {
                    "field": path or "(body)",
                    "message": f"must have at least {schema['minProperties']} field(s)",
                }
            )
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in props:
                self._check(item, props[name], prefix + name, out)
            elif extra is False:
                out.append({"field": prefix + name, "message": "is not an allowed field"})
            elif isinstance(extra, dict):
                self._check(item, extra, prefix + name, out)


def _is_multiple(value: float, step: float) -> bool:
    """Exact decimal check; precision enough for any float (1e26 % 0.01 overflows 28 digits)."""
    with localcontext() as ctx:
        ctx.prec, ctx.Emax, ctx.Emin = 1000, 10**6, -(10**6)
        try:
            return Decimal(str(value)) % Decimal(str(step)) == 0
        except InvalidOperation:
            return False


def _in_enum(value: Any, allowed: list[Any]) -> bool:
    # 1 == True in Python; JSON keeps them apart.
    return any(value == a and isinstance(value, bool) == isinstance(a, bool) for a in allowed)
