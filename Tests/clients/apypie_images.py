"""Drives ims-gateway's Foreman dialect with Foreman's own Python client, apypie.

Usage: apypie_images.py BASE_URL
apypie loads /apidoc/v2.json, picks routes from it and calls them as it would call Foreman.
Every answer is checked; the script exits non-zero on the first mismatch.
"""
import sys
import tempfile

import apypie

base = sys.argv[1]
api = apypie.Api(uri=base, username="admin", password="changeme", api_version=2,
                 apidoc_cache_dir=tempfile.mkdtemp(prefix="apypie-"))
images = api.resource("images")
checks = 0


def check(what, condition):
    global checks
    if not condition:
        print(f"apypie: FAILED: {what}")
        sys.exit(1)
    checks += 1
    print(f"apypie: ok: {what}")


check("the apidoc lists the image actions",
      set(images.actions) >= {"index", "show", "create", "update", "destroy"})

created = images.call("create", {"compute_resource_id": 1, "image": {
    "name": "apypie-centos", "username": "root", "uuid": "apypie-uuid-1",
    "architecture_id": 1, "operatingsystem_id": 2, "user_data": True}})
check("create answers the image", created["name"] == "apypie-centos" and created["uuid"] == "apypie-uuid-1")
check("create fills the parents' names", created["compute_resource_name"] == "libvirt"
      and created["operatingsystem_name"] == "CentOS 9" and created["architecture_name"] == "x86_64")
check("create keeps user_data", created["user_data"] is True)
image_id = created["id"]

listed = images.call("index", {"compute_resource_id": 1, "search": "name = apypie-centos"})
check("index finds it by search", listed["subtotal"] == 1 and listed["results"][0]["id"] == image_id)
check("index echoes the search", listed["search"] == "name = apypie-centos")

by_os = images.call("index", {"operatingsystem_id": 2})
check("index under the operating system", any(r["id"] == image_id for r in by_os["results"]))

shown = images.call("show", {"compute_resource_id": 1, "id": image_id})
check("show returns the same image", shown["id"] == image_id and shown["username"] == "root")

updated = images.call("update", {"compute_resource_id": 1, "id": image_id, "image": {"name": "apypie-centos-2"}})
check("update renames it", updated["name"] == "apypie-centos-2")
check("show sees the new name", images.call("show", {"compute_resource_id": 1, "id": image_id})["name"] == "apypie-centos-2")

# per_page=all: apypie validates it against the apidoc's pattern (as Foreman declares it), and
# the answer holds every image, past the one-page default of 20.
for n in range(25):
    images.call("create", {"compute_resource_id": 1, "image": {
        "name": f"apypie-all-{n:02}", "username": "root", "uuid": f"apypie-all-{n}",
        "architecture_id": 1, "operatingsystem_id": 2}})
paged = images.call("index", {"compute_resource_id": 1, "search": "name ~ apypie-all-"})
check("without per_page one page of 20", paged["subtotal"] == 25 and len(paged["results"]) == 20)
everything = images.call("index", {"compute_resource_id": 1, "search": "name ~ apypie-all-", "per_page": "all"})
check("per_page=all answers all 25 matches", len(everything["results"]) == 25
      and sorted(r["name"] for r in everything["results"]) == [f"apypie-all-{n:02}" for n in range(25)])
whole = images.call("index", {"compute_resource_id": 1, "per_page": "all"})
check("per_page=all without a search answers every image", len(whole["results"]) == whole["total"] >= 26)
try:
    images.call("index", {"compute_resource_id": 1, "per_page": "most"})
    check("per_page=most is refused", False)
except Exception as error:
    response = getattr(error, "response", None)
    check("per_page=most is refused", response is not None and response.status_code == 422)

deleted = images.call("destroy", {"compute_resource_id": 1, "id": image_id})
check("destroy answers the deleted image", deleted["id"] == image_id)
try:
    images.call("show", {"compute_resource_id": 1, "id": image_id})
    check("show after destroy is a 404", False)
except Exception as error:  # requests.HTTPError
    response = getattr(error, "response", None)
    check("show after destroy is a 404", response is not None and response.status_code == 404
          and "not found" in response.json()["error"]["message"])

print(f"{checks} passed, 0 failed")
