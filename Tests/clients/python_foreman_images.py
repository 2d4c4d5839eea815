"""python-foreman (PyPI `python-foreman`) against ims-gateway: it finds the Foreman version by
itself (GET /, then /api/status), loads /apidoc/v2.json and generates its methods from it,
then creates, lists, shows, updates and destroys an image.

Usage: python_foreman_images.py BASE_URL
"""
import sys
import tempfile

from foreman.client import Foreman

base = sys.argv[1]
f = Foreman(base, auth=("admin", "changeme"), api_version=2, use_cache=False,
            cache_dir=tempfile.mkdtemp(prefix="python-foreman-"))
checks = 0


def check(what, condition, detail=""):
    global checks
    if not condition:
        print(f"python-foreman: FAILED: {what} {detail}")
        sys.exit(1)
    checks += 1
    print(f"python-foreman: ok: {what}")


check("the version was detected from the gateway", f.version.startswith("3."), f.version)
# python-foreman names the methods of nested routes after their URLs, as it would on Foreman.
crs = f.compute_resources
created = crs.images_create(compute_resource_id=1, image={
    "name": "pyforeman-centos", "username": "root", "uuid": "pyforeman-uuid-1",
    "architecture_id": 1, "operatingsystem_id": 2})
check("create answers the image", created["name"] == "pyforeman-centos" and created["operatingsystem_name"] == "CentOS 9", created)
image_id = created["id"]
listed = crs.images_index(compute_resource_id=1, search='name = "pyforeman-centos"')
check("index finds it", [r["id"] for r in listed["results"]] == [image_id], listed)
shown = crs.images_compute_resource_id_showimages(compute_resource_id=1, id=image_id)
check("show answers it", shown["uuid"] == "pyforeman-uuid-1", shown)
updated = crs.images_compute_resource_id_updateimages(compute_resource_id=1, id=image_id, image={"username": "admin", "user_data": True})
check("update changes it", updated["username"] == "admin" and updated["user_data"] is True, updated)
crs.images_compute_resource_id_destroyimages(compute_resource_id=1, id=image_id)
gone = crs.images_index(compute_resource_id=1, search='name = "pyforeman-centos"')
check("destroy removes it", gone["results"] == [], gone)
oses = f.index_operatingsystems(search='title = "Debian 12"')
check("the catalogue is listed too", [r["id"] for r in oses["results"]] == [1], oses)
print(f"python-foreman: {checks} checks passed")
