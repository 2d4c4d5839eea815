"""Two gateways on one PostgreSQL under a steady mixed load from the four dialects, while the
database is restarted, stalled and has its connections exhausted in turn (scripts/faults-pg runs
this on a PostgreSQL of its own).

The load: Foreman creates, updates and gets; CECSTACK creates with an upload of their bytes
(upload-prepare, PUT, upload-done) and gets; 51idc batch deletes (a job each) and lists; htaiyun
lists. Each thread alternates between the gateways.

The faults, each while the load runs:
  restart  pg_ctl restart -m fast
  stall    every PostgreSQL process stopped (SIGSTOP) for longer than the request timeout
  exhaust  every connection slot held by another client and the gateways' connections ended

What it prints: answers by status for each phase, the slowest answer of each fault, and the
recovery time (from the database's return until each gateway has answered a request it got after
it). What it checks:
  - no answer outside the dialect's shape (a 503 in the same shape as the dialect's 404), no 500
  - every answer within the request timeout + 10%
  - every acknowledged write present exactly once at the end: creates once each, the last
    acknowledged update (or a later one the client was not told about) in place, uploaded bytes
    whole, every acknowledged batch delete's job successful and its images gone
  - recovery within 1 s of the database's return

Usage: faults_pg.py BINARY WORK_DIR PG_URL [--timeout-ms 2000] [--fault-seconds 4] [--threads 8]
Only the Python standard library."""
import argparse, base64, collections, hashlib, json, os, random, re, shutil, signal, socket, subprocess, sys, threading, time
import urllib.error, urllib.parse, urllib.request, uuid

FOREMAN = {"Authorization": "Basic " + base64.b64encode(b"admin:changeme").decode()}
CEC = {"Authorization": "Bearer cec-demo-token", "x-regionid": "r0"}
IDC = {"X-Access-Key-Id": "AKIDDEMO", "X-Access-Key-Secret": "idc-demo-secret"}
HT = {"HT-ACCESS-TOKEN": "ht-demo-access", "IMR-SESSION-TOKEN": "sess-demo", "IMR-SESSION-SECRET": "ht-demo-secret"}
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PG = os.path.join(REPO, "scripts", "postgres")
CEC_IMAGE = {"diskFormat": "raw", "minDisk": 1, "minRam": 512, "imageType": "os_image", "instruction": "64-bits", "cpuArch": "x86",
             "osType": "linux", "platform": "other", "visibility": "private", "usage": "ecs", "departmentId": "d", "tenantId": "t"}


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def call(url, method, headers, body=None, raw=None, timeout=60):
    """(status, parsed body or bytes, seconds). A connection the gateway refused or dropped is status 0."""
    headers = dict(headers)
    data = raw
    if body is not None:
        data = json.dumps(body).encode(); headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            status, payload = reply.status, reply.read()
    except urllib.error.HTTPError as e:
        status, payload = e.code, e.read()
    except (OSError, urllib.error.URLError):
        status, payload = 0, b""
    took = time.monotonic() - started
    try:
        parsed = json.loads(payload) if payload[:1] in (b"{", b"[") else payload
    except ValueError:
        parsed = payload
    return status, parsed, took


def pg(*args):
    return subprocess.run([PG, *args], capture_output=True, text=True, check=True).stdout.strip()


class Gateway:
    def __init__(self, name, binary, config, data, env, log_dir):
        self.name, self.port = name, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(log_dir, f"{name}.log"), "wb")
        self.process = subprocess.Popen([binary, "serve", "--config", config, "--use", "postgres", "--port", str(self.port),
                                         "--data", data], stdout=self.log, stderr=self.log, env=env)
        for _ in range(1200):
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=1) as r:
                    if r.status == 200: return
            except Exception:
                if self.process.poll() is not None: sys.exit(f"faults-pg: gateway {name} exited with {self.process.returncode}")
            time.sleep(0.05)
        sys.exit(f"faults-pg: gateway {name} did not become ready")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try: self.process.wait(timeout=20)
            except subprocess.TimeoutExpired: self.process.kill(); self.process.wait()


