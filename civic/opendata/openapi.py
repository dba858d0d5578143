"""The OpenAPI 3.1 description of /api/v1, built from the dataset definitions."""

from __future__ import annotations

from typing import Any

from .datasets import DATASETS, LICENSE_URL, Column

JSON_TYPES: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "date-time": {"type": "string", "format": "date-time"},
    "array": {"type": "array", "items": {"type": "integer"}},
}


def _schema(column: Column) -> dict[str, Any]:
    schema = dict(JSON_TYPES[column.type])
    if column.nullable:
        schema["type"] = [schema["type"], "null"]
    return {**schema, "description": column.description}


def document(server_url: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"type": "string"}},
        }
    }
    errors = {
        "400": {
            "description": "A parameter is not valid.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        },
        "429": {"description": "Too many requests from this client; retry later."},
    }
    for name, dataset in DATASETS.items():
        item = name.capitalize()
        schemas[item] = {
            "type": "object",
            "required": [c.name for c in dataset.columns],
            "additionalProperties": False,
            "properties": {c.name: _schema(c) for c in dataset.columns},
        }
        schemas[f"{item}Page"] = {
            "type": "object",
            "required": ["data", "next"],
            "additionalProperties": False,
            "properties": {
                "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
                "next": {
                    "type": ["string", "null"],
                    "description": "Pass as `cursor` for the next page; null on the last.",
                },
            },
        }
        parameters: list[dict[str, Any]] = [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": "Items per page, 1 to 100.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
            },
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "The `next` token of the previous page.",
                "schema": {"type": "string", "pattern": "^[0-9]{1,9}$"},
            },
        ]
        for item_filter in dataset.filters:
            schema: dict[str, Any] = (
                {"type": "integer", "minimum": 0, "maximum": 999999999}
                if item_filter.type == "integer"
                else {"type": "string", "maxLength": 40}
            )
            parameters.append(
                {
                    "name": item_filter.name,
                    "in": "query",
                    "required": False,
                    "description": item_filter.description,
                    "schema": schema,
                }
            )
        ok_headers = {
            "ETag": {"schema": {"type": "string"}, "description": "Send as If-None-Match."}
        }
        paths[f"/api/v1/{name}"] = {
            "get": {
                "operationId": f"list_{name}",
                "summary": dataset.description,
                "parameters": parameters,
                "responses": {
                    "200": {
                        "description": f"A page of {name}, oldest first.",
                        "headers": ok_headers,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{item}Page"}
                            }
                        },
                    },
                    "304": {"description": "Not modified since the ETag sent."},
                    **errors,
                },
            }
        }
        paths[f"/api/v1/{name}/{{id}}"] = {
            "get": {
                "operationId": f"get_{name}",
                "summary": f"One item of {name}.",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 999999999},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The item.",
                        "headers": ok_headers,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["data"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "data": {"$ref": f"#/components/schemas/{item}"}
                                    },
                                }
                            }
                        },
                    },
                    "304": {"description": "Not modified since the ETag sent."},
                    "404": {
                        "description": "No such public item.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                    "429": errors["429"],
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "civic open data API",
            "version": "1.0.0",
            "description": (
                "Read-only public data of the city's participation programmes: calls, "
                "proposals, meetings, vote results, crowdfunding campaigns (totals only) and "
                "grants awarded. No personal data. Pages are cursor-based; responses carry an "
                "ETag. Rate-limited per client."
            ),
            "license": {"name": "CC BY 4.0", "url": LICENSE_URL},
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": schemas},
    }
