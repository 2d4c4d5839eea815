"""Kill -9 during concurrent creates across dialects, restart, and check that every
acknowledged create is present exactly once (scripts/durability runs this).

Usage: kill_during_creates.py BINARY DATA_DIR [--rounds N] [--workers N]
Only the Python standard library: it runs before any venv exists."""
import argparse, base64, json, os, signal, socket, subprocess, sys, threading, time, urllib.error, urllib.parse, urllib.request, uuid

FOREMAN = {"Authorization": "Basic " + base64.b64encode(b"admin:changeme").decode()}
CEC = {"Authorization": "Bearer cec-demo-token", "x-regionid": "r0"}
HTAIYUN = {"HT-ACCESS-TOKEN": "ht-demo-access", "IMR-SESSION-TOKEN": "sess-demo", "IMR-SESSION-SECRET": "ht-demo-secret"}


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def call(base, method, path, headers, body=None, form=False, timeout=10):
    data = None
    headers = dict(headers)
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode(); headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode(); headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


CREATES = {
    "foreman": lambda name: ("POST", "/api/compute_resources/1/images", FOREMAN,
                             {"image": {"name": name, "username": "root", "uuid": name}}, False),
    "cecstack": lambda name: ("POST", "/api/image/v1/private-images", CEC,
                              {"name": name, "diskFormat": "qcow2", "minDisk": 10, "minRam": 512, "imageType": "os_image",
                               "instruction": "64-bits", "cpuArch": "x86", "osType": "linux", "platform": "CentOS",
                               "visibility": "private", "usage": "ecs", "departmentId": "d", "tenantId": "t"}, False),
    "htaiyun": lambda name: ("POST", "/v1/openstack/image/application/create", HTAIYUN,
                             {"name": name, "displayname": name, "picture": "p.jpg", "description": "durability"}, True),
}


def acknowledged(dialect, status, answer):
    if dialect == "foreman": return status == 201
    if dialect == "cecstack": return status == 200 and answer and answer.get("code") == "Success"
    return status == 200 and answer and answer.get("status") == 200


def count(base, dialect, name):
    """How many records carry `name`, asked through the dialect that wrote it."""
    if dialect == "foreman":
        q = urllib.parse.urlencode({"search": f'name = "{name}"', "per_page": "4294967296"})
        status, answer = call(base, "GET", f"/api/compute_resources/1/images?{q}", FOREMAN)
        return sum(1 for r in answer["results"] if r["name"] == name)
    if dialect == "cecstack":
        q = urllib.parse.urlencode({"filter": f"name:eq:{name}", "current": 1, "size": 1000})
        status, answer = call(base, "GET", f"/api/image/v1/private-images?{q}", CEC)
        return sum(1 for r in answer["data"]["list"] if r["name"] == name)
    q = urllib.parse.urlencode({"keywords": name, "status": "ALL_STATUS", "offset": 1000})
    status, answer = call(base, "GET", f"/v1/openstack/image/application/list?{q}", HTAIYUN)
    return sum(1 for r in answer["result"]["entities"] if r["name"] == name)


def start(binary, data, port, log):
    process = subprocess.Popen([binary, "serve", "--port", str(port), "--data", data], stdout=log, stderr=log)
    for _ in range(400):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1); return process
        except Exception:
            if process.poll() is not None: sys.exit(f"durability: the gateway exited with {process.returncode}")
            time.sleep(0.05)
    sys.exit("durability: the gateway did not start")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary"); parser.add_argument("dir")
    parser.add_argument("--rounds", type=int, default=3); parser.add_argument("--workers", type=int, default=12)
    args = parser.parse_args()
    data, port = os.path.join(args.dir, "ims.sqlite"), free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(args.dir, "gateway.log"), "ab")
    acked, lock, total_sent = [], threading.Lock(), 0
    for round in range(args.rounds):
        process = start(args.binary, data, port, log)
        stop = threading.Event()
        sent = [0]

        def worker(index):
            dialect = list(CREATES)[index % len(CREATES)]
            while not stop.is_set():
                name = f"d{round}-{uuid.uuid4().hex[:12]}"
                method, path, headers, body, form = CREATES[dialect](name)
                with lock: sent[0] += 1
                try:
                    status, answer = call(base, method, path, headers, body, form)
                except Exception:
                    continue  # cut by the kill: not acknowledged
                if acknowledged(dialect, status, answer):
                    with lock: acked.append((dialect, name))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.workers)]
        for t in threads: t.start()
        time.sleep(1.5)
        stop.set()  # no new creates; those in flight are cut by the kill
        process.send_signal(signal.SIGKILL)
        process.wait()
        for t in threads: t.join()
        total_sent += sent[0]
        print(f"durability: round {round + 1}: {sent[0]} creates sent, kill -9 while they ran")
    process = start(args.binary, data, port, log)
    try:
        missing = [(d, n) for d, n in acked if count(base, d, n) == 0]
        doubled = [(d, n) for d, n in acked if count(base, d, n) > 1]
    finally:
        process.terminate(); process.wait()
    by_dialect = {d: sum(1 for x, _ in acked if x == d) for d in CREATES}
    print(f"durability: {total_sent} sent, {len(acked)} acknowledged ({by_dialect}); "
          f"after the restarts: {len(missing)} missing, {len(doubled)} duplicated")
    if missing or doubled or not acked:
        print(f"durability: FAILED: missing {missing[:5]} duplicated {doubled[:5]}")
        sys.exit(1)


if __name__ == "__main__":
    main()