class Record:
    """Every answer, and every write the clients were told succeeded."""
    def __init__(self):
        self.lock = threading.Lock()
        self.answers = []  # (started, ended, gateway, dialect, op, status, in_shape)
        self.phase = "warm-up"
        self.created = {}  # Foreman name -> id
        self.updates = {}  # Foreman id -> [(name, acknowledged)] in the order sent
        self.uploaded = {}  # CECSTACK imageId -> md5 of its bytes
        self.deleted = {}  # 51idc job id -> [imageId]
        self.deletable = collections.deque()  # uploaded images a batch delete may take
        self.maybe_deleted = set()  # asked to be deleted, answered 503: the job may have been queued all the same

    def answer(self, started, ended, gateway, dialect, op, status, in_shape):
        with self.lock:
            self.answers.append((started, ended, gateway, dialect, op, status, in_shape, self.phase))


class Shapes:
    """Each dialect's error shape, as its 404 has it: the keys of its top level."""
    def __init__(self, base):
        self.keys = {}
        self.missing = {}  # the status each dialect answers for an image that is not there
        probes = {
            "foreman": (base + "/api/compute_resources/1/images/999999999", FOREMAN),
            "cecstack": (base + "/api/image/v1/images/img-nosuchim", CEC),
            "51idc": (base + "/v2/zone/ac1/job/nosuchjob", IDC),
            "htaiyun": (base + "/v1/openstack/image/application/999999999/get", HT),
            "upload": (base + "/ims/v1/uploads/img-nosuchim?token=nosuchtoken", {}),
        }
        for dialect, (url, headers) in probes.items():
            status, body, _ = call(url, "PUT" if dialect == "upload" else "GET", headers, raw=b"x" if dialect == "upload" else None)
            if not isinstance(body, dict) or status < 400: sys.exit(f"faults-pg: no error shape for {dialect} ({status} {body!r:.200})")
            self.keys[dialect] = frozenset(body)
            self.missing[dialect] = status

    def fits(self, dialect, status, body):
        if status == 0 or status >= 500 and status != 503: return False
        if status < 400: return True
        return isinstance(body, dict) and frozenset(body) == self.keys[dialect]


def load(record, shapes, gateways, stop, seed, upload_bytes):
    rng = random.Random(seed)
    mine = []  # Foreman ids this thread made and may update
    turn = seed
    while not stop.is_set():
        turn += 1
        g = gateways[turn % 2]

        def timed(dialect, op, method, path, headers, body=None, raw=None, base=None):
            started = time.monotonic()
            status, answer, took = call((base or g.base) + path, method, headers, body=body, raw=raw)
            record.answer(started, started + took, g.name, dialect, op, status, shapes.fits(dialect, status, answer))
            return status, answer

        r = rng.random()
        if r < 0.15:
            name = f"fp-{seed}-{turn}-{uuid.uuid4().hex[:6]}"
            status, answer = timed("foreman", "create", "POST", "/api/compute_resources/1/images", FOREMAN,
                                   {"image": {"name": name, "username": "root", "uuid": name}})
            if status == 201:
                with record.lock: record.created[name] = answer["id"]
                mine.append(answer["id"])
        elif r < 0.25 and mine:
            image = rng.choice(mine)
            name = f"up-{seed}-{turn}"
            with record.lock: record.updates.setdefault(image, []).append([name, False])
            status, _ = timed("foreman", "update", "PUT", f"/api/compute_resources/1/images/{image}", FOREMAN, {"image": {"name": name}})
            if status == 200:
                with record.lock:
                    for sent in record.updates[image]:
                        if sent[0] == name: sent[1] = True
        elif r < 0.33:
            status, answer = timed("cecstack", "create", "POST", "/api/image/v1/private-images", CEC, dict(CEC_IMAGE, name=f"cec-{seed}-{turn}"))
            if status != 200: continue
            image = answer["data"]["imageId"]
            data = os.urandom(upload_bytes)
            status, ticket = timed("cecstack", "upload-prepare", "POST", f"/api/image/v1/private-images/{image}/upload-prepare", CEC,
                                   {"size": len(data)})
            if status != 200: continue
            put = urllib.parse.urlsplit(ticket["data"]["image_url"])
            status, _ = timed("upload", "put", "PUT", put.path + "?" + put.query, {}, raw=data)
            if status not in (200, 201, 204): continue
            status, _ = timed("cecstack", "upload-done", "POST", f"/api/image/v1/private-images/{image}/upload-done", CEC,
                              {"result": "success", "uploadId": ticket["data"]["uploadId"]})
            if status == 200:
                with record.lock:
                    record.uploaded[image] = hashlib.md5(data).hexdigest()
                    record.deletable.append(image)
        elif r < 0.37:
            with record.lock:
                batch = [record.deletable.popleft() for _ in range(min(3, len(record.deletable)))]
            if not batch: continue
            status, answer = timed("51idc", "batch-delete", "DELETE", "/v2/zone/ac1/images", IDC, {"images": batch})
            if status == 200 and "job_id" in answer:
                with record.lock: record.deleted[answer["job_id"]] = batch
            elif status != 503:
                with record.lock: record.deletable.extend(batch)
            else:
                with record.lock: record.maybe_deleted.update(batch)
        elif r < 0.55 and mine:
            timed("foreman", "get", "GET", f"/api/compute_resources/1/images/{rng.choice(mine)}", FOREMAN)
        elif r < 0.70:
            timed("51idc", "list", "GET", "/v2/zone/ac1/images?limit=20", IDC)
        elif r < 0.85:
            timed("htaiyun", "list", "GET", "/v1/openstack/image/application/list", HT)
        else:
            with record.lock: some = list(record.uploaded)[-20:]
            if some: timed("cecstack", "get", "GET", f"/api/image/v1/images/{rng.choice(some)}", CEC)


