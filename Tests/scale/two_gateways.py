"""Two gateway processes on one PostgreSQL schema and one shared files directory
(scripts/two-gateways runs this):

1. 1,000 concurrent Foreman creates, alternating between the gateways: every acknowledged one
   is stored exactly once (0 lost, 0 duplicated), each readable through the other gateway.
2. A Foreman name uniqueness race across both: exactly one 201, the others 422.
3. An image's bytes uploaded through one gateway stream back through the other.
4. A 51idc capture job queued through gateway A, which claims it; A is killed (-9) mid-job: the
   job finishes exactly once, on gateway B, after A's lease lapses.

With --glance URL both gateways run on a `glance` backend over that PostgreSQL: images and
their bytes in the Glance at URL (scripts/glance), the rest in the schema.

Usage: two_gateways.py BINARY WORK_DIR PG_URL [--creates N] [--glance URL]
Only the Python standard library."""
import argparse, base64, concurrent.futures, hashlib, json, os, re, shutil, signal, socket, subprocess, sys, time
import urllib.error, urllib.parse, urllib.request, uuid

FOREMAN = {"Authorization": "Basic " + base64.b64encode(b"admin:changeme").decode()}
CEC = {"Authorization": "Bearer cec-demo-token", "x-regionid": "r0"}
IDC = {"X-Access-Key-Id": "AKIDDEMO", "X-Access-Key-Secret": "idc-demo-secret"}
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STARTED = []  # every gateway process this run started, stopped at the end whatever happens


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def call(base, method, path, headers, body=None, raw=None, timeout=30):
    headers = dict(headers)
    data = raw
    if body is not None:
        data = json.dumps(body).encode(); headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            payload = reply.read()
            return reply.status, (json.loads(payload) if payload[:1] in (b"{", b"[") else payload)
    except urllib.error.HTTPError as e:
        payload = e.read()
        return e.code, (json.loads(payload) if payload[:1] in (b"{", b"[") else payload)


class Gateway:
    use = "postgres"  # the backend both run on (main sets "glance" for --glance)

    def __init__(self, name, binary, config, data, env, log_dir):
        self.name, self.port = name, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(log_dir, f"{name}.log"), "wb")
        self.process = subprocess.Popen([binary, "serve", "--config", config, "--use", Gateway.use, "--port", str(self.port),
                                         "--data", data], stdout=self.log, stderr=self.log, env=env)
        STARTED.append(self)
        for _ in range(600):
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=1) as r:
                    if r.status == 200: return
            except Exception:
                if self.process.poll() is not None: sys.exit(f"two-gateways: gateway {name} exited with {self.process.returncode}")
            time.sleep(0.05)
        sys.exit(f"two-gateways: gateway {name} did not become ready")

    def kill(self):
        self.process.send_signal(signal.SIGKILL); self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try: self.process.wait(timeout=20)
            except subprocess.TimeoutExpired: self.kill()


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition: raise SystemExit(1)


def creates(gateways, n):
    prefix = "tg-" + uuid.uuid4().hex[:8]
    def create(i):
        base = gateways[i % 2].base
        name = f"{prefix}-{i:05d}"
        status, answer = call(base, "POST", "/api/compute_resources/1/images", FOREMAN,
                              {"image": {"name": name, "username": "root", "uuid": name}})
        return name, status, answer
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:
        results = list(pool.map(create, range(n)))
    took = time.monotonic() - started
    acknowledged = {name: answer["id"] for name, status, answer in results if status == 201}
    check(len(set(acknowledged.values())) == len(acknowledged), f"{len(acknowledged)} acknowledged creates got distinct ids")
    print(f"     {len(acknowledged)}/{n} creates acknowledged in {took:.1f} s ({n / took:.0f}/s over 2 gateways)")
    q = urllib.parse.urlencode({"search": f'name ~ "{prefix}"', "per_page": "all"})
    found = {}
    for gateway in gateways:
        status, answer = call(gateway.base, "GET", f"/api/compute_resources/1/images?{q}", FOREMAN, timeout=120)
        check(status == 200, f"{gateway.name} lists the images ({status})")
        names = [r["name"] for r in answer["results"]]
        found[gateway.name] = names
    for gateway, names in found.items():
        lost = set(acknowledged) - set(names)
        duplicated = len(names) - len(set(names))
        check(not lost and not duplicated and len(names) == len(acknowledged),
              f"{n} concurrent creates seen through gateway {gateway}: {len(names)} stored, {len(lost)} lost, {duplicated} duplicated")
    # Each read through the gateway that did not write it.
    misses = 0
    for i, (name, rowid) in enumerate(sorted(acknowledged.items())[:200]):
        status, answer = call(gateways[(i + 1) % 2].base, "GET", f"/api/compute_resources/1/images/{rowid}", FOREMAN)
        misses += status != 200 or answer.get("name") != name
    check(misses == 0, "200 of them read back by row id through the other gateway")
    return len(acknowledged)


