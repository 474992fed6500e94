#!/usr/bin/python3
"""Stack one new layer on an image of a registry and push the result.

usage: /usr/bin/python3 test/helpers/layer_push.py REGISTRY BASE NEW
           [--config KEY=JSON]... ENTRY...

REGISTRY is HOST:PORT (plain HTTP, e.g. $HUSK_REG_PLAIN); BASE and NEW are
repository[:tag] names (tag default latest). BASE must be a single OCI or
Docker schema2 image. Its layers are cross-mounted into NEW (or copied when
the registry declines), the new layer (gzip, mtime 1700000000) is uploaded,
the config gets the layer's diff_id plus every --config KEY=JSON (a key of
the image's "config" object, e.g. --config 'Entrypoint=["/bin/echo"]'), and
the manifest is put as NEW. Prints NEW's manifest digest.

ENTRY (each parent directory must be given first when it is not in BASE):
  f:PATH=HOSTFILE[:MODE[:UID[:GID]]]   regular file with HOSTFILE's bytes
                                       (MODE octal, default 0755)
  t:PATH=TEXT                          regular file with TEXT, mode 0644
  d:PATH[:MODE]                        directory (default 0755)
  l:PATH=TARGET                        symlink
"""

import gzip
import hashlib
import io
import json
import sys
import tarfile
import urllib.error
import urllib.parse
import urllib.request

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
OCI_LAYER_GZ = "application/vnd.oci.image.layer.v1.tar+gzip"
MTIME = 1700000000


def die(msg):
    sys.stderr.write("layer_push.py: %s\n" % msg)
    sys.exit(1)


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def split_ref(ref):
    name, _, tag = ref.rpartition(":")
    if not name or "/" in tag:
        return ref, "latest"
    return name, tag


class Reg:
    def __init__(self, host):
        self.base = "http://%s" % host
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}))

    def req(self, method, path, data=None, headers=None, ok=(200,)):
        url = urllib.parse.urljoin(self.base, path)
        r = urllib.request.Request(url, data=data, method=method,
                                   headers=headers or {})
        try:
            resp = self.opener.open(r, timeout=60)
            st, h, body = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            st, h, body = e.code, e.headers, e.read()
        if st not in ok:
            die("%s %s: HTTP %d: %s" % (method, url, st,
                                       body[:300].decode("utf-8", "replace")))
        return st, h, body

    def upload(self, repo, data):
        d = digest(data)
        st, _, _ = self.req("HEAD", "/v2/%s/blobs/%s" % (repo, d),
                            ok=(200, 404))
        if st == 200:
            return d
        _, h, _ = self.req("POST", "/v2/%s/blobs/uploads/" % repo, b"",
                           ok=(202,))
        loc = h["Location"]
        loc += ("&" if "?" in loc else "?") + "digest=" + urllib.parse.quote(d)
        self.req("PUT", loc, data,
                 {"Content-Type": "application/octet-stream"}, ok=(201,))
        return d

    def mount(self, repo, frm, d):
        st, _, _ = self.req(
            "POST", "/v2/%s/blobs/uploads/?mount=%s&from=%s" % (
                repo, urllib.parse.quote(d), urllib.parse.quote(frm)),
            b"", ok=(201, 202))
        if st == 201:
            return
        _, _, blob = self.req("GET", "/v2/%s/blobs/%s" % (frm, d))
        self.upload(repo, blob)


def layer_tar(entries):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            kind, _, rest = e.partition(":")
            path, _, val = rest.partition("=")
            ti = tarfile.TarInfo(path.lstrip("/"))
            ti.mtime = MTIME
            data = None
            if kind == "f":
                src, *meta = val.split(":")
                with open(src, "rb") as f:
                    data = f.read()
                ti.mode = int(meta[0], 8) if meta else 0o755
                ti.uid = int(meta[1]) if len(meta) > 1 else 0
                ti.gid = int(meta[2]) if len(meta) > 2 else 0
            elif kind == "t":
                data = val.encode()
                ti.mode = 0o644
            elif kind == "d":
                p, _, mode = rest.partition(":")
                ti.name = p.lstrip("/")
                ti.type = tarfile.DIRTYPE
                ti.mode = int(mode, 8) if mode else 0o755
            elif kind == "l":
                ti.type = tarfile.SYMTYPE
                ti.linkname = val
                ti.mode = 0o777
            else:
                die("unknown entry '%s'" % e)
            if data is not None:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            else:
                t.addfile(ti)
    return raw.getvalue()


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    reg = Reg(argv[0])
    base, btag = split_ref(argv[1])
    new, ntag = split_ref(argv[2])
    sets, entries = [], []
    it = iter(argv[3:])
    for a in it:
        if a == "--config":
            k, _, v = next(it).partition("=")
            sets.append((k, json.loads(v)))
        else:
            entries.append(a)
    _, _, mb = reg.req("GET", "/v2/%s/manifests/%s" % (base, btag), headers={
        "Accept": "%s, %s" % (OCI_MANIFEST, DOCKER_MANIFEST)})
    man = json.loads(mb)
    if man.get("mediaType") not in (OCI_MANIFEST, DOCKER_MANIFEST):
        die("%s:%s is not a single image" % (base, btag))
    _, _, cb = reg.req("GET", "/v2/%s/blobs/%s" % (base, man["config"]["digest"]))
    cfg = json.loads(cb)
    for l in man["layers"]:
        reg.mount(new, base, l["digest"])
    tar = layer_tar(entries)
    gz = gzip.compress(tar, compresslevel=6, mtime=0)
    ld = reg.upload(new, gz)
    cfg["rootfs"]["diff_ids"].append(digest(tar))
    for k, v in sets:
        cfg.setdefault("config", {})[k] = v
    cbytes = json.dumps(cfg, sort_keys=True).encode()
    man["config"] = {"mediaType": man["config"]["mediaType"],
                     "digest": reg.upload(new, cbytes), "size": len(cbytes)}
    man["layers"].append({"mediaType": OCI_LAYER_GZ if man["mediaType"] ==
                          OCI_MANIFEST else
                          "application/vnd.docker.image.rootfs.diff.tar.gzip",
                          "digest": ld, "size": len(gz)})
    mbytes = json.dumps(man, sort_keys=True).encode()
    reg.req("PUT", "/v2/%s/manifests/%s" % (new, ntag), mbytes,
            {"Content-Type": man["mediaType"]}, ok=(201,))
    print(digest(mbytes))


if __name__ == "__main__":
    main(sys.argv[1:])
