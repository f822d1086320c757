"""docs/promote-api.openapi.json and the TikTok sandbox describe the same API.

Every operation in the spec exists in the sandbox and vice versa, and what the sandbox really
answers (successes and errors) validates against the spec's schemas. The validator below covers
the JSON Schema subset the spec uses, and a test proves the spec uses nothing else.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from bot.backends import BillingInfo, BusinessDetails, CreateIntegration, SyncIntegration
from bot.sandbox.tiktok import TikTokSandbox, TikTokSandboxConfig
from bot.serve import serve_asgi

SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "promote-api.openapi.json"
SPEC: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
PREFIX = urlsplit(SPEC["servers"][0]["url"]).path  # "/promote/v1"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

CONSTRAINTS = {
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "type",
    "const",
    "enum",
    "properties",
    "required",
    "additionalProperties",
    "maxProperties",
    "items",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
}
ANNOTATIONS = {"description", "default", "discriminator", "title", "examples"}
TYPES: dict[str, Any] = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _is_time(value: str) -> bool:
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


FORMATS: dict[str, Any] = {
    "date-time": _is_time,
    "uri": lambda v: bool(urlsplit(v).scheme and urlsplit(v).netloc),
    "email": lambda v: re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v) is not None,
}


def resolve(reference: str) -> dict[str, Any]:
    assert reference.startswith("#/"), reference
    node: Any = SPEC
    for part in reference[2:].split("/"):
        node = node[part]
    return node


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same type: 0 is not false."""
    return type(a) is type(b) and a == b