def name_race(gateways, n=40):
    name = "race-" + uuid.uuid4().hex[:8]
    def create(i):
        return call(gateways[i % 2].base, "POST", "/api/compute_resources/1/images", FOREMAN,
                    {"image": {"name": name, "username": "root", "uuid": f"{name}-{i}", "operatingsystem_id": 1}})[0]
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
        statuses = list(pool.map(create, range(n)))
    created = statuses.count(201)
    check(created == 1 and statuses.count(422) == n - 1,
          f"Foreman name race, {n} creates of one name across both gateways: {created} × 201, {statuses.count(422)} × 422")


def bytes_across(gateways):
    status, answer = call(gateways[0].base, "POST", "/api/image/v1/private-images", CEC,
                          {"name": "bytes-" + uuid.uuid4().hex[:6], "diskFormat": "qcow2", "minDisk": 10, "minRam": 512,
                           "imageType": "os_image", "instruction": "64-bits", "cpuArch": "x86", "osType": "linux",
                           "platform": "CentOS", "visibility": "private", "usage": "ecs", "departmentId": "d", "tenantId": "t"})
    check(status == 200 and answer.get("code") == "Success", f"CECSTACK create through A ({status})")
    image_id = answer["data"]["imageId"]
    body = os.urandom(3 * 1024 * 1024 + 17)
    status, answer = call(gateways[0].base, "POST", f"/api/image/v1/private-images/{image_id}/upload-prepare", CEC,
                          {"size": len(body)})
    check(status == 200, f"upload-prepare through A ({status})")
    url = urllib.parse.urlparse(answer["data"]["image_url"])
    status, _ = call(gateways[1].base, "PUT", url.path + "?" + url.query, {"Content-Type": "application/octet-stream"}, raw=body)
    check(status in (200, 201, 204), f"bytes PUT through B ({status})")
    status, done = call(gateways[0].base, "POST", f"/api/image/v1/private-images/{image_id}/upload-done", CEC,
                        {"result": "success", "uploadId": answer["data"]["uploadId"]})
    check(status == 200 and done.get("code") == "Success", f"upload-done through A ({status})")
    for gateway in gateways:
        status, got = call(gateway.base, "GET", f"/api/image/v1/private-images/{image_id}/file", CEC)
        same = status == 200 and hashlib.md5(got).hexdigest() == hashlib.md5(body).hexdigest()
        check(same, f"{len(body)} bytes stored through B stream back through {gateway.name} ({status})")


def psql(url, sql):
    """One value from the database (the tables are in the run's schema, named in `sql`)."""
    return subprocess.run(["psql", "-X", "-At", url, "-c", sql], capture_output=True, text=True, check=True).stdout.strip()


