"""QingCloud's own clients, unchanged, against a running gateway: qingcloud-sdk's APIConnection
and wait_job, and the qingcloud CLI. Then what the signature scheme refuses (a wrong secret, a
replayed request, one signed 20 minutes ago) and the captured image read through the other
dialects. Usage: qingcloud_clients.py URL ACCESS_KEY_ID SECRET CLI_CONFIG"""
import json
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlparse

import qingcloud.conn.auth as auth
from qingcloud.iaas.connection import APIConnection
from qingcloud.misc.utils import get_ts, wait_job

url, key, secret, cli_config = sys.argv[1:5]
host, port = urlparse(url).hostname, urlparse(url).port
zone = "pek3"
checks = 0


def check(condition, what, answer=None):
    global checks
    if not condition:
        sys.exit(f"FAILED: {what}\n  answer: {json.dumps(answer, ensure_ascii=False)[:2000]}")
    checks += 1


def connect(secret_key=secret):
    # retry_time=1: an answer the SDK cannot read comes back as None at once, not after backoff.
    return APIConnection(key, secret_key, zone, host=host, port=port, protocol="http", retry_time=1)


def run_cli(*args):
    out = subprocess.run(["qingcloud", "iaas", *args, "-f", cli_config], capture_output=True, text=True, timeout=120)
    try:
        answer = json.loads(out.stdout)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):  # the CLI prints `null` (and exits 0) when the SDK got no answer
        sys.exit(f"FAILED: the CLI printed no answer for {args}: {out.stdout!r} {out.stderr!r}")
    return answer


