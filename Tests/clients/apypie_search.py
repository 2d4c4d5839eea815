"""Every scoped-search operator through apypie (with its own parameter validation), under
each of the three parents an image list hangs under.

Usage: apypie_search.py BASE_URL
The expected answer of each search is computed here from the images this script makes, so
the gateway's search is judged against Foreman's meaning, not against itself.
"""
import sys
import tempfile

import apypie

base = sys.argv[1]
api = apypie.Api(uri=base, username="admin", password="changeme", api_version=2,
                 apidoc_cache_dir=tempfile.mkdtemp(prefix="apypie-"))
images = api.resource("images")
checks = 0


def check(what, condition, detail=""):
    global checks
    if not condition:
        print(f"apypie-search: FAILED: {what} {detail}")
        sys.exit(1)
    checks += 1


made = []
for name, username, os_id, arch_id, user_data in [
        ("srch-a", "root", 1, 1, False), ("srch-b", "admin", 2, 1, True), ("srch-c", "root", 2, 2, False)]:
    made.append(images.call("create", {"compute_resource_id": 1, "image": {
        "name": name, "username": username, "uuid": f"uuid-{name}", "operatingsystem_id": os_id,
        "architecture_id": arch_id, "user_data": user_data, "password": "never-answered"}}))
check("create never answers the password", all("password" not in m and "never-answered" not in str(m) for m in made))
first_id = made[0]["id"]
by_name = {m["name"]: m for m in made}

# search → which of the made images match (Foreman's meaning)
searches = {
    "name = srch-a": {"srch-a"},
    'name = "srch-a"': {"srch-a"},
    "name != srch-a": {"srch-b", "srch-c"},
    "name ~ srch": {"srch-a", "srch-b", "srch-c"},
    "name !~ -a": {"srch-b", "srch-c"},
    "name ^ (srch-a, srch-c)": {"srch-a", "srch-c"},
    "name !^ (srch-a)": {"srch-b", "srch-c"},
    f"id > {first_id}": {"srch-b", "srch-c"},
    f"id < {first_id + 1}": {"srch-a"},
    "operatingsystem = 2": {"srch-b", "srch-c"},
    "operatingsystem_id = 1": {"srch-a"},
    'operatingsystem_name = "CentOS 9"': {"srch-b", "srch-c"},
    "architecture = 1": {"srch-a", "srch-b"},
    "architecture_name = aarch64": {"srch-c"},
    "compute_resource = libvirt": {"srch-a", "srch-b", "srch-c"},
    "username = root and user_data = false": {"srch-a", "srch-c"},
    "username = root, name = srch-c": {"srch-c"},
    "username = root & architecture = 2": {"srch-c"},
    "name = srch-a or name = srch-b": {"srch-a", "srch-b"},
    "name = srch-a | name = srch-c": {"srch-a", "srch-c"},
    "not name = srch-a": {"srch-b", "srch-c"},
    "! name = srch-b": {"srch-a", "srch-c"},
    "(name = srch-a or name = srch-b) and architecture = 1": {"srch-a", "srch-b"},
    "not (username = root or user_data = true)": set(),
    "set? operatingsystem": {"srch-a", "srch-b", "srch-c"},
    "null? operatingsystem": set(),
    "srch-b": {"srch-b"},
}
parents = {"compute_resource_id": ("compute_resource_id", 1), "operatingsystem_id": ("operatingsystem_id", 2),
           "architecture_id": ("architecture_id", 1)}
for param, (field, value) in parents.items():
    under = {name for name, m in by_name.items() if m[field] == value}
    for search, expected in searches.items():
        answer = images.call("index", {param: value, "search": search, "per_page": 4294967296})
        got = {r["name"] for r in answer["results"] if r["name"].startswith("srch-")}
        check(f"{param}={value}: {search}", got == expected & under, f"got {sorted(got)}, want {sorted(expected & under)}")
        check(f"{param}={value}: {search} (total is the parent's)", answer["subtotal"] <= answer["total"])

try:
    images.call("index", {"compute_resource_id": 1, "search": "name = (srch-a"})
    check("an unbalanced search is refused", False)
except Exception as error:  # apypie raises requests' HTTPError
    response = getattr(error, "response", None)
    check("an unbalanced search is a 400 in Foreman's shape", response is not None and response.status_code == 400
          and "message" in response.json().get("error", {}), str(error))

everything = api.http_call("get", "/api/compute_resources/1/images", {"per_page": "all", "search": "name ~ srch"})
check("per_page=all answers every match", len(everything["results"]) == 3 and everything["per_page"] == everything["total"],
      str(everything.get("per_page")))

for m in made:
    images.call("destroy", {"compute_resource_id": 1, "id": m["id"]})
print(f"apypie-search: {checks} checks passed")
