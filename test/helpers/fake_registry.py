#!/usr/bin/python3
"""A tiny, deliberately gullible registry for husk's hostile-pull tests.

usage:
  fake_registry.py PORTFILE DIR [--log FILE]
      Serve the distribution API's read side on 127.0.0.1 (a port of the
      kernel's choosing, written to PORTFILE once listening) from DIR:
        GET/HEAD /v2/                       200 {}
        GET/HEAD /v2/NAME/manifests/REF     DIR/NAME/manifests/REF, with the
                                            Content-Type in REF.type (default
                                            OCI manifest); else 404
                                            MANIFEST_UNKNOWN
        GET/HEAD /v2/NAME/blobs/DIGEST      DIR/blobs/DIGEST, whatever it
                                            holds; else 404 BLOB_UNKNOWN
      Sidecar knobs next to any served file F:
        F.length   the Content-Length to announce; bigger than the body means
                   a truncated transfer: the body is sent, then the
                   connection is closed
        F.slow     seconds to sleep before each 64 KiB chunk
        F.digest   the Docker-Content-Digest to send (default: the body's)
      Every request is logged to FILE as one line, flushed at once:
        "GET /v2/x/blobs/sha256:... HTTP/1.1" 200
      Files are read at request time: tests may add images while it runs.

  fake_registry.py --add-image DIR NAME TAG [IMAGE-OPTS] [--layer FILE [LAYER-OPTS]]...
      Write an image into DIR (blobs, config, manifest under TAG) and print
      a JSON summary on stdout: {"manifest", "config", "index" (or null),
      "layers": [{"digest", "real_digest", "diffid", "real_diffid",
      "mediaType", "size"}]}.
      IMAGE-OPTS:
        --config-raw FILE        the config blob is FILE's bytes, as they are
        --extra-diffid           the config lists one diff_id too many
        --schema-version N       manifest schemaVersion (default 2)
        --config-digest STR      the manifest's config digest, as given
        --index-platform OS/ARCH[/VARIANT]  (repeatable) TAG is an OCI index
                                 with one entry per platform, all pointing
                                 at the image manifest (stored by digest)
      LAYER-OPTS (apply to the preceding --layer):
        --media-type MT          default: from the content (gzip/zstd/tar)
        --wrong-digest           the manifest names a digest the content does
                                 not hash to; the blob is served under it
        --wrong-diffid           the config's diff_id is not the tar's
        --truncate N             serve N bytes less than announced
        --slow SECS              sleep SECS before each 64 KiB chunk

  fake_registry.py --tar OUT ENTRY...
      Write a tar (OUT ending in .gz: gzip-compressed, no timestamps) with
      Python's tarfile, PAX format, in the order given. ENTRY:
        f:NAME[=CONTENT]          regular file (CONTENT default empty)
        F:NAME=SIZE               regular file of SIZE random bytes (K/M suffix)
        d:NAME                    directory
        l:NAME=TARGET             symlink
        h:NAME=TARGET             hardlink
        p:NAME=HOSTFILE           regular file with HOSTFILE's content
        x:NAME=K=V[,K=V]...       regular file with PAX xattrs SCHILY.xattr.K=V
        X:NAME=K=V[,K=V]...       directory with PAX xattrs
      Names are stored exactly as given ("../x", "/etc/y" included).

Only ever listens on 127.0.0.1. Stop it with SIGTERM (or SIGKILL).
"""

import gzip
import hashlib
import http.server
import io
import json
import os
import re
import sys
import tarfile
import threading
import time

MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
CHUNK = 64 * 1024
ROUTE = re.compile(r"^/v2/(?P<name>.+)/(?P<kind>manifests|blobs)/(?P<ref>[^/]+)$")


def die(msg):
    sys.stderr.write("fake_registry.py: %s\n" % msg)
    sys.exit(2)


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def read_opt(path, default=None):
    try:
        with open(path, "r") as f:
            return f.read().strip()
    except OSError:
        return default


