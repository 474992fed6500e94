#!/usr/bin/python3
"""Turn a Debian rootfs tar into a one-layer OCI image (gzip and zstd).

usage: /usr/bin/python3 bench/mkimage.py RAW.tar OUTDIR

RAW.tar is what mmdebstrap (or `tar -C ROOTFS -cf - .`) wrote. The layer is
that tar normalised the way Debian's official images are: "./" prefixes
dropped, the root entry dropped, /dev left empty (no device nodes, which a
rootless unpacker cannot create anyway), numeric owners only, in the
original order. It is compressed once with `gzip -n` (level 6, no name or
time in the header) and once with `zstd` (level 3), and written as an OCI
layout in OUTDIR with two images, in the expected.json format that
test/fixtures/push.py reads:

    husk/debian:gzip    layer application/vnd.oci.image.layer.v1.tar+gzip
    husk/debian:zstd    layer application/vnd.oci.image.layer.v1.tar+zstd

Both share one config (same diff_id). OUTDIR/layer.tar keeps the
uncompressed layer (for the "write alone" floor) and OUTDIR/info.json names
the blobs and sizes. OUTDIR is written as OUTDIR.tmp and renamed at the end,
so an interrupted run leaves nothing that looks finished.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return "sha256:" + h.hexdigest()


def normalise(raw, out):
    """Copy RAW to OUT with the changes described above; returns entry count."""
    n = 0
    with tarfile.open(raw, "r:") as src, \
            tarfile.open(out, "w:", format=tarfile.PAX_FORMAT) as dst:
        for ti in src:
            name = ti.name
            while name.startswith("./"):
                name = name[2:]
            name = name.rstrip("/")
            if name in ("", "."):
                continue
            if name.startswith("dev/"):
                continue
            if ti.ischr() or ti.isblk():
                continue
            ti.name = name
            if ti.islnk():
                ln = ti.linkname
                while ln.startswith("./"):
                    ln = ln[2:]
                ti.linkname = ln
            ti.uname = ""
            ti.gname = ""
            # keep xattrs (pax headers) as they were
            if ti.isfile():
                f = src.extractfile(ti)
                dst.addfile(ti, f)
            else:
                dst.addfile(ti)
            n += 1
    return n


def put_blob(blobdir, data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobdir, d[7:]), "wb") as f:
        f.write(data)
    return d, len(data)


def compress(cmd, src, dst):
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        subprocess.run(cmd, stdin=fi, stdout=fo, check=True)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    raw, outdir = argv
    tmp = outdir + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    blobdir = os.path.join(tmp, "blobs", "sha256")
    os.makedirs(blobdir)
    layer = os.path.join(tmp, "layer.tar")
    entries = normalise(raw, layer)
    diffid = sha256_file(layer)
    usize = os.path.getsize(layer)

    layers = {}
    for kind, cmd, media in (("gzip", ["gzip", "-n", "-6", "-c"], LAYER_GZIP),
                             ("zstd", ["zstd", "-q", "-3", "-c"], LAYER_ZSTD)):
        part = os.path.join(tmp, "layer." + kind)
        compress(cmd, layer, part)
        d = sha256_file(part)
        size = os.path.getsize(part)
        os.rename(part, os.path.join(blobdir, d[7:]))
        layers[kind] = {"mediaType": media, "digest": d, "size": size}

    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": "2023-11-14T22:13:20Z",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["bash"],
        },
        "rootfs": {"type": "layers", "diff_ids": [diffid]},
        "history": [{"created": "2023-11-14T22:13:20Z",
                     "created_by": "mmdebstrap --variant=minbase bookworm (husk bench)"}],
    }
    cdata = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    cdig, csize = put_blob(blobdir, cdata)

    images, index, info = {}, [], {"diffid": diffid, "uncompressed_size": usize,
                                   "entries": entries, "config": cdig}
    for kind, lay in layers.items():
        m = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
             "config": {"mediaType": OCI_CONFIG, "digest": cdig, "size": csize},
             "layers": [lay]}
        mdata = json.dumps(m, sort_keys=True, separators=(",", ":")).encode()
        mdig, msize = put_blob(blobdir, mdata)
        images["debian-" + kind] = {
            "repository": "husk/debian", "tag": kind,
            "ref": "husk/debian:" + kind, "mediaType": OCI_MANIFEST,
            "digest": mdig, "size": msize}
        index.append({"mediaType": OCI_MANIFEST, "digest": mdig, "size": msize,
                      "annotations": {"org.opencontainers.image.ref.name":
                                      "husk/debian:" + kind}})
        info[kind] = dict(lay, manifest=mdig)

    with open(os.path.join(tmp, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(tmp, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": OCI_INDEX,
                   "manifests": index}, f, indent=1)
    with open(os.path.join(tmp, "expected.json"), "w") as f:
        json.dump({"version": 1, "images": images}, f, indent=1)
    with open(os.path.join(tmp, "info.json"), "w") as f:
        json.dump(info, f, indent=1)
    shutil.rmtree(outdir, ignore_errors=True)
    os.rename(tmp, outdir)
    sys.stderr.write("mkimage: %s: %d entries, tar %.1f MB, gzip %.1f MB, zstd %.1f MB\n"
                     % (outdir, entries, usize / 1e6, layers["gzip"]["size"] / 1e6,
                        layers["zstd"]["size"] / 1e6))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
