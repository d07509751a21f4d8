#!/usr/bin/env python3
"""Files for the ingest benchmark (docs/benchmarks.md), from DCMTK-made templates.

small N DIR: N distinct ~2.5 KB CT instances, 100 per series, 2 series per study, 2 studies per patient, in folders
of 1,000. large N FRAMES DIR: N slide-like multi-frame instances of 256x256 RGB frames (FRAMES of them, random pixels).
"""
import os, random, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))

def template(dump, out):
    subprocess.run(["dump2dcm", "-q", os.path.join(HERE, dump), out], check=True)
    return open(out, "rb").read()

def put(data, marker, number):
    """Replaces the 10 zero digits after every marker (a UID root or ID prefix; the meta group repeats the SOP UID)."""
    return data.replace(marker + b"0000000000", marker + b"%010d" % number)

def small(n, folder):
    base = template("small.dump", os.path.join(folder, ".template.dcm"))
    rng = random.Random(1)
    pixels = bytes(rng.getrandbits(8) for _ in range(32 * 32))
    # Explicit VR little endian (7FE0,0010) OB with a 4-byte length, then the pixels.
    base += b"\xe0\x7f\x10\x00OB\x00\x00" + len(pixels).to_bytes(4, "little") + pixels
    for i in range(n):
        series, study, patient = i // 100, i // 200, i // 400
        data = put(base, b"1.2.826.0.1.3680043.10.511.9.1.", i)
        data = put(data, b"1.2.826.0.1.3680043.10.511.9.2.", study)
        data = put(data, b"1.2.826.0.1.3680043.10.511.9.3.", series)
        data = put(data, b"1.2.826.0.1.3680043.10.511.9.4.", study)
        data = put(data, b"BENCH-", patient)
        sub = os.path.join(folder, "%03d" % (i // 1000))
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, "%07d" % i), "wb") as f:
            f.write(data)
    os.remove(os.path.join(folder, ".template.dcm"))

def large(n, frames, folder):
    base = template("large.dump", os.path.join(folder, ".template.dcm"))
    i = base.index(b"\x28\x00\x08\x00IS") + 8  # (0028,0008) IS, 2-byte length, then the 10 digits
    base = base[:i] + b"%010d" % frames + base[i + 10:]
    frame = 256 * 256 * 3
    for i in range(n):
        data = put(base, b"1.2.826.0.1.3680043.10.511.9.1.", 9_000_000 + i)
        data = put(data, b"1.2.826.0.1.3680043.10.511.9.3.", 9_000_000 + i)
        with open(os.path.join(folder, "large%03d" % i), "wb") as f:
            f.write(data)
            f.write(b"\xe0\x7f\x10\x00OB\x00\x00" + (frame * frames).to_bytes(4, "little"))
            for _ in range(frames):
                f.write(os.urandom(frame))
    os.remove(os.path.join(folder, ".template.dcm"))

if __name__ == "__main__":
    kind = sys.argv[1]
    os.makedirs(sys.argv[-1], exist_ok=True)
    if kind == "small":
        small(int(sys.argv[2]), sys.argv[3])
    else:
        large(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
