"""CECSTACK uploads through real S3 SDKs (boto3, minio-py) against a running gateway.

Each SDK gets only what upload-prepare answers (accessKey, secretKey, token, bucket, file,
domain) and its default settings. Usage: s3_sdks.py http://127.0.0.1:PORT
"""
import hashlib
import io
import json
import os
import socket
import sys
import tempfile
import urllib.parse
import urllib.request

import boto3
import botocore.config
import botocore.exceptions
import minio
from boto3.s3.transfer import TransferConfig

BASE = sys.argv[1].rstrip("/")
CEC = BASE + "/api/image/v1"
HEADERS = {"x-regionid": "r0", "content-type": "application/json", "Authorization": "Bearer cec-demo-token"}
MiB = 1024 * 1024
checks = 0


def check(condition, what):
    global checks
    if not condition:
        raise SystemExit(f"s3-sdks: FAILED: {what}")
    checks += 1


def cec(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(CEC + path, data=data, method=method, headers=HEADERS)
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def new_image(name):
    created = cec("POST", "/private-images", {
        "diskFormat": "raw", "minDisk": 1, "minRam": 512, "name": name, "imageType": "os_image",
        "instruction": "64-bits", "cpuArch": "x86", "osType": "linux", "platform": "other",
        "visibility": "private", "usage": "ecs", "departmentId": "d", "tenantId": "t"})
    return created["data"]["imageId"]


def prepare(image, size):
    data = cec("POST", f"/private-images/{image}/upload-prepare", {"size": size})["data"]
    if os.environ.get("S3_SECRETS"):
        with open(os.environ["S3_SECRETS"], "a") as secrets:
            secrets.write(f"{data['secretKey']}\n{data['token']}\n")
    check(urllib.parse.urlsplit(data["domain"]).path in ("", "/"), f"domain is a bare scheme://host:port: {data['domain']}")
    return data


def done(image, upload_id, result="success"):
    body = {"result": result}
    if upload_id is not None:
        body["uploadId"] = upload_id
    return cec("POST", f"/private-images/{image}/upload-done", body)


def boto(ticket, secret=None, **config):
    return boto3.client("s3", endpoint_url=ticket["domain"], aws_access_key_id=ticket["accessKey"],
                        aws_secret_access_key=secret or ticket["secretKey"], aws_session_token=ticket["token"],
                        config=botocore.config.Config(**config) if config else None)


def error_code(call):
    try:
        call()
    except botocore.exceptions.ClientError as error:
        return error.response["Error"]["Code"]
    return None


def random_file(size):
    handle = tempfile.NamedTemporaryFile(delete=False)
    md5 = hashlib.md5()
    left = size
    while left:
        block = os.urandom(min(left, 4 * MiB))
        md5.update(block)
        handle.write(block)
        left -= len(block)
    handle.close()
    return handle.name, md5.hexdigest()


def download_md5(image):
    request = urllib.request.Request(f"{CEC}/private-images/{image}/file", headers=HEADERS)
    md5 = hashlib.md5()
    with urllib.request.urlopen(request) as answer:
        while block := answer.read(MiB):
            md5.update(block)
    return md5.hexdigest()


def expect_active(image, size, md5, upload_id):
    answer = done(image, upload_id)
    check(answer["code"] == "Success", f"upload-done answers Success: {answer}")
    got = cec("GET", f"/images/{image}")["data"]
    check(got["status"] == "active", f"{image} is active")
    check(got["size"] == size and got["checksum"] == md5, f"{image} has size {size} and MD5 {md5}: {got['size']} {got['checksum']}")
    check(download_md5(image) == md5, f"GET …/file of {image} gives the same bytes")


def expect_continue():
    """A PUT with `Expect: 100-continue` is told to go on before it sends its body."""
    host, port = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port
    with socket.create_connection((host, port), timeout=30) as connection:
        connection.sendall(f"PUT /uploads/img-none HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: 5\r\n"
                           "Expect: 100-continue\r\n\r\n".encode())
        first = connection.recv(64)
    check(first.startswith(b"HTTP/1.1 100 Continue"), f"100 Continue before the body: {first!r}")


def boto3_small_object():
    image = new_image("s3-small")
    body = os.urandom(100_000)
    ticket = prepare(image, len(body))
    s3 = boto(ticket)
    put = s3.put_object(Bucket=ticket["bucket"], Key=ticket["file"], Body=body)
    check(put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest(), "put_object's ETag is the quoted MD5")
    head = s3.head_object(Bucket=ticket["bucket"], Key=ticket["file"])
    check(head["ContentLength"] == len(body) and head["ETag"] == put["ETag"], "head_object gives length and ETag")
    part = s3.get_object(Bucket=ticket["bucket"], Key=ticket["file"], Range="bytes=1000-1999")
    check(part["Body"].read() == body[1000:2000] and part["ContentRange"] == f"bytes 1000-1999/{len(body)}", "get_object with a range")
    check(s3.get_object(Bucket=ticket["bucket"], Key=ticket["file"])["Body"].read() == body, "get_object whole")
    check(s3.get_bucket_location(Bucket=ticket["bucket"])["LocationConstraint"] in (None, ""), "get_bucket_location")
    s3.head_bucket(Bucket=ticket["bucket"])
    check(error_code(lambda: s3.list_objects_v2(Bucket=ticket["bucket"])) == "NotImplemented", "other operations are NotImplemented")
    # boto3 presigns with SigV2 unless told; the endpoint speaks SigV4 only.
    url = boto(ticket, signature_version="s3v4").generate_presigned_url("get_object", Params={"Bucket": ticket["bucket"], "Key": ticket["file"]}, ExpiresIn=300)
    with urllib.request.urlopen(url) as answer:
        check(answer.read() == body, "a presigned GET gives the bytes")
    # The seed's upload-done example sends uploadId "test": accepted (see the README).
    expect_active(image, len(body), hashlib.md5(body).hexdigest(), "test")
    code = error_code(lambda: s3.head_object(Bucket=ticket["bucket"], Key=ticket["file"]))
    check(code in ("403", "InvalidAccessKeyId"), f"upload-done revokes the key pair: {code}")


def boto3_refusals():
    a, b, c = new_image("s3-a"), new_image("s3-b"), new_image("s3-c")
    ta, tb, tc = prepare(a, 10), prepare(b, 10), prepare(c, MiB)
    # Another last character, whatever the real one is (a fixed "x" is the real one 1 time in 26).
    wrong = ta["secretKey"][:-1] + ("y" if ta["secretKey"].endswith("x") else "x")
    code = error_code(lambda: boto(ta, secret=wrong).put_object(Bucket="uploads", Key=a, Body=b"0123456789"))
    check(code == "SignatureDoesNotMatch", f"a wrong secret is SignatureDoesNotMatch: {code}")
    code = error_code(lambda: boto(ta).put_object(Bucket="uploads", Key=b, Body=b"0123456789"))
    check(code == "AccessDenied", f"another image's key is AccessDenied: {code}")
    code = error_code(lambda: boto(tc).put_object(Bucket="uploads", Key=c, Body=os.urandom(2 * MiB)))
    check(code == "EntityTooLarge", f"more than the prepared size is EntityTooLarge: {code}")
    s3 = boto(tc)
    upload = s3.create_multipart_upload(Bucket="uploads", Key=c)["UploadId"]
    s3.upload_part(Bucket="uploads", Key=c, UploadId=upload, PartNumber=1, Body=os.urandom(1000))
    check(len(s3.list_parts(Bucket="uploads", Key=c, UploadId=upload)["Parts"]) == 1, "list_parts lists the part")
    s3.abort_multipart_upload(Bucket="uploads", Key=c, UploadId=upload)
    code = error_code(lambda: s3.list_parts(Bucket="uploads", Key=c, UploadId=upload))
    check(code == "NoSuchUpload", f"an aborted multipart upload is gone: {code}")
    code = error_code(lambda: s3.head_object(Bucket="uploads", Key=c))
    check(code in ("404", "NoSuchKey"), f"nothing was stored: {code}")


def boto3_upload_file(size=64 * MiB):
    image = new_image("s3-boto3-multipart")
    path, md5 = random_file(size)
    ticket = prepare(image, size)
    s3 = boto(ticket)
    s3.upload_file(path, ticket["bucket"], ticket["file"], Config=TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB))
    head = s3.head_object(Bucket=ticket["bucket"], Key=ticket["file"])
    check(head["ETag"].endswith('-%d"' % (size // (8 * MiB))), f"the multipart ETag: {head['ETag']}")
    os.unlink(path)
    expect_active(image, size, md5, ticket["uploadId"])


def boto3_virtual_host():
    image = new_image("s3-virtual")
    ticket = prepare(image, 5)
    host = urllib.parse.urlsplit(ticket["domain"]).hostname
    real = socket.getaddrinfo
    # No DNS here for uploads.<host>: the test resolves it as the gateway's host.
    socket.getaddrinfo = lambda name, *rest: real(host if name == f"uploads.{host}" else name, *rest)
    try:
        s3 = boto(ticket, s3={"addressing_style": "virtual"})
        s3.put_object(Bucket="uploads", Key=ticket["file"], Body=b"12345")
        check(s3.get_object(Bucket="uploads", Key=ticket["file"])["Body"].read() == b"12345", "virtual-host-style addressing")
    finally:
        socket.getaddrinfo = real
    expect_active(image, 5, hashlib.md5(b"12345").hexdigest(), None)


def tls_terminator(target_host, target_port):
    """A TLS front on loopback passing bytes to the gateway, as a proxy in front of it would."""
    import ssl
    import subprocess
    import threading
    folder = tempfile.mkdtemp()
    key, cert = os.path.join(folder, "key.pem"), os.path.join(folder, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-subj", "/CN=localhost", "-days", "1"], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))

    def pipe(source, sink):
        try:
            while block := source.recv(65536):
                sink.sendall(block)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def serve():
        while True:
            client, _ = listener.accept()
            try:
                secure = context.wrap_socket(client, server_side=True)
            except (OSError, ssl.SSLError):
                continue
            upstream = socket.create_connection((target_host, target_port))
            threading.Thread(target=pipe, args=(secure, upstream), daemon=True).start()
            threading.Thread(target=pipe, args=(upstream, secure), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1]


def boto3_over_tls(size=20 * MiB):
    """Over HTTPS botocore sends unsigned aws-chunked bodies with a CRC32 trailer (its default)."""
    image = new_image("s3-tls")
    path, md5 = random_file(size)
    ticket = prepare(image, size)
    gateway = urllib.parse.urlsplit(ticket["domain"])
    port = tls_terminator(gateway.hostname, gateway.port)
    s3 = boto3.client("s3", endpoint_url=f"https://127.0.0.1:{port}", aws_access_key_id=ticket["accessKey"],
                      aws_secret_access_key=ticket["secretKey"], aws_session_token=ticket["token"], verify=False)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s3.put_object(Bucket=ticket["bucket"], Key=ticket["file"], Body=b"x" * 1000)
        s3.upload_file(path, ticket["bucket"], ticket["file"], Config=TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB))
        head = s3.head_object(Bucket=ticket["bucket"], Key=ticket["file"])
    check(head["ContentLength"] == size, "an upload over TLS (unsigned chunked bodies, CRC32 trailers)")
    os.unlink(path)
    expect_active(image, size, md5, ticket["uploadId"])


def minio_fput_object(size=64 * MiB):
    image = new_image("s3-minio")
    path, md5 = random_file(size)
    ticket = prepare(image, size)
    endpoint = urllib.parse.urlsplit(ticket["domain"])
    client = minio.Minio(endpoint.netloc, access_key=ticket["accessKey"], secret_key=ticket["secretKey"],
                         session_token=ticket["token"], secure=endpoint.scheme == "https")
    client.fput_object(ticket["bucket"], ticket["file"], path)
    stat = client.stat_object(ticket["bucket"], ticket["file"])
    check(stat.size == size, "minio stat_object gives the size")
    os.unlink(path)
    expect_active(image, size, md5, ticket["uploadId"])


def big_multipart(size):
    """scripts/upload-rss: one boto3 multipart upload of `size` bytes, then done and download."""
    import time
    image = new_image("s3-big")
    path, md5 = random_file(size)
    ticket = prepare(image, size)
    start = time.monotonic()
    boto(ticket).upload_file(path, ticket["bucket"], ticket["file"],
                             Config=TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB))
    up = time.monotonic() - start
    os.unlink(path)
    check(done(image, ticket["uploadId"])["code"] == "Success", "upload-done answers Success")
    got = cec("GET", f"/images/{image}")["data"]
    check(got["status"] == "active" and got["size"] == size and got["checksum"] == md5, f"stored size and MD5: {got}")
    start = time.monotonic()
    check(download_md5(image) == md5, "GET …/file gives the same bytes")
    down = time.monotonic() - start
    mib = size / MiB
    print(f"upload-rss: {mib:.0f} MiB up through boto3 multipart in {up:.1f} s ({mib / up:.0f} MiB/s), "
          f"down in {down:.1f} s ({mib / down:.0f} MiB/s); checksum {md5} matches")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "big":
        big_multipart(int(sys.argv[3]) * MiB)
    else:
        for test in (expect_continue, boto3_small_object, boto3_refusals, boto3_upload_file, boto3_virtual_host, boto3_over_tls, minio_fput_object):
            test()
            print(f"s3-sdks: {test.__name__} ok")
    print(f"s3-sdks: {checks} checks passed")
