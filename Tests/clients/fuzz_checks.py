"""Schemathesis hooks for scripts/fuzz (loaded with SCHEMATHESIS_HOOKS): a check that every
answer is in the dialect's own shape, a request budget, and a tally of what came back.

Environment: FUZZ_DIALECT (htaiyun, idc51, foreman, cecstack, qingcloud), FUZZ_BUDGET (requests to send at
most), FUZZ_STATS (a JSON file written after every answer: counts and one example per distinct
failure; a run that finds it goes on from its counts), FUZZ_SAFE_URL (the URL any generated import URL is replaced with, so the gateway never
fetches from an address the fuzzer made up), FUZZ_GATEWAY_PID (ends the run if that process is gone); for qingcloud, FUZZ_QC_KEY and
FUZZ_QC_SECRET (every request signed with them as qingcloud-sdk signs, so the cases reach the
actions rather than stop at the signature check)."""
import base64
import datetime
import hashlib
import hmac
import json
import os
import threading
import uuid
from urllib.parse import quote

import schemathesis

DIALECT = os.environ["FUZZ_DIALECT"]
BUDGET = int(os.environ.get("FUZZ_BUDGET", "2000"))
OPERATION_BUDGET = int(os.environ.get("FUZZ_OPERATION_BUDGET", "0"))
STATS = os.environ["FUZZ_STATS"]
SAFE_URL = os.environ.get("FUZZ_SAFE_URL", "http://127.0.0.1:9/image")
GATEWAY_PID = int(os.environ.get("FUZZ_GATEWAY_PID", "0"))

lock = threading.Lock()
stats = {"dialect": DIALECT, "requests": 0, "server_errors": 0, "shape_failures": 0, "statuses": {}, "failures": {}}
if os.path.exists(STATS):
    # A later phase of the same dialect's run goes on counting against the same budget.
    with open(STATS) as previous:
        stats = json.load(previous)


def shape_problem(status, headers, body, operation):
    """Why an answer is not in the dialect's shape, or None."""
    if not headers.get("x-request-id"):
        return "no X-Request-Id"
    content_type = headers.get("content-type", "")
    if operation.endswith("/file") and status == 200:
        return None if content_type.startswith("application/octet-stream") else f"download as {content_type or 'nothing'}"
    if "json" not in content_type:
        return f"not JSON (content-type {content_type or 'none'})"
    try:
        answer = json.loads(body)
    except ValueError:
        return "a body that is not JSON"
    if not isinstance(answer, dict):
        return "a JSON body that is not an object"
    ok = status < 400
    if DIALECT == "foreman":
        error = answer.get("error")
        if ok:
            return "a success with an error key" if error is not None else None
        if not isinstance(error, dict):
            return "an error without {\"error\":{…}}"
        if status == 422:
            if not isinstance(error.get("errors"), dict) or not isinstance(error.get("full_messages"), list):
                return "a 422 without errors/full_messages"
        elif not isinstance(error.get("message"), str):
            return "an error without error.message"
    elif DIALECT == "cecstack":
        for key in ("requestId", "code", "message"):
            if not isinstance(answer.get(key), str):
                return f"an envelope without {key}"
        if ok != (answer["code"] == "Success"):
            return f"HTTP {status} with code {answer['code']}"
        if not ok and not answer["code"].startswith("IMG."):
            return f"an error code outside IMG.*: {answer['code']}"
        if ok and "data" in answer and answer["data"] is not None and not isinstance(answer["data"], (dict, list)):
            return "data that is neither an object nor a list"
    elif DIALECT == "idc51":
        code = answer.get("ret_code")
        if not isinstance(code, int) or isinstance(code, bool):
            return "no integer ret_code"
        if ok != (code == 0):
            return f"HTTP {status} with ret_code {code}"
        if not ok and not isinstance(answer.get("message"), str):
            return "an error without message"
    elif DIALECT == "qingcloud":
        # Refusals are ret_codes (HTTP 200, as QingCloud answers them); a route's 404/405 keep the envelope.
        code = answer.get("ret_code")
        if not isinstance(code, int) or isinstance(code, bool):
            return "no integer ret_code"
        if status != 200 and code == 0:
            return f"HTTP {status} with ret_code 0"
        if code != 0 and not isinstance(answer.get("message"), str):
            return "an error without message"
        if code == 0 and not isinstance(answer.get("action"), str):
            return "a success without action"
    elif DIALECT == "htaiyun":
        if answer.get("status") != status:
            return f"HTTP {status} with status {answer.get('status')!r}"
        if not isinstance(answer.get("message"), str):
            return "an envelope without message"
        if ok and answer["message"] != "OK":
            return "a success whose message is not OK"
    return None


def flat(headers):
    """Header names lower-cased, each with its first value."""
    return {k.lower(): (v[0] if isinstance(v, list) and v else v) for k, v in headers.items()}


def record(kind, signature, response, reason):
    stats[kind] += 1
    entry = stats["failures"].setdefault(signature, {"kind": kind, "count": 0})
    entry["count"] += 1
    if "request" not in entry:
        request = response.request
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        entry.update(request=f"{request.method} {request.url}", body=body[:300].decode("utf-8", "replace"),
                     headers={k: v for k, v in request.headers.items() if k.lower() not in ("authorization", "x-access-key-secret",
                                                                                                "imr-session-secret", "ht-access-token")},
                     status=response.status_code, answer=response.content[:300].decode("utf-8", "replace"), reason=reason)


