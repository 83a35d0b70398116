"""Checks server/openapi.json with software we did not write, against what the service really
answered: openapi-spec-validator validates the document (OpenAPI 3.1), and jsonschema (Draft
2020-12, the dialect of OpenAPI 3.1) validates every answer the Rust HTTP tests recorded against
the schema the document gives for its route, method, status and content type. Every documented
(route, method, status) must have been seen, and nothing undocumented may have been.

Usage: python openapi_check.py server/openapi.json target/tmp/kazashi-server-responses
Prints "openapi: N passed, M failed" and exits non-zero on any failure.
"""

import glob
import json
import os
import sys

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

METHODS = {"get", "post", "put", "delete", "patch", "head", "options"}


def main(document_path, responses_dir, unseen_allowed=()):
    with open(document_path, encoding="utf-8") as f:
        doc = json.load(f)
    validate(doc)  # raises on an invalid OpenAPI document
    print(f"openapi-spec-validator: {document_path} is a valid OpenAPI {doc['openapi']} document")

    documented = {
        (method.upper(), path, int(status))
        for path, item in doc["paths"].items()
        for method, operation in item.items()
        if method in METHODS
        for status in operation["responses"]
    }
    observed = set()
    failures = []
    checked = 0
    files = sorted(glob.glob(os.path.join(responses_dir, "*.jsonl")))
    if not files:
        failures.append(f"no recorded answers in {responses_dir}: run the tests first")
    for name in files:
        with open(name, encoding="utf-8") as f:
            for line in f:
                answer = json.loads(line)
                path, method, status = answer["path"], answer["method"], answer["status"]
                if path not in doc["paths"]:
                    continue  # not an API route (the 404 fallback, the demo portal)
                key = (method, path, status)
                observed.add(key)
                operation = doc["paths"][path].get(method.lower())
                if operation is None:
                    failures.append(f"{method} {path}: method not documented")
                    continue
                response = operation["responses"].get(str(status))
                if response is None:
                    failures.append(f"{method} {path} -> {status}: status not documented")
                    continue
                content_type = (answer.get("content_type") or "").split(";")[0].strip()
                media = response.get("content", {}).get(content_type)
                if media is None:
                    failures.append(
                        f"{method} {path} -> {status}: content type {content_type!r} not documented"
                    )
                    continue
                schema = dict(media["schema"])
                schema["components"] = doc["components"]
                errors = sorted(
                    Draft202012Validator(schema).iter_errors(answer["body"]),
                    key=lambda e: list(e.path),
                )
                checked += 1
                for error in errors:
                    failures.append(
                        f"{method} {path} -> {status} ({os.path.basename(name)}): "
                        f"{error.message} at {list(error.absolute_path)}"
                    )
    for key in sorted(documented - observed):
        name = f"{key[0]} {key[1]} -> {key[2]}"
        if name in unseen_allowed:
            # An answer this build of the service cannot give (e.g. 415 for XML when the build
            # verifies XML); the caller names each one.
            print(f"not produced by this build (allowed by the caller): {name}")
            continue
        failures.append(f"documented but never seen in a test: {name}")
    print(
        f"jsonschema: {checked} recorded answers validated against their schemas; "
        f"{len(observed)} of {len(documented)} documented (route, method, status) seen"
    )
    for failure in failures:
        print(f"FAIL: {failure}")
    passed = checked + len(observed & documented) + 1 - len(failures)
    print(f"openapi: {max(passed, 0)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    # Further arguments: documented answers this build cannot give, as "METHOD /path -> status".
    sys.exit(main(sys.argv[1], sys.argv[2], set(sys.argv[3:])))
