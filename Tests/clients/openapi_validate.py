"""Fetches /openapi/<dialect>.json for every dialect from a running gateway and validates each
with openapi-spec-validator. Usage: openapi_validate.py BASE_URL"""
import json
import sys
import urllib.request

from openapi_spec_validator import validate

base = sys.argv[1]
passed = 0
for dialect in ["htaiyun", "idc51", "foreman", "cecstack", "qingcloud"]:
    with urllib.request.urlopen(f"{base}/openapi/{dialect}.json") as response:
        document = json.load(response)
    validate(document)
    print(f"openapi: {dialect}: valid OpenAPI {document['openapi']}, {len(document['paths'])} paths")
    passed += 1
print(f"{passed} passed, 0 failed")
