"""Reading a call's parameters, typed decoding, and independent validation with aiogram's
method models.

Telegram reads form and query parameters as strings and converts each to the parameter's
type; objects and arrays (``reply_markup``, ``entities``, ...) arrive JSON-encoded. We take the
types from aiogram's models so a ``text`` of ``"123"`` stays a string while ``chat_id`` becomes
an int, then validate the decoded call with the same model and record any failure.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

import aiogram.methods
from aiogram.types import BufferedInputFile
from aiohttp import web
from pydantic import BaseModel, ValidationError

from .errors import bad_request


@dataclass
class Upload:
    """A file that arrived in a multipart body."""

    data: bytes
    filename: str
    content_type: str | None = None


@cache
def models() -> dict[str, type[BaseModel]]:
    """aiogram method models keyed by lower-case Bot API method name."""
    found: dict[str, type[BaseModel]] = {}
    for name in dir(aiogram.methods):
        obj = getattr(aiogram.methods, name)
        api_name = getattr(obj, "__api_method__", None)
        if isinstance(obj, type) and isinstance(api_name, str):
            found[api_name.lower()] = obj
    return found


def _string_only(annotation: Any) -> bool:
    """True when the only non-None, non-Default member of the annotation is ``str``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
    else:
        members = [annotation]
    members = [m for m in members if getattr(m, "__name__", "") != "Default"]
    return members == [str]


@cache
def _string_params(method: str) -> frozenset[str]:
    model = models().get(method)
    if model is None:
        return frozenset()
    return frozenset(n for n, f in model.model_fields.items() if _string_only(f.annotation))


def decode_form(method: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Decode string values by the parameter's type (JSON for numbers, bools, objects)."""
    strings = _string_params(method.lower())
    known = models().get(method.lower())
    fields = known.model_fields if known is not None else {}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(value, str) or key in strings:
            out[key] = value
            continue
        if key not in fields and not value.lstrip().startswith(("{", "[")):
            out[key] = value  # unknown parameter: keep scalars as sent
            continue
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def check(method: str, params: dict[str, Any]) -> str | None:
    """Validate with aiogram; return the error text or None (also None for unknown methods)."""
    model = models().get(method.lower())
    if model is None:
        return None
    prepared = {
        k: BufferedInputFile(v.data, v.filename) if isinstance(v, Upload) else v
        for k, v in params.items()
    }
    try:
        model.model_validate(prepared)
    except ValidationError as exc:
        return str(exc)
    return None


async def read_params(request: web.Request, method: str) -> dict[str, Any]:
    """A call's parameters from the query string and a JSON, form or multipart body."""
    params: dict[str, Any] = decode_form(method, dict(request.query))
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        params.update(body)
        return params
    form = await request.post()
    raw: dict[str, Any] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = Upload(value.file.read(), value.filename, value.content_type)
        else:
            raw[key] = value if isinstance(value, str) else value.decode()
    params.update(decode_form(method, raw))
    return params