def get(path, headers):
    request = urllib.request.Request(url + path, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


sdk = connect()

# --- the SDK: capture, wait, describe by id and by filters, modify, delete, wait
captured = sdk.capture_instance("i-qcsdk001", image_name="qc-sdk-golden")
check(captured and captured.get("ret_code") == 0 and captured.get("image_id", "").startswith("img-")
      and captured.get("job_id"), "capture_instance answers image_id and job_id", captured)
image_id, capture_job = captured["image_id"], captured["job_id"]
started = time.time()
check(wait_job(sdk, capture_job, timeout=60), "wait_job sees the capture finish", capture_job)
print(f"qingcloud-sdk: capture job finished, wait_job returned after {time.time() - started:.1f} s")
jobs = sdk.describe_jobs([capture_job])
check(jobs and jobs["ret_code"] == 0 and jobs["job_set"][0]["status"] == "successful"
      and jobs["job_set"][0]["job_id"] == capture_job, "describe_jobs by id: the capture succeeded", jobs)

by_id = sdk.describe_images(images=[image_id])
check(by_id and by_id["ret_code"] == 0 and by_id["total_count"] == 1 and by_id["image_set"][0]["image_id"] == image_id
      and by_id["image_set"][0]["image_name"] == "qc-sdk-golden" and by_id["image_set"][0]["status"] == "available",
      "describe_images by id", by_id)
by_filters = sdk.describe_images(status=["available"], provider="self", search_word="qc-sdk", offset=0, limit=10)
check(by_filters and by_filters["ret_code"] == 0 and [i["image_id"] for i in by_filters["image_set"]] == [image_id],
      "describe_images by status.N, provider and search_word", by_filters)
bits = by_id["image_set"][0]["processor_type"]
same_bits = sdk.describe_images(images=[image_id], processor_type=bits)
other_bits = sdk.describe_images(images=[image_id], processor_type="32bit" if bits == "64bit" else "64bit")
check(same_bits["total_count"] == 1 and other_bits["total_count"] == 0, f"describe_images by processor_type ({bits})",
      [same_bits, other_bits])
none = sdk.describe_images(images=[image_id], status=["deleted"])
check(none and none["ret_code"] == 0 and none["total_count"] == 0, "a filter that excludes the image", none)

modified = sdk.modify_image_attributes(image_id, image_name="qc-sdk-renamed", description="renamed by the sdk")
check(modified and modified["ret_code"] == 0, "modify_image_attributes", modified)
if modified.get("job_id"):
    check(wait_job(sdk, modified["job_id"], timeout=60), "wait_job on the modification", modified)
renamed = sdk.describe_images(images=[image_id], verbose=1)
check(renamed["image_set"][0]["image_name"] == "qc-sdk-renamed"
      and renamed["image_set"][0]["description"] == "renamed by the sdk", "the new name and description", renamed)

recent = sdk.describe_jobs(offset=0, limit=10)
check(recent and recent["ret_code"] == 0 and capture_job in [j["job_id"] for j in recent["job_set"]]
      and recent["total_count"] >= 1, "describe_jobs without ids lists the caller's recent jobs", recent)

unknown = sdk.modify_image_attributes("img-zzzzzzzz", image_name="x")
check(unknown and unknown["ret_code"] == 2100, "an unknown image is ret_code 2100", unknown)
unknown_delete = sdk.delete_images(["img-zzzzzzzz"])
check(unknown_delete and unknown_delete["ret_code"] == 2100, "deleting an unknown image is ret_code 2100", unknown_delete)

# --- the captured image through the other dialects
cec = get(f"/api/image/v1/images/{image_id}", {"Authorization": "Bearer cec-demo-token", "x-regionid": "region0"})
check(cec.get("data", {}).get("imageId") == image_id and cec["data"]["name"] == "qc-sdk-renamed", "read through CECSTACK", cec)
idc = get(f"/v2/zone/ac1/images?search_word={image_id}", {"X-Access-Key-Id": "AKIDDEMO", "X-Access-Key-Secret": "idc-demo-secret"})
check(idc.get("total_count") == 1 and idc["images"][0]["image_name"] == "qc-sdk-renamed", "read through 51idc", idc)
row = cec["data"]["id"]
foreman = get(f"/api/compute_resources/1/images/{row}", {"Authorization": "Basic YWRtaW46Y2hhbmdlbWU="})
check(foreman.get("name") == "qc-sdk-renamed" and foreman.get("id") == row, "read through Foreman", foreman)
print(f"read through the other dialects: CECSTACK {cec['data']['imageId']} '{cec['data']['name']}' ({cec['data']['status']}), "
      f"51idc '{idc['images'][0]['image_name']}' ({idc['images'][0]['status']}), "
      f"Foreman #{foreman['id']} '{foreman['name']}' under compute resource {foreman.get('compute_resource_id')}")

# --- the CLI, unchanged: its config names host, port and protocol; it exits 0 whatever happens
cli_captured = run_cli("capture-instance", "-i", "i-qccli001", "-N", "qc-cli-golden")
check(cli_captured.get("ret_code") == 0 and cli_captured.get("image_id"), "CLI capture-instance", cli_captured)
cli_image = cli_captured["image_id"]
check(wait_job(sdk, cli_captured["job_id"], timeout=60), "the CLI's capture job finishes", cli_captured)
cli_jobs = run_cli("describe-jobs", "-j", cli_captured["job_id"])
check(cli_jobs.get("job_set", [{}])[0].get("status") == "successful", "CLI describe-jobs", cli_jobs)
cli_recent = run_cli("describe-jobs", "-s", "successful")
check(cli_captured["job_id"] in [j["job_id"] for j in cli_recent.get("job_set", [])]
      and all(j["status"] == "successful" for j in cli_recent["job_set"]), "CLI describe-jobs without ids, by status", cli_recent)
cli_described = run_cli("describe-images", "-i", cli_image, "-p", "64bit,32bit", "-s", "available")
check(cli_described.get("total_count") == 1 and cli_described["image_set"][0]["image_id"] == cli_image,
      "CLI describe-images (processor_type.N, status.N lists)", cli_described)
cli_modified = run_cli("modify-image-attributes", "-i", cli_image, "-N", "qc-cli-renamed")
check(cli_modified.get("ret_code") == 0, "CLI modify-image-attributes", cli_modified)
if cli_modified.get("job_id"):
    check(wait_job(sdk, cli_modified["job_id"], timeout=60), "the CLI's modification finishes", cli_modified)
cli_deleted = run_cli("delete-images", "-i", cli_image)
check(cli_deleted.get("ret_code") == 0 and cli_deleted.get("job_id"), "CLI delete-images", cli_deleted)
check(wait_job(sdk, cli_deleted["job_id"], timeout=60), "the CLI's deletion finishes", cli_deleted)
cli_unknown = run_cli("delete-images", "-i", "img-zzzzzzzz")
check(cli_unknown.get("ret_code") == 2100, "CLI: an unknown image is ret_code 2100", cli_unknown)
print(f"qingcloud-cli: capture, describe-jobs, describe-images, modify, delete passed")

# --- what the signature scheme refuses
wrong = connect("not-the-secret").describe_images(images=[image_id])
check(wrong and wrong["ret_code"] == 1200 and "not-the-secret" not in json.dumps(wrong), "a wrong secret is ret_code 1200", wrong)

request = sdk.build_http_request("GET", "/iaas/", {"action": "DescribeImages", "zone": zone, "images": [image_id]})
request.authorize(sdk)
signed_url = url + request.path
first = json.loads(urllib.request.urlopen(signed_url, timeout=30).read())
check(first["ret_code"] == 0 and first["total_count"] == 1, "a signed request, sent once", first)
replayed = json.loads(urllib.request.urlopen(signed_url, timeout=30).read())
check(replayed["ret_code"] == 1200, "the same signed request sent again is refused", replayed)
print(f"refused: wrong secret → {wrong['ret_code']} {wrong.get('message')!r}; replay → {replayed['ret_code']} {replayed.get('message')!r}")

real_get_ts = auth.get_ts
auth.get_ts = lambda: get_ts(time.gmtime(time.time() - 20 * 60))
try:
    stale = sdk.describe_images(images=[image_id])
finally:
    auth.get_ts = real_get_ts
check(stale and stale["ret_code"] == 1200, "a request signed 20 minutes ago is refused", stale)
print(f"refused: signed 20 minutes ago → {stale['ret_code']} {stale.get('message')!r}; unknown image → {unknown['ret_code']} {unknown.get('message')!r}")

# --- delete through the SDK and wait for it
deleted = sdk.delete_images([image_id])
check(deleted and deleted["ret_code"] == 0 and deleted.get("job_id"), "delete_images answers a job", deleted)
check(wait_job(sdk, deleted["job_id"], timeout=60), "wait_job sees the deletion finish", deleted)
gone = sdk.describe_images(images=[image_id])
check(gone["ret_code"] == 0 and all(i.get("status") in ("deleted", "ceased") for i in gone["image_set"]),
      "the deleted image is gone (or shown deleted)", gone)
print(f"qingcloud-clients: {checks} checks passed")