def job_takeover(binary, config, data, env, log_dir, url, schema, a, b):
    """A alone claims the job; B starts; A is killed mid-job; B finishes it after the lease."""
    b.stop()
    job_table = f"{schema}.job"
    name = "capture-" + uuid.uuid4().hex[:8]
    status, answer = call(a.base, "POST", "/v2/zone/ac1/images", IDC, {"instance": "i-TAKEOVER", "image_name": name})
    check(status == 200 and "job_id" in answer, f"51idc capture queued through gateway A ({status})")
    job_id = answer["job_id"]
    deadline = time.monotonic() + 30
    while psql(url, f"SELECT coalesce(leaseOwner, '') FROM {job_table} WHERE jobId = '{job_id}'") == "":
        if time.monotonic() > deadline: check(False, "gateway A claimed the job")
        time.sleep(0.05)
    b = Gateway("B", binary, config, data, env, log_dir)
    while psql(url, f"SELECT status FROM {job_table} WHERE jobId = '{job_id}'") == "pending":
        if time.monotonic() > deadline: check(False, "gateway A started the job")
        time.sleep(0.05)
    a.kill()
    killed_at = time.monotonic()
    state = psql(url, f"SELECT status FROM {job_table} WHERE jobId = '{job_id}'")
    check(state in ("pending", "working"), f"gateway A killed (-9) mid-job (job {state})")
    lease_until = float(psql(url, f"SELECT extract(epoch FROM leaseUntil) FROM {job_table} WHERE jobId = '{job_id}'"))
    while True:
        status, job = call(b.base, "GET", f"/v2/zone/ac1/job/{job_id}", IDC)
        if status == 200 and job.get("status") in ("successful", "failed"): break
        if time.monotonic() - killed_at > 180: check(False, "the job finished within 180 s of the kill")
        time.sleep(0.25)
    waited = time.monotonic() - killed_at
    attempts = int(psql(url, f"SELECT attempts FROM {job_table} WHERE jobId = '{job_id}'"))
    check(job["status"] == "successful", f"the job finished on gateway B {waited:.1f} s after the kill ({job['status']})")
    check(attempts == 2, f"claimed exactly twice: by A, then by B after the lease (attempts = {attempts})")
    finished = float(psql(url, f"SELECT extract(epoch FROM finishedAt) FROM {job_table} WHERE jobId = '{job_id}'"))
    check(finished >= lease_until, f"finished {finished - lease_until:.1f} s after A's lease lapsed (not before it)")
    q = urllib.parse.urlencode({"search_word": name})
    status, listed = call(b.base, "GET", f"/v2/zone/ac1/images?{q}", IDC)
    images = [i for i in listed.get("images", []) if i.get("image_name") == name]
    check(len(images) == 1 and images[0].get("status") == "available",
          f"its image exists once and is available ({[i.get('status') for i in images]})")
    return b


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary"); parser.add_argument("dir"); parser.add_argument("url")
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--glance", help="a Glance's base URL: run both gateways on a glance backend over the PostgreSQL")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    schema = "two_gw_" + uuid.uuid4().hex[:10]
    url = args.url + ("&" if "?" in args.url else "?") + "schema=" + schema
    config_dir = os.path.join(args.dir, "Config")
    shutil.copytree(os.path.join(REPO, "Config"), config_dir)
    config = os.path.join(config_dir, "ims-gateway.yaml")
    with open(config) as f: text = f.read()
    # Slow jobs (each state lasts 3 s), so one can be killed in the middle.
    text = re.sub(r"^job_delay_ms: .*$", "job_delay_ms: 3000", text, flags=re.M)
    # A short lease, so the survivor takes the job over soon after the kill. Longer than the two
    # unrenewed delays a job waits before its work (claim → 3 s → working → 3 s).
    text, leases = re.subn(r"^(    url_env: IMS_PG_URL.*)$", r"\1\n    job_lease_seconds: 10", text, flags=re.M)
    if leases != 1: sys.exit("two-gateways: no postgres backend with url_env in Config/ims-gateway.yaml")
    if args.glance:
        text = re.sub(r"^backends:\n", f"backends:\n  glance: {{kind: glance, url: '{args.glance}', index: postgres}}\n", text, count=1, flags=re.M)
        Gateway.use = "glance"
    with open(config, "w") as f: f.write(text)
    data = os.path.join(args.dir, "shared", "ims.sqlite")  # its folder's files/ is the shared bytes directory
    env = dict(os.environ, IMS_PG_URL=url)
    try:
        a = Gateway("A", binary, config, data, env, args.dir)
        b = Gateway("B", binary, config, data, env, args.dir)
        gateways = [a, b]
        creates(gateways, args.creates)
        name_race(gateways)
        bytes_across(gateways)
        b = job_takeover(binary, config, data, env, args.dir, args.url, schema, a, b)
        print("two-gateways: all checks passed")
    except BaseException:
        for g in STARTED:  # the logs go with the run's folder: their ends tell why
            g.log.flush()
            with open(g.log.name, "rb") as f: tail = f.read()[-2000:].decode(errors="replace")
            print(f"--- end of gateway {g.name}'s log (port {g.port}):\n{tail}", file=sys.stderr)
        raise
    finally:
        for g in STARTED: g.stop()
        try: psql(args.url, f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        except Exception: pass


if __name__ == "__main__":
    main()
