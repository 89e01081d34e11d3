#!/usr/bin/env python3
"""Writes the NumPyIO test fixtures with NumPy: .npy/.npz files plus manifest.json with expected values.

Run from anywhere: python3 tools/make_npy_fixtures.py
Expected values are what NumPy itself loads, written as strings: floats with float.hex() (exact,
'nan'/'inf' included), integers in decimal. dtype is what onnxgrad maps the array to.
Golden files are plain np.save output of arrays built from formulas the Swift tests repeat:
  float: value[i] = (i % 97) * 0.25 - 5      int64: value[i] = i * 3 - 50
"""
import io
import json
import os
import struct
import sys
import warnings
import zipfile

import numpy as np
from numpy.lib import format as npformat

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "NumPyIOTests", "Fixtures")


def target_dtype(dt):
    if dt.kind == "f":
        return "float64" if dt.itemsize == 8 else "float32"
    return "bool" if dt.kind == "b" else "int64"


def values(arr):
    flat = np.ascontiguousarray(arr).reshape(-1)
    if arr.dtype.kind == "f":
        return [float(x).hex() for x in flat.astype(np.float64)]
    return [str(int(x)) for x in flat]


def expect(arr):
    return {"dtype": target_dtype(arr.dtype), "shape": list(arr.shape), "values": values(arr)}


cases, npz_cases, golden = [], [], []


def save(name, arr, version=None):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        npformat.write_array(f, arr, version=version)
    loaded = np.load(path)  # the reference is what NumPy reads back
    assert loaded.dtype == arr.dtype and loaded.shape == arr.shape
    cases.append({"file": name, **expect(loaded)})


def bad(name, data, kind, contains):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    cases.append({"file": name, "error": kind, "contains": contains})