def save():
    with open(STATS + ".tmp", "w") as out:
        json.dump(stats, out, indent=1, ensure_ascii=False)
    os.replace(STATS + ".tmp", STATS)


sent_per_operation = {}


@schemathesis.hook
def filter_case(context, case):
    """The request budget: once spent, no more cases are sent; and with FUZZ_OPERATION_BUDGET no
    operation takes more than its share (the coverage phase alone can spend the whole budget on
    the first operations)."""
    label = f"{case.operation.method} {case.operation.path}"
    if OPERATION_BUDGET and sent_per_operation.get(label, 0) >= OPERATION_BUDGET:
        return False
    sent_per_operation[label] = sent_per_operation.get(label, 0) + 1
    return stats["requests"] < BUDGET


def stop_when_spent():
    """Ends the run once the budget is spent, counts saved: filtering every later case would
    still cost the generation of each, and schemathesis takes an interruption only between
    operations (minutes later)."""
    if stats["requests"] >= BUDGET:
        save()
        os._exit(0)


@schemathesis.hook
def map_body(context, body):
    """Import URLs point at a closed loopback port: the fuzzer must not make the gateway fetch
    from addresses it invented."""
    if isinstance(body, dict):
        for key in ("imageUrl",):
            if isinstance(body.get(key), str) and "//" in body[key]:
                body[key] = SAFE_URL
        volumes = body.get("volumeImages")
        if isinstance(volumes, list):
            for volume in volumes:
                if isinstance(volume, dict) and isinstance(volume.get("imageUrl"), str) and "//" in volume["imageUrl"]:
                    volume["imageUrl"] = SAFE_URL
    return body


SIGNED = ("access_key_id", "time_stamp", "signature_method", "signature_version", "signature", "req_id")


def qingcloud_signature(method, path, parameters, secret):
    """qingcloud-sdk's signature version 1: METHOD\nPATH\nsorted, percent-encoded parameters."""
    text = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(parameters))
    digest = hmac.new(secret.encode(), f"{method}\n{path}\n{text}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def as_text(value):
    """A generated value as requests sends it in a query or form."""
    if isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)


@schemathesis.hook
def before_call(context, case, kwargs):
    """QingCloud: each case signed anew (a fresh time and req_id: the gateway refuses a replay)."""
    if DIALECT != "qingcloud":
        return
    key, secret = os.environ["FUZZ_QC_KEY"], os.environ["FUZZ_QC_SECRET"]
    form = case.operation.method.upper() == "POST" and isinstance(case.body, dict)
    carrier = case.body if form else (case.query if case.query is not None else {})
    for name in SIGNED:
        carrier.pop(name, None)
        if form and case.query:
            case.query.pop(name, None)
    carrier.update(access_key_id=key, signature_method="HmacSHA256", signature_version="1", req_id=uuid.uuid4().hex,
                   time_stamp=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    # The signature covers the query and a form body's fields together.
    signed = dict(case.query or {}, **carrier) if form else carrier
    pairs = [(k, as_text(v)) for k, v in signed.items() if not isinstance(v, list)]
    pairs += [(k, as_text(item)) for k, v in signed.items() if isinstance(v, list) for item in v]
    carrier["signature"] = qingcloud_signature(case.operation.method.upper(), case.operation.path, pairs, secret)
    if not form:
        case.query = carrier


@schemathesis.hook
def after_call(context, case, response):
    operation = f"{case.operation.method.upper()} {case.operation.path}"
    if response.request.method != case.operation.method.upper():
        # Methods a route does not have: one failure whatever the route.
        operation = "a method the route does not have"
    with lock:
        stats["requests"] += 1
        status = response.status_code
        stats["statuses"][str(status)] = stats["statuses"].get(str(status), 0) + 1
        if DIALECT == "qingcloud":
            # Which ret_codes came back: a run that only ever heard 1200 never got past the signature.
            try:
                code = str(json.loads(response.content).get("ret_code"))
            except (ValueError, AttributeError):
                code = "none"
            codes = stats.setdefault("ret_codes", {})
            codes[code] = codes.get(code, 0) + 1
        if status >= 500:
            record("server_errors", f"{operation} → {status}", response, "a server error")
        problem = shape_problem(status, flat(response.headers), response.content, case.operation.path)
        if problem:
            record("shape_failures", f"{operation} → {status}: {problem}", response, problem)
        save()
        stop_when_spent()


@schemathesis.hook
def after_network_error(context, case, request):
    """A gateway that has exited answers nothing more: end the run (scripts/fuzz reports the exit)."""
    with lock:
        stats["network_errors"] = stats.get("network_errors", 0) + 1
        save()
    if GATEWAY_PID and not alive(GATEWAY_PID):
        os._exit(0)


def alive(pid):
    """Whether the process runs (a zombie, exited but not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


@schemathesis.check
def dialect_shape(ctx, response, case):
    """Every answer in the dialect's own envelope and error shape."""
    problem = shape_problem(response.status_code, flat(response.headers), response.content, case.operation.path)
    if problem:
        raise AssertionError(f"not in {DIALECT}'s shape: {problem}")