class Holder:
    """Connections that take every free slot of the server (trust authentication: a startup
    message, then the server's first byte says accepted or refused)."""
    def __init__(self, port, database):
        self.port, self.database, self.sockets = port, database, []

    def fill(self):
        refused = False
        while not refused and len(self.sockets) < 1000:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            params = b"user\0ims\0database\0" + self.database.encode() + b"\0application_name\0faults-hold\0\0"
            s.sendall((8 + len(params)).to_bytes(4, "big") + (196608).to_bytes(4, "big") + params)
            if self.ready(s): self.sockets.append(s)
            else: refused = True; s.close()
        return len(self.sockets)

    @staticmethod
    def ready(s):
        """Reads the server's messages up to ReadyForQuery (taken) or an ErrorResponse (refused:
        the slot check comes after authentication)."""
        def exactly(n):
            data = b""
            while len(data) < n:
                chunk = s.recv(n - len(data))
                if not chunk: return None
                data += chunk
            return data
        while True:
            head = exactly(5)
            if head is None: return False
            if exactly(int.from_bytes(head[1:], "big") - 4) is None: return False
            if head[:1] == b"Z": return True
            if head[:1] == b"E": return False

    def release(self):
        for s in self.sockets: s.close()
        self.sockets = []


def recovery(record, back, names):
    """Seconds from `back` until each gateway answered 2xx a request that started after it."""
    worst = 0.0
    for name in names:
        firsts = [ended for started, ended, g, _, _, status, _, _ in record.answers if g == name and started >= back and 200 <= status < 300]
        if not firsts: return None
        worst = max(worst, min(firsts) - back)
    return worst


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary"); parser.add_argument("dir"); parser.add_argument("url")
    parser.add_argument("--timeout-ms", type=int, default=2000)
    parser.add_argument("--fault-seconds", type=float, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--upload-bytes", type=int, default=256 * 1024)
    args = parser.parse_args()
    timeout = args.timeout_ms / 1000
    database = urllib.parse.urlsplit(args.url).path.lstrip("/")
    pg_port = urllib.parse.urlsplit(args.url).port
    # A server of few slots, so that a client can hold them all.
    pg("sql", "postgres", "ALTER SYSTEM SET max_connections = 60")
    pg("restart")

    config_dir = os.path.join(args.dir, "Config")
    shutil.copytree(os.path.join(REPO, "Config"), config_dir)
    config = os.path.join(config_dir, "ims-gateway.yaml")
    with open(config) as f: text = f.read()
    # Jobs that take a while (each state 1 s), so that faults find some under way.
    text = re.sub(r"^job_delay_ms: .*$", "job_delay_ms: 1000", text, flags=re.M)
    text, n = re.subn(r"^(    url_env: IMS_PG_URL.*)$",
                      rf"\1\n    request_timeout_ms: {args.timeout_ms}\n    connect_timeout_ms: 500\n    max_connections: 8\n"
                      r"    job_lease_seconds: 10", text, flags=re.M)
    if n != 1: sys.exit("faults-pg: no postgres backend with url_env in Config/ims-gateway.yaml")
    with open(config, "w") as f: f.write(text)
    data = os.path.join(args.dir, "shared", "ims.sqlite")
    env = dict(os.environ, IMS_PG_URL=args.url)
    gateways = []
    try:
        gateways = [Gateway("A", args.binary, config, data, env, args.dir), Gateway("B", args.binary, config, data, env, args.dir)]
        shapes = Shapes(gateways[0].base)
        record = Record()
        stop = threading.Event()
        threads = [threading.Thread(target=load, args=(record, shapes, gateways, stop, i, args.upload_bytes), daemon=True)
                   for i in range(args.threads)]
        for t in threads: t.start()
        time.sleep(3)
        faults = []  # (name, began, back)

        def fault(name, start, end, hold):
            record.phase = name
            began = time.monotonic()
            start()
            time.sleep(hold)
            end()
            back = time.monotonic()
            record.phase = name + " (after)"
            faults.append((name, began, back))
            print(f"     {name}: the database was away {back - began:.1f} s", flush=True)
            time.sleep(4)

        holder = Holder(pg_port, database)

        def exhaust():
            holder.fill()
            pg("sql", "postgres", f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{database}' "
                                  "AND application_name <> 'faults-hold' AND pid <> pg_backend_pid()")
            print(f"     exhaust: {holder.fill()} connections hold every slot", flush=True)

        fault("restart", lambda: pg("restart"), lambda: None, 0)
        fault("stall", lambda: pg("signal", "STOP"), lambda: pg("signal", "CONT"), max(args.fault_seconds, timeout * 1.5))
        fault("exhaust", exhaust, holder.release, args.fault_seconds)
        record.phase = "cool-down"
        time.sleep(2)
        stop.set()
        for t in threads: t.join(timeout=120)

        ok = True
        def check(condition, what):
            nonlocal ok
            print(("ok   " if condition else "FAIL ") + what, flush=True)
            ok = ok and condition

        # Answers by phase and status.
        phases = collections.OrderedDict()
        for started, ended, g, dialect, op, status, in_shape, phase in record.answers:
            phases.setdefault(phase, collections.Counter())[status] += 1
        print("     answers by phase and status:")
        for phase, counts in phases.items():
            print(f"       {phase:18} " + ", ".join(f"{s or 'no answer'}: {n}" for s, n in sorted(counts.items())))
        for name, began, back in faults:
            during = [(ended - started, dialect, op, status) for started, ended, _, dialect, op, status, _, _ in record.answers
                      if started < back and ended > began]
            slowest = max(during, default=(0, "-", "-", 0))
            rec = recovery(record, back, [g.name for g in gateways])
            print(f"     {name}: {len(during)} answers during it, slowest {slowest[0] * 1000:.0f} ms ({slowest[1]} {slowest[2]} {slowest[3]}), "
                  f"recovered {'never' if rec is None else f'{rec * 1000:.0f} ms'} after the database was back")
            check(rec is not None and rec <= 1.0, f"{name}: both gateways serve within 1 s of the database's return")
        outside = [(d, o, s) for _, _, _, d, o, s, fits, _ in record.answers if not fits]
        check(not outside, f"{len(record.answers)} answers, {len(outside)} outside the dialect's shape or 500 {collections.Counter(outside).most_common(5)}")
        slow = [(round(e - s, 3), d, o, st) for s, e, _, d, o, st, _, _ in record.answers if e - s > timeout * 1.1]
        slowest = max((e - s for s, e, *_ in record.answers), default=0)
        check(not slow, f"every answer within the timeout + 10% ({timeout * 1.1 * 1000:.0f} ms): {len(slow)} slower {slow[:3]}, "
                        f"slowest {slowest * 1000:.0f} ms")

        # Acknowledged writes, read back once the jobs are done.
        base = gateways[1].base
        for job_id in list(record.deleted):
            for _ in range(600):
                status, job, _ = call(f"{base}/v2/zone/ac1/job/{job_id}", "GET", IDC)
                if status == 200 and job.get("status") in ("successful", "failed"): break
                time.sleep(0.1)
            record.deleted[job_id] = (record.deleted[job_id], job.get("status") if status == 200 else f"HTTP {status}")
        q = urllib.parse.urlencode({"search": 'name ~ "fp-"', "per_page": "all"})
        status, listed, _ = call(f"{base}/api/compute_resources/1/images?{q}", "GET", FOREMAN, timeout=120)
        names = collections.Counter(r["name"] for r in listed["results"]) if status == 200 else collections.Counter()
        listed_ok = status == 200
        # A duplicate keeps the created name (updates go to the acknowledged id only), so a name
        # listed twice is a create stored twice; an id that is not found is a create lost.
        twice = [n for n, c in names.items() if c > 1]
        lost = [n for n, i in record.created.items() if call(f"{base}/api/compute_resources/1/images/{i}", "GET", FOREMAN)[0] != 200]
        renamed = {image: sent for image, sent in record.updates.items() if any(a for _, a in sent)}
        check(listed_ok and not lost and not twice,
              f"{len(record.created)} acknowledged Foreman creates: {len(lost)} lost, {len(twice)} stored twice")
        wrong = []
        for image, sent in renamed.items():
            last = max(i for i, (_, acked) in enumerate(sent) if acked)
            status, now, _ = call(f"{base}/api/compute_resources/1/images/{image}", "GET", FOREMAN)
            if status != 200 or now.get("name") not in [n for n, _ in sent[last:]]: wrong.append((image, now.get("name") if status == 200 else status))
        check(not wrong, f"{len(renamed)} images with acknowledged updates hold the last one (or a later one): {len(wrong)} do not {wrong[:3]}")
        gone = {i for batch, _ in record.deleted.values() for i in batch}
        bad_bytes = []
        for image, md5 in record.uploaded.items():
            if image in gone or image in record.maybe_deleted: continue
            status, body, _ = call(f"{base}/api/image/v1/private-images/{image}/file", "GET", CEC)
            if status != 200 or hashlib.md5(body if isinstance(body, bytes) else json.dumps(body).encode()).hexdigest() != md5:
                bad_bytes.append((image, status))
        check(not bad_bytes, f"{len(set(record.uploaded) - gone - record.maybe_deleted)} acknowledged uploads not deleted since read back whole: "
                             f"{len(bad_bytes)} not {bad_bytes[:3]}")
        unfinished = {j: s for j, (_, s) in record.deleted.items() if s != "successful"}
        left = []
        for batch, _ in record.deleted.values():
            for image in batch:
                status, _, _ = call(f"{base}/api/image/v1/images/{image}", "GET", CEC)
                if status != shapes.missing["cecstack"]: left.append((image, status))
        check(not unfinished and not left, f"{len(record.deleted)} acknowledged 51idc batch deletes: {len(unfinished)} jobs not successful "
                                           f"{list(unfinished.items())[:3]}, {len(left)} images left {left[:3]}")
        if unfinished:
            jobs = ",".join(f"'{j}'" for j in unfinished)
            print("     the unfinished jobs:\n" + pg("sql", database, "SELECT jobid, status, leaseowner, leaseuntil, attempts FROM job "
                                                  f"WHERE jobid IN ({jobs})"))
            print("     the database's sessions:\n" + pg("sql", database, "SELECT pid, state, wait_event_type, wait_event, "
                                                       "now() - xact_start, left(query, 120) FROM pg_stat_activity WHERE datname = current_database()"))
        if not ok: raise SystemExit(1)
        print("faults-pg: all checks passed")
    except BaseException:
        for g in gateways:
            g.log.flush()
            with open(g.log.name, "rb") as f: lines = f.read().decode(errors="replace").splitlines()
            # What went wrong is in the warnings (jobs, the database), not in the request lines.
            worse = [line for line in lines if '"level":"info"' not in line and '"level":"debug"' not in line and " info " not in line]
            print(f"--- gateway {g.name}'s warnings and errors (last 40 of {len(worse)}):", file=sys.stderr)
            for line in worse[-40:]: print(line[:600], file=sys.stderr)
        raise
    finally:
        if os.environ.get("FAULTS_PG_LOGS"):  # where to keep the gateways' logs
            os.makedirs(os.environ["FAULTS_PG_LOGS"], exist_ok=True)
            for g in gateways: shutil.copy(g.log.name, os.environ["FAULTS_PG_LOGS"])
        try: pg("signal", "CONT")
        except Exception: pass
        for g in gateways: g.stop()


if __name__ == "__main__":
    main()
