"""Python side: files onnxgrad writes load in NumPy exactly and match the PyTorch references.

Runs the built binary ($ONNXGRAD_BIN, default .build/debug/onnxgrad) on the committed fixtures.
"""
import io
import os
import pathlib
import subprocess

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIX = ROOT / "Tests" / "Fixtures"
BIN = os.environ.get("ONNXGRAD_BIN", str(ROOT / ".build" / "debug" / "onnxgrad"))


def onnxgrad(*args):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=120)


def np_save_bytes(a):
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


@pytest.mark.parametrize("exporter", ["legacy", "dynamo"])
def test_jacobian_npz_matches_vmap_jacrev(tmp_path, exporter):
    g = FIX / "generator"
    out = tmp_path / "j.npz"
    r = onnxgrad("jacobian", g / f"model_{exporter}.onnx", "--input", g / "input_coords.npy", "--out", out)
    assert r.returncode == 0, r.stderr
    with np.load(out) as z:
        assert sorted(z.files) == ["duv_dcoords", "uv"]
        jac, uv = z["duv_dcoords"], z["uv"]
    assert jac.dtype == np.float32 and jac.shape == (7, 2, 2)
    np.testing.assert_allclose(jac, np.load(g / "ref_jacobian_uv_wrt_coords.npy"), rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(uv, np.load(g / "ref_output_uv.npy"), rtol=2e-5, atol=1e-6)


def test_grad_u_equals_autograd_grad_and_header_is_np_save(tmp_path):
    g = FIX / "generator"
    out = tmp_path / "du.npy"
    r = onnxgrad("grad", g / "model_legacy.onnx", "--input", f"coords={g / 'input_coords.npy'}",
                 "--of", "uv:0", "--wrt", "coords", "--out", out)
    assert r.returncode == 0, r.stderr
    du = np.load(out)
    np.testing.assert_allclose(du, np.load(g / "ref_grad_uv_0_wrt_coords_ones.npy"), rtol=2e-5, atol=1e-6)
    assert out.read_bytes() == np_save_bytes(du)


def test_f64_mode_is_within_1e7_of_torch_float64(tmp_path):
    g = FIX / "generator"
    out = tmp_path / "j64.npy"
    r = onnxgrad("jacobian", g / "model_dynamo.onnx", "--input", g / "input_coords.npy",
                 "--dtype", "f64", "--out", out)
    assert r.returncode == 0, r.stderr
    jac = np.load(out)
    assert jac.dtype == np.float64
    np.testing.assert_allclose(jac, np.load(g / "ref_jacobian_uv_wrt_coords.npy"), rtol=1e-7, atol=1e-9)
    assert out.read_bytes() == np_save_bytes(jac)


def test_run_outputs_to_directory(tmp_path):
    c = FIX / "two_outputs"
    r = onnxgrad("run", c / "model_dynamo.onnx", "--input", c / "input_x.npy", "--out", tmp_path / "o")
    assert r.returncode == 0, r.stderr
    for name in ["a", "b"]:
        got = np.load(tmp_path / "o" / f"{name}.npy")
        np.testing.assert_allclose(got, np.load(c / f"ref_output_{name}.npy"), rtol=2e-5, atol=1e-6)


def test_failure_leaves_no_file(tmp_path):
    g = FIX / "generator"
    out = tmp_path / "x.npy"
    r = onnxgrad("grad", g / "model_legacy.onnx", "--input", g / "input_coords.npy",
                 "--of", "uv:7", "--wrt", "coords", "--out", out)
    assert r.returncode == 1
    assert r.stderr.startswith("error:") and "component 7" in r.stderr
    assert not out.exists()