def raw_npy(header_text, data=b"", version=(1, 0)):
    """An .npy file with an arbitrary header text (padded like NumPy pads)."""
    h = header_text.encode("latin1" if version < (3, 0) else "utf8")
    fmt = "<H" if version == (1, 0) else "<I"
    pre = 8 + struct.calcsize(fmt)
    pad = 64 - (pre + len(h) + 1) % 64
    return b"\x93NUMPY" + bytes(version) + struct.pack(fmt, len(h) + pad + 1) + h + b" " * pad + b"\n" + data


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    rng = np.random.default_rng(20240601)

    # Floats, with the special values that must survive bit for bit.
    f4 = rng.standard_normal((2, 3)).astype("<f4")
    f4[0, 1], f4[1, 0], f4[1, 2] = np.nan, np.inf, -0.0
    save("f4_2x3.npy", f4)
    save("f8_3x4x2.npy", rng.standard_normal((3, 4, 2)))
    f2 = np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1e-5, 6e-8, np.inf, -np.inf, 0.333], dtype="<f2")
    save("f2_10.npy", f2)
    save("f2_be_2x2.npy", np.array([[1.5, -3.0], [1e-4, 100.0]], dtype=">f2"))
    save("f4_be_3.npy", np.array([1.0, -2.25, 3.5e30], dtype=">f4"))
    save("f8_be_2x2.npy", rng.standard_normal((2, 2)).astype(">f8"))

    # Versions 2.0 and 3.0 (NumPy only picks them for huge headers, so ask for them).
    save("v2_f8_4.npy", np.array([1.0, 2.0, -3.0, 0.5]), version=(2, 0))
    save("v3_f4_2x2.npy", np.array([[1, 2], [3, 4]], dtype="<f4"), version=(3, 0))

    # Fortran order, 2-D and 3-D, float and int, and big endian too.
    save("fortran_f4_3x4.npy", np.asfortranarray(np.arange(12, dtype="<f4").reshape(3, 4) / 8))
    save("fortran_i2_2x3x4.npy", np.asfortranarray(np.arange(24, dtype="<i2").reshape(2, 3, 4) - 12))
    save("fortran_be_f8_2x3.npy", np.asfortranarray(np.arange(6, dtype=">f8").reshape(2, 3) * 1.5))

    # Integers and bool.
    save("i1_5.npy", np.array([-128, -1, 0, 1, 127], dtype="|i1"))
    save("i2_4.npy", np.array([-32768, -2, 3, 32767], dtype="<i2"))
    save("i4_2x2.npy", np.array([[-2**31, -5], [7, 2**31 - 1]], dtype="<i4"))
    save("i8_3.npy", np.array([-2**63, 42, 2**63 - 1], dtype="<i8"))
    save("i8_be_3.npy", np.array([-2**63, -42, 2**62 + 3], dtype=">i8"))
    save("i4_be_2.npy", np.array([-70000, 70000], dtype=">i4"))
    save("u1_4.npy", np.array([0, 1, 200, 255], dtype="|u1"))
    save("u2_be_3.npy", np.array([0, 300, 65535], dtype=">u2"))
    save("u4_3.npy", np.array([0, 70000, 2**32 - 1], dtype="<u4"))
    save("u8_3.npy", np.array([0, 12345678901234, 2**63 - 1], dtype="<u8"))
    save("bool_2x3.npy", np.array([[True, False, True], [False, False, True]]))

    # Shapes: scalar, (N,), 0-size, 3-D.
    save("scalar_f8.npy", np.array(3.25))
    save("scalar_i8.npy", np.array(-7, dtype="<i8"))
    save("empty_f4_0.npy", np.zeros((0,), dtype="<f4"))
    save("empty_f8_0x3.npy", np.zeros((0, 3)))
    save("empty_f4_4x0x2.npy", np.zeros((4, 0, 2), dtype="<f4"))
    save("f4_2x3x4.npy", (np.arange(24, dtype="<f4").reshape(2, 3, 4) - 10) / 4)

    # Hand-written headers NumPy also loads: other key order, double quotes, no trailing comma,
    # extra spaces, descr without the byte-order mark.
    data = np.array([1.0, -2.0], dtype="<f8").tobytes()
    for i, text in enumerate([
        '{"shape":(2,),"fortran_order":False,"descr":"<f8"}',
        "{ 'fortran_order' : False , 'descr' : 'f8' , 'shape' : ( 2 , ) , }",
        "{'descr': '<f8',\n 'fortran_order': False,\t'shape': (2,)}",
        "{'shape': (2,), 'descr': '<f8', 'fortran_order': False, }",
    ]):
        name = f"header_style_{i}.npy"
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(raw_npy(text, data))
        loaded = np.load(os.path.join(OUT, name))
        assert loaded.tolist() == [1.0, -2.0], text
        cases.append({"file": name, **expect(loaded)})
    # fortran_order True written by hand.
    fdata = np.arange(6, dtype="<i4").reshape(2, 3).T.copy().tobytes()  # column-major bytes of a 2x3 array
    name = "header_fortran_true.npy"
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(raw_npy("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", fdata))
    loaded = np.load(os.path.join(OUT, name))
    assert loaded.tolist() == [[0, 1, 2], [3, 4, 5]]
    cases.append({"file": name, **expect(loaded)})

    # Malformed and refused files.
    good = open(os.path.join(OUT, "f8_3x4x2.npy"), "rb").read()
    bad("bad_truncated_data.npy", good[:-10], "truncated", "bytes of data")
    bad("bad_truncated_header.npy", good[:40], "truncated", "header length")
    bad("bad_magic.npy", b"PK\x03\x04" + good[4:], "notNPY", "magic bytes are 50 4b 03 04")
    bad("bad_empty.npy", b"", "notNPY", "empty")
    bad("bad_version.npy", good[:6] + b"\x04\x00" + good[8:], "notNPY", "version 4.0")
    bad("bad_header_syntax.npy", raw_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,", data), "badHeader", "bad header")
    bad("bad_header_not_dict.npy", raw_npy("[1, 2, 3]", data), "badHeader", "expected a dict")
    bad("bad_header_missing_key.npy", raw_npy("{'descr': '<f8', 'shape': (2,), }", data), "badHeader", "missing key 'fortran_order'")
    bad("bad_header_extra_key.npy", raw_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1, }", data), "badHeader", "unexpected key 'x'")
    bad("bad_header_shape.npy", raw_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, -1), }", data), "badHeader", "'shape'")
    bad("bad_header_order.npy", raw_npy("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }", data), "badHeader", "fortran_order")
    obj = io.BytesIO()
    np.save(obj, np.array([1, "a", None], dtype=object), allow_pickle=True)
    bad("bad_object.npy", obj.getvalue(), "unsupportedDType", "'|O' (Python objects)")
    c16 = io.BytesIO()
    np.save(c16, np.array([1 + 2j]))
    bad("bad_complex.npy", c16.getvalue(), "unsupportedDType", "'<c16' (complex); onnxgrad reads f2/f4/f8, integer and bool arrays")
    s = io.BytesIO()
    np.save(s, np.array(["ab", "c"]))
    bad("bad_unicode.npy", s.getvalue(), "unsupportedDType", "(string)")
    rec = io.BytesIO()
    np.save(rec, np.zeros(2, dtype=[("a", "<f4"), ("b", "<i8")]))
    bad("bad_structured.npy", rec.getvalue(), "unsupportedDType", "(structured)")
    ld = io.BytesIO()
    np.save(ld, np.zeros(2, dtype=np.longdouble))
    bad("bad_longdouble.npy", ld.getvalue(), "unsupportedDType", "unsupported dtype")
    dt = io.BytesIO()
    np.save(dt, np.array(["2020-01-01"], dtype="datetime64[D]"))
    bad("bad_datetime.npy", dt.getvalue(), "unsupportedDType", "(datetime)")
    bad("bad_u8_overflow.npy", raw_npy("{'descr': '<u8', 'fortran_order': False, 'shape': (2,), }",
                                        np.array([1, 2**63], dtype="<u8").tobytes()), "valueOutOfRange", "9223372036854775808")

    # .npz archives as NumPy writes them.
    a = rng.standard_normal((3, 2)).astype("<f4")
    b = np.arange(5, dtype="<i8") - 2
    c = np.array(2.5)
    for name, writer in [("stored.npz", np.savez), ("compressed.npz", np.savez_compressed)]:
        path = os.path.join(OUT, name)
        writer(path, a=a, b=b, c=c)
        with np.load(path) as z:
            npz_cases.append({"file": name, "members": [{"name": k, **expect(z[k])} for k in z.files]})
    big = np.arange(3000, dtype="<f8") % 7  # compresses well
    np.savez_compressed(os.path.join(OUT, "compressed_big.npz"), x=big)
    npz_cases.append({"file": "compressed_big.npz", "members": [{"name": "x", **expect(big)}]})

    # zip64 records everywhere (NumPy writes them past 4 GiB): shrink zipfile's limits while saving.
    saved = zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT
    zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = 16, 0
    try:
        np.savez(os.path.join(OUT, "zip64.npz"), a=a, b=b)
    finally:
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = saved
    raw = open(os.path.join(OUT, "zip64.npz"), "rb").read()
    assert b"PK\x06\x06" in raw and b"PK\x06\x07" in raw, "expected zip64 end records"
    with np.load(os.path.join(OUT, "zip64.npz")) as z:
        npz_cases.append({"file": "zip64.npz", "members": [{"name": k, **expect(z[k])} for k in z.files]})

    # Damaged archives.
    stored = open(os.path.join(OUT, "stored.npz"), "rb").read()
    with open(os.path.join(OUT, "bad_truncated.npz"), "wb") as f:
        f.write(stored[: len(stored) // 2])
    flipped = bytearray(stored)
    flipped[200] ^= 0xFF  # inside the first member's data: CRC must catch it
    with open(os.path.join(OUT, "bad_crc.npz"), "wb") as f:
        f.write(bytes(flipped))

    # Golden np.save bytes for encode.
    def formula(shape, dtype):
        n = int(np.prod(shape))
        i = np.arange(n)
        v = (i * 3 - 50) if dtype == "<i8" else (i % 97) * 0.25 - 5
        return v.astype(dtype).reshape(shape)

    for name, shape, dtype in [
        ("golden_f4_100x2.npy", (100, 2), "<f4"),
        ("golden_f8_3x4x5.npy", (3, 4, 5), "<f8"),
        ("golden_i8_7.npy", (7,), "<i8"),
        ("golden_f8_scalar.npy", (), "<f8"),
        ("golden_f4_0x3.npy", (0, 3), "<f4"),
        ("golden_f8_1000000x0.npy", (1000000, 0), "<f8"),
        ("golden_f4_rank40.npy", (1,) * 39 + (2,), "<f4"),
        ("golden_i8_12345x0x7.npy", (12345, 0, 7), "<i8"),
        # Headers of 127 and 128 bytes before padding: one space more or less in NumPy's
        # growth padding moves the data start, so these pin the padding rule exactly.
        ("golden_f4_edge127.npy", (3, 0) + (10,) * 8 + (100,), "<f4"),
        ("golden_f4_edge128.npy", (3, 0) + (10,) * 8 + (1000,), "<f4"),
    ]:
        np.save(os.path.join(OUT, name), formula(shape, dtype))
        golden.append({"file": name, "dtype": target_dtype(np.dtype(dtype)), "shape": list(shape)})

    manifest = {
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "cases": cases,
        "npz": npz_cases,
        "golden": golden,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    main()