# ---- the server -------------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-registry/1"
    root = None
    log = None
    log_lock = threading.Lock()

    def log_message(self, fmt, *args):
        pass

    def log_request(self, code="-", size="-"):
        if Handler.log is None:
            return
        with Handler.log_lock:
            line = "".join(c if " " <= c <= "~" else "\\x%02x" % (ord(c) & 0xff)
                           for c in self.requestline[:300])
            Handler.log.write('"%s" %s\n' % (line, code))
            Handler.log.flush()

    def do_HEAD(self):
        self.serve(head=True)

    def do_GET(self):
        self.serve(head=False)

    def error_json(self, status, code, message):
        body = json.dumps({"errors": [{"code": code, "message": message,
                                       "detail": None}]}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def serve(self, head):
        path = self.path.split("?", 1)[0]
        if path in ("/v2", "/v2/"):
            body = b"{}"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Docker-Distribution-API-Version", "registry/2.0")
            self.end_headers()
            if not head:
                self.wfile.write(body)
            return
        m = ROUTE.match(path)
        if not m or ".." in m.group("name").split("/") or \
                m.group("ref") in (".", "..") or m.group("ref").endswith(
                    (".type", ".length", ".slow", ".digest")):
            self.error_json(404, "NAME_UNKNOWN", "repository name not known "
                            "to registry")
            return
        if m.group("kind") == "manifests":
            f = os.path.join(Handler.root, m.group("name"), "manifests",
                             m.group("ref"))
            if not os.path.isfile(f):
                self.error_json(404, "MANIFEST_UNKNOWN", "manifest unknown")
                return
            ctype = read_opt(f + ".type", MT_OCI_MANIFEST)
        else:
            f = os.path.join(Handler.root, "blobs", m.group("ref"))
            if not os.path.isfile(f):
                self.error_json(404, "BLOB_UNKNOWN", "blob unknown to registry")
                return
            ctype = "application/octet-stream"
        self.send_file(f, ctype, head)

    def send_file(self, f, ctype, head):
        with open(f, "rb") as fh:
            body = fh.read()
        length = int(read_opt(f + ".length", len(body)))
        slow = float(read_opt(f + ".slow", 0))
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.send_header("Docker-Content-Digest",
                         read_opt(f + ".digest", sha256(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        if length != len(body):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if head:
            return
        try:
            for off in range(0, len(body), CHUNK):
                if slow:
                    time.sleep(slow)
                self.wfile.write(body[off:off + CHUNK])
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up mid-transfer is what tests do


def serve(argv):
    log = None
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--log":
            if i + 1 >= len(argv):
                die("--log needs a file")
            log = argv[i + 1]
            i += 2
            continue
        args.append(argv[i])
        i += 1
    if len(args) != 2:
        die("usage: fake_registry.py PORTFILE DIR [--log FILE]")
    portfile, root = args
    Handler.root = os.path.abspath(root)
    if log:
        Handler.log = open(log, "a", buffering=1)
    srv = Server(("127.0.0.1", 0), Handler)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, portfile)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


# ---- building images --------------------------------------------------

def media_type_of(data):
    if data[:2] == b"\x1f\x8b":
        return MT_LAYER_TAR + "+gzip"
    if data[:4] == b"\x28\xb5\x2f\xfd":
        return MT_LAYER_TAR + "+zstd"
    return MT_LAYER_TAR


def diffid_of(data, mt):
    """The sha256 of the uncompressed tar; of the raw bytes if unreadable."""
    try:
        if mt.endswith("+gzip"):
            return sha256(gzip.decompress(data))
        if mt.endswith("+zstd"):
            import subprocess
            out = subprocess.run(["zstd", "-dc"], input=data,
                                 capture_output=True, check=True).stdout
            return sha256(out)
    except Exception:
        return sha256(data)
    return sha256(data)


def put_blob(root, digest, data, knobs=None):
    d = os.path.join(root, "blobs")
    os.makedirs(d, exist_ok=True)
    f = os.path.join(d, digest)
    with open(f, "wb") as fh:
        fh.write(data)
    for k, v in (knobs or {}).items():
        with open(f + "." + k, "w") as fh:
            fh.write("%s\n" % v)


def put_manifest(root, name, ref, data, mt):
    d = os.path.join(root, name, "manifests")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, ref), "wb") as fh:
        fh.write(data)
    with open(os.path.join(d, ref + ".type"), "w") as fh:
        fh.write(mt + "\n")


def wrong(digest):
    """A valid-looking digest that is not DIGEST."""
    return sha256(b"not " + digest.encode())


def add_image(argv):
    if len(argv) < 3:
        die("usage: --add-image DIR NAME TAG [opts] [--layer FILE [opts]]...")
    root, name, tag = argv[:3]
    img = {"config_raw": None, "extra_diffid": False, "schema": 2,
           "config_digest": None, "platforms": []}
    layers = []
    it = iter(argv[3:])
    for a in it:
        try:
            if a == "--layer":
                layers.append({"file": next(it), "mt": None, "wrong_digest":
                               False, "wrong_diffid": False, "truncate": 0,
                               "slow": None})
            elif a in ("--media-type", "--wrong-digest", "--wrong-diffid",
                       "--truncate", "--slow"):
                if not layers:
                    die("%s must follow a --layer" % a)
                L = layers[-1]
                if a == "--media-type":
                    L["mt"] = next(it)
                elif a == "--wrong-digest":
                    L["wrong_digest"] = True
                elif a == "--wrong-diffid":
                    L["wrong_diffid"] = True
                elif a == "--truncate":
                    L["truncate"] = int(next(it))
                else:
                    L["slow"] = next(it)
            elif a == "--config-raw":
                with open(next(it), "rb") as fh:
                    img["config_raw"] = fh.read()
            elif a == "--extra-diffid":
                img["extra_diffid"] = True
            elif a == "--schema-version":
                img["schema"] = int(next(it))
            elif a == "--config-digest":
                img["config_digest"] = next(it)
            elif a == "--index-platform":
                img["platforms"].append(next(it))
            else:
                die("unknown option '%s'" % a)
        except StopIteration:
            die("%s needs a value" % a)

    out_layers, descs, diffids = [], [], []
    for L in layers:
        with open(L["file"], "rb") as fh:
            data = fh.read()
        mt = L["mt"] or media_type_of(data)
        real = sha256(data)
        digest = wrong(real) if L["wrong_digest"] else real
        real_diffid = diffid_of(data, media_type_of(data))
        diffid = wrong(real_diffid) if L["wrong_diffid"] else real_diffid
        knobs = {}
        body = data
        if L["truncate"]:
            body = data[:max(0, len(data) - L["truncate"])]
            knobs["length"] = len(data)
        if L["slow"]:
            knobs["slow"] = L["slow"]
        put_blob(root, digest, body, knobs)
        descs.append({"mediaType": mt, "digest": digest, "size": len(data)})
        diffids.append(diffid)
        out_layers.append({"digest": digest, "real_digest": real,
                           "diffid": diffid, "real_diffid": real_diffid,
                           "mediaType": mt, "size": len(data)})
    if img["extra_diffid"]:
        diffids.append(sha256(b"one diff_id too many"))

    if img["config_raw"] is not None:
        config = img["config_raw"]
    else:
        config = json.dumps({
            "architecture": "amd64", "os": "linux",
            "created": "2023-11-14T22:13:20Z",
            "config": {"Cmd": ["/bin/sh"],
                       "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]},
            "rootfs": {"type": "layers", "diff_ids": diffids},
            "history": [{"created": "2023-11-14T22:13:20Z"}] * len(layers),
        }, sort_keys=True).encode()
    config_digest = sha256(config)
    put_blob(root, config_digest, config)

    manifest = json.dumps({
        "schemaVersion": img["schema"], "mediaType": MT_OCI_MANIFEST,
        "config": {"mediaType": MT_OCI_CONFIG,
                   "digest": img["config_digest"] or config_digest,
                   "size": len(config)},
        "layers": descs,
    }, sort_keys=True).encode()
    mdigest = sha256(manifest)
    index_digest = None
    if img["platforms"]:
        put_manifest(root, name, mdigest, manifest, MT_OCI_MANIFEST)
        entries = []
        for p in img["platforms"]:
            parts = p.split("/")
            plat = {"os": parts[0], "architecture": parts[1]}
            if len(parts) > 2:
                plat["variant"] = parts[2]
            entries.append({"mediaType": MT_OCI_MANIFEST, "digest": mdigest,
                            "size": len(manifest), "platform": plat})
        index = json.dumps({"schemaVersion": 2, "mediaType": MT_OCI_INDEX,
                            "manifests": entries}, sort_keys=True).encode()
        index_digest = sha256(index)
        put_manifest(root, name, tag, index, MT_OCI_INDEX)
    else:
        put_manifest(root, name, tag, manifest, MT_OCI_MANIFEST)
    json.dump({"manifest": mdigest, "config": config_digest,
               "index": index_digest, "layers": out_layers}, sys.stdout)
    sys.stdout.write("\n")


# ---- building tars ----------------------------------------------------

def size_of(s):
    mult = {"K": 1024, "M": 1024 * 1024}.get(s[-1:].upper(), 1)
    return int(s[:-1] if mult > 1 else s) * mult


def make_tar(argv):
    if len(argv) < 1:
        die("usage: --tar OUT ENTRY...")
    out, entries = argv[0], argv[1:]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for spec in entries:
            kind, _, rest = spec.partition(":")
            name, _, val = rest.partition("=")
            ti = tarfile.TarInfo(name)
            ti.mtime = 1700000000
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            data = None
            if kind == "f":
                data = val.encode()
                ti.mode = 0o644
            elif kind == "F":
                data = os.urandom(size_of(val))
                ti.mode = 0o644
            elif kind == "p":
                with open(val, "rb") as fh:
                    data = fh.read()
                ti.mode = 0o644
            elif kind == "d":
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
            elif kind == "l":
                ti.type = tarfile.SYMTYPE
                ti.linkname = val
                ti.mode = 0o777
            elif kind == "h":
                ti.type = tarfile.LNKTYPE
                ti.linkname = val
                ti.mode = 0o644
            elif kind in ("x", "X"):
                if kind == "x":
                    data = b"xattrs\n"
                    ti.mode = 0o644
                else:
                    ti.type = tarfile.DIRTYPE
                    ti.mode = 0o755
                for kv in val.split(","):
                    k, _, v = kv.partition("=")
                    ti.pax_headers["SCHILY.xattr." + k] = v
            else:
                die("bad entry '%s'" % spec)
            if data is not None:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            else:
                t.addfile(ti)
    raw = buf.getvalue()
    if out.endswith(".gz"):
        raw = gzip.compress(raw, mtime=0)
    with open(out, "wb") as fh:
        fh.write(raw)


def main():
    argv = sys.argv[1:]
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(__doc__)
        return
    if argv[0] == "--add-image":
        add_image(argv[1:])
    elif argv[0] == "--tar":
        make_tar(argv[1:])
    else:
        serve(argv)


if __name__ == "__main__":
    main()
