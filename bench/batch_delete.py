#!/usr/bin/env python3
"""One 51idc batch delete, timed from the client: DELETE the ids, then poll the job.

Usage: batch_delete.py PORT IDS_JSON [POLL_SECONDS]

Prints "<answered ms> <done ms> <job status>": when the DELETE's answer (the queued job) arrived,
and when a poll first saw the job finished, both from just before the DELETE was sent. One
process on one keep-alive connection, started before the clock: timing curl and a python3 per
step measured their start-up too (30-40 ms of each figure on this machine).
"""
import http.client
import json
import sys
import time

HEADERS = {"X-Access-Key-Id": "AKIDDEMO", "X-Access-Key-Secret": "idc-demo-secret"}


def main():
    port, ids_path = int(sys.argv[1]), sys.argv[2]
    poll = float(sys.argv[3]) if len(sys.argv) > 3 else 0.005
    body = open(ids_path, "rb").read()
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/healthz")  # connect before the clock starts
    conn.getresponse().read()

    start = time.perf_counter()
    conn.request("DELETE", "/v2/zone/ac1/images", body=body, headers=HEADERS)
    reply = conn.getresponse()
    answer = json.loads(reply.read())
    answered = time.perf_counter()
    job = answer.get("job_id")
    if reply.status != 200 or not job:
        sys.exit(f"batch delete refused: HTTP {reply.status} {answer}")
    while True:
        conn.request("GET", f"/v2/zone/ac1/job/{job}", headers=HEADERS)
        status = json.loads(conn.getresponse().read()).get("status")
        if status in ("successful", "failed"):
            break
        time.sleep(poll)
    done = time.perf_counter()
    print(f"{(answered - start) * 1000:.1f} {(done - start) * 1000:.1f} {status}")


if __name__ == "__main__":
    main()