def errors(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Every way `value` breaks `schema`; empty means valid."""
    found: list[str] = []
    if "$ref" in schema:
        found += errors(value, resolve(schema["$ref"]), where)
    for sub in schema.get("allOf", ()):
        found += errors(value, sub, where)
    if "anyOf" in schema and all(errors(value, s, where) for s in schema["anyOf"]):
        found.append(f"{where}: matches none of anyOf")
    if "oneOf" in schema:
        matching = [s for s in schema["oneOf"] if not errors(value, s, where)]
        if len(matching) != 1:
            details = [errors(value, s, where) for s in schema["oneOf"]]
            found.append(f"{where}: matches {len(matching)} of oneOf: {details}")
    if "const" in schema and not _same(value, schema["const"]):
        found.append(f"{where}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and not any(_same(value, e) for e in schema["enum"]):
        found.append(f"{where}: {value!r} not in {schema['enum']!r}")
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(TYPES[k](value) for k in kinds):
            found.append(f"{where}: {value!r} is not {kinds}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        found += [f"{where}: missing {k}" for k in schema.get("required", ()) if k not in value]
        for key, item in value.items():
            if key in properties:
                found += errors(item, properties[key], f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                found.append(f"{where}: unexpected {key}")
        if len(value) > schema.get("maxProperties", len(value)):
            found.append(f"{where}: more than {schema['maxProperties']} properties")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += errors(item, schema["items"], f"{where}[{index}]")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            found.append(f"{where}: shorter than {schema['minLength']}")
        if len(value) > schema.get("maxLength", len(value)):
            found.append(f"{where}: longer than {schema['maxLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            found.append(f"{where}: {value!r} doesn't match {schema['pattern']}")
        if "format" in schema and not FORMATS[schema["format"]](value):
            found.append(f"{where}: {value!r} is not a {schema['format']}")
    if TYPES["number"](value) and value < schema.get("minimum", value):
        found.append(f"{where}: {value} < {schema['minimum']}")
    return found


def schemas(node: Any) -> Iterator[dict[str, Any]]:
    """Every schema object in the spec."""
    if isinstance(node, dict):
        if "schema" in node:
            yield from _schema_tree(node["schema"])
        for key, child in node.items():
            if key == "schemas":
                for schema in child.values():
                    yield from _schema_tree(schema)
            elif key != "schema":
                yield from schemas(child)
    elif isinstance(node, list):
        for child in node:
            yield from schemas(child)


def _schema_tree(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield schema
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, ()):
            yield from _schema_tree(sub)
    for sub in schema.get("properties", {}).values():
        yield from _schema_tree(sub)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _schema_tree(schema[key])


def operations() -> dict[str, tuple[str, str]]:
    """operationId → (METHOD, full path)."""
    return {
        operation["operationId"]: (method.upper(), PREFIX + path)
        for path, item in SPEC["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def reply_schema(operation_id: str) -> dict[str, Any]:
    method, path = operations()[operation_id]
    operation = SPEC["paths"][path.removeprefix(PREFIX)][method.lower()]
    return operation["responses"]["200"]["content"]["application/json"]["schema"]


def test_the_spec_is_openapi_3_1_and_every_reference_resolves() -> None:
    assert SPEC["openapi"].startswith("3.1.")
    text = json.dumps(SPEC)
    for reference in re.findall(r'"\$ref": "([^"]+)"', text):
        assert isinstance(resolve(reference), dict), reference


def test_the_validator_knows_every_keyword_the_spec_uses() -> None:
    """Otherwise a constraint could be silently ignored and a wrong answer pass."""
    used = {key for schema in schemas(SPEC) for key in schema}
    assert used <= CONSTRAINTS | ANNOTATIONS, used - CONSTRAINTS - ANNOTATIONS


def test_the_validator_rejects_what_it_should() -> None:
    integration = {"$ref": "#/components/schemas/Integration"}
    assert errors({"integration_id": 1}, integration)  # wrong type, missing fields
    assert errors(
        {"code": False, "message": "", "request_id": "", "data": {}},
        reply_schema("getOrdersBlocked"),
    )
    assert errors("2025-02-01T10:00:00", {"type": "string", "format": "date-time"})  # no offset


def test_every_operation_exists_in_the_sandbox_and_nothing_else_does() -> None:
    app = TikTokSandbox().asgi_app()
    served = {
        (method, route.path)
        for route in app.routes
        if route.path.startswith(PREFIX + "/")  # type: ignore[attr-defined]
        for method in route.methods - {"HEAD"}  # type: ignore[attr-defined]
    }
    assert served == set(operations().values())


def test_the_clients_request_bodies_validate_against_the_spec() -> None:
    schema = {"$ref": "#/components/schemas/IntegrationRequest"}
    create = CreateIntegration(
        BusinessDetails("Kopi Nusantara", "food_beverage", "ID", "Asia/Jakarta", "IDR"),
        BillingInfo(
            company_legal_name="PT Kopi Nusantara Jaya",
            street="Jl. Braga No. 45",
            city="Bandung",
            province="Jawa Barat",
            postal_code="40111",
            npwp="0123456789012345",
            email="admin@kopinusantara.example",
            contact_name="Dimas Pratama",
            phone="+6281234567802",
        ),
    )
    assert errors(create.to_json(), schema) == []
    assert errors(SyncIntegration("7301234567890120001").to_json(), schema) == []
    assert errors({**create.to_json(), "mode": "sync"}, schema)


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    sandbox = TikTokSandbox(TikTokSandboxConfig(integration_seconds=0.0))
    async with (
        serve_asgi(sandbox.asgi_app()) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):
        yield client


async def _token(api: httpx.AsyncClient, account: str) -> str:
    approved = await api.post(
        "/sandbox/approve",
        json={"redirect_uri": "http://127.0.0.1/callback", "account": account, "state": "s"},
    )
    auth_code = httpx.URL(approved.json()["location"]).params["auth_code"]
    answer = await api.post(
        "/open_api/v1.3/oauth2/access_token/",
        json={"app_id": "sandbox-app", "secret": "sandbox-secret", "auth_code": auth_code},
    )
    return answer.json()["data"]["access_token"]


async def test_the_sandboxs_answers_validate_against_the_spec(api: httpx.AsyncClient) -> None:
    sekar, kopi = await _token(api, "sekar-ayu"), await _token(api, "kopi-nusantara")
    blocked_account = await _token(api, "sambal-mbok-darmi")
    create = {
        "mode": "create",
        "business": {
            "name": "Kopi Nusantara",
            "industry": "food_beverage",
            "registered_area": "ID",
            "timezone": "Asia/Jakarta",
            "currency": "IDR",
        },
        "billing": {
            "company_legal_name": "PT Kopi Nusantara Jaya",
            "street": "Jl. Braga No. 45",
            "city": "Bandung",
            "province": "Jawa Barat",
            "postal_code": "40111",
            "npwp": "012345678901234",
            "email": "admin@kopinusantara.example",
            "contact_name": "Dimas Pratama",
            "phone": "+6281234567802",
        },
    }
    answers: list[tuple[str, httpx.Response]] = []

    async def call(operation_id: str, token: str | None, **kwargs: Any) -> dict[str, Any]:
        method, path = operations()[operation_id]
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers["Access-Token"] = token
        path = path.format(**kwargs.pop("path_params", {}))
        response = await api.request(method, path, headers=headers, **kwargs)
        answers.append((operation_id, response))
        return response.json()

    await call("getEligibility", sekar)
    await call("getEligibility", blocked_account)
    await call("getEligibility", None)  # 40104
    await call("getCurrentTerms", None, params={"locale": "en"})
    await call("getCurrentTerms", sekar)
    await call("getCurrentTerms", None, params={"locale": "fr"})  # 40002
    for advertiser_id in ("7301234567890120001", "7301234567890120002", "7301234567890120005"):
        await call("comparePaymentInfo", sekar, params={"advertiser_id": advertiser_id})
    started = await call("startIntegration", kopi, json=create, headers={"Idempotency-Key": "k1"})
    await call("startIntegration", kopi, json=create, headers={"Idempotency-Key": "k1"})
    await call("startIntegration", kopi, json=create)  # 40002: no key
    await call(
        "startIntegration", kopi, json={**create, "mode": "sync"}, headers={"Idempotency-Key": "k1"}
    )
    await call("startIntegration", blocked_account, json=create, headers={"Idempotency-Key": "k"})
    integration_id = started["data"]["integration_id"]
    await call("getIntegration", kopi, path_params={"integration_id": integration_id})
    await call("getIntegration", sekar, path_params={"integration_id": integration_id})  # 40001
    await call("getOrdersBlocked", kopi)
    await call("getOrdersBlocked", blocked_account)
    await call("getOrdersBlocked", "not-a-token")  # 40105

    for operation_id, response in answers:
        assert response.status_code == 200
        assert response.headers["X-Tt-Logid"] == response.json()["request_id"]
        assert errors(response.json(), reply_schema(operation_id)) == [], operation_id
    succeeded = {operation_id for operation_id, r in answers if r.json()["code"] == 0}
    failed = {operation_id for operation_id, r in answers if r.json()["code"] != 0}
    assert succeeded == set(operations())
    assert failed == set(operations())
