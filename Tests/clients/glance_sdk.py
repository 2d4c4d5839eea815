"""openstacksdk straight against Glance, without Keystone (scripts/glance's trusted headers).

    python glance_sdk.py URL PROJECT show ID         # the image as openstacksdk reads it, as JSON, its bytes hashed
    python glance_sdk.py URL PROJECT show-meta ID    # the same without the bytes (an image that has none)
    python glance_sdk.py URL PROJECT create NAME FILE [KEY=VALUE ...]   # makes one, uploads FILE; prints it
    python glance_sdk.py URL PROJECT list            # names and ids, every page

A keystoneauth1 `noauth` session carries the headers Glance's `context` filter trusts;
`image_endpoint_override` sends the image service there. Run with .build-venv/glance/bin/python.
"""
import hashlib
import json
import sys

import openstack
from keystoneauth1 import session as ks_session
from keystoneauth1.loading import get_plugin_loader


def connect(url, project):
    auth = get_plugin_loader("none").load_from_options(endpoint=url)
    headers = {
        "X-Identity-Status": "Confirmed",
        "X-User-Id": "openstacksdk",
        "X-Project-Id": project,
        "X-Roles": "admin,member,reader" if project == "admin" else "member,reader",
    }
    sess = ks_session.Session(auth=auth, additional_headers=headers)
    return openstack.connection.Connection(session=sess, image_endpoint_override=url)


def as_json(image):
    return {
        "id": image.id,
        "name": image.name,
        "size": image.size,
        "checksum": image.checksum,
        "hash_algo": image.hash_algo,
        "hash_value": image.hash_value,
        "status": image.status,
        "owner": image.owner,
        "visibility": image.visibility,
        "disk_format": image.disk_format,
        "min_disk": image.min_disk,
        "min_ram": image.min_ram,
        "architecture": image.architecture,
        "os_distro": image.os_distro,
        "os_version": image.os_version,
        "os_type": image.properties.get("os_type"),
        "os_admin_user": image.os_admin_user,
        "properties": {k: v for k, v in image.properties.items() if isinstance(v, str)},
    }


def main(argv):
    url, project, command = argv[1], argv[2], argv[3]
    conn = connect(url, project)
    if command == "show":
        image = conn.image.get_image(argv[4])
        out = as_json(image)
        data = conn.image.download_image(image).content
        out["downloaded_sha512"] = hashlib.sha512(data).hexdigest()
        out["downloaded_size"] = len(data)
        print(json.dumps(out, sort_keys=True))
    elif command == "show-meta":
        print(json.dumps(as_json(conn.image.get_image(argv[4])), sort_keys=True))
    elif command == "create":
        name, path = argv[4], argv[5]
        props = dict(kv.split("=", 1) for kv in argv[6:])
        image = conn.image.create_image(name=name, filename=path, disk_format="raw", container_format="bare",
                                        allow_duplicates=True, wait=True, **props)
        print(json.dumps(as_json(conn.image.get_image(image.id)), sort_keys=True))
    elif command == "list":
        print(json.dumps([[i.name, i.id] for i in conn.image.images()]))
    else:
        raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main(sys.argv)
