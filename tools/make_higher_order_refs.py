#!/usr/bin/env python3
"""Float64 references for higher-order input derivatives of the per-sample fixture cases.

For every case of tools/make_fixtures.py whose rows are independent, rebuilds the same float64
module (same torch seed), checks it against the committed ref_output_*.npy, and writes beside
the case's other references:

  ref_hessian_<out>.npy     [B, *out_features, n, n]   torch.func.vmap(jacrev(jacrev(f)))
  ref_laplacian_<out>.npy   [B, *out_features]         trace of that Hessian
  ref_partials_<label>.npy  [B, T]                     chosen partials up to order 4, by nested
                                                        torch.autograd.grad(create_graph=True)
  higher_order.json         what each file holds, the variables and the terms

The variables are the features of all inputs in order (an input [B, 1] is one variable). The
partials are of one scalar per sample: the output itself when it has one feature, else
component 0 of its last axis (label <out>0, as `--of <out>:0`). Orders 1-2: every partial;
orders 3-4: every partial for n <= 3, else those over the variables 0, 1 and n-1. Each partial
is also checked against the matching entry of torch.func's nested jacrev (1e-10; reverse over
reverse because some torch ops, hardsigmoid's backward, have no forward-mode rule), and the
orders 3-4 against central differences of the Hessian (1e-5 of the order's magnitude).

torch's own layer_norm gives wrong third and higher derivatives (torch 2.15: its double
backward is not differentiated; e.g. d3 LN(x)_0 / dx0 dx1 dx2 comes out exactly 0, where
central differences of the second derivative give 74.9), so the references use LayerNorm
written out as (x - mean) / sqrt(var + eps) * weight + bias (`decomposed_layer_norm`); and
hardsigmoid, which has no second derivative in torch, as clamp(x / 6 + 1/2, 0, 1) (the inputs
keep away from its kinks).

Usage: python3 tools/make_higher_order_refs.py [--case NAME ...]
"""
import argparse
import copy
import itertools
import json
import sys
from pathlib import Path

import numpy as np
import torch
from torch.func import jacrev, vmap

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_fixtures as mf  # noqa: E402
import onnxgrad_models as om  # noqa: E402

COMMAND = "python3 tools/make_higher_order_refs.py"


def decomposed_layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    """torch.nn.functional.layer_norm from differentiable pieces (see the module docstring)."""
    dims = tuple(range(-len(normalized_shape), 0))
    mean = x.mean(dim=dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def decomposed_hardsigmoid(x, inplace=False):
    """clamp(x / 6 + 1/2, 0, 1): torch's hardsigmoid has no second derivative at all."""
    return torch.clamp(x / 6 + 0.5, 0, 1)


def decomposed_hardswish(x, inplace=False):
    return x * decomposed_hardsigmoid(x)


torch.nn.functional.layer_norm = decomposed_layer_norm
torch.nn.functional.hardsigmoid = decomposed_hardsigmoid
torch.nn.functional.hardswish = decomposed_hardswish
MAX_ORDER = 4


def terms_for(n: int) -> list[list[int]]:
    terms = [[i] for i in range(n)]
    terms += [list(p) for p in itertools.combinations_with_replacement(range(n), 2)]
    pool = list(range(n)) if n <= 3 else sorted({0, 1, n - 1})
    for order in (3, 4):
        terms += [list(p) for p in itertools.combinations_with_replacement(pool, order)]
    return terms


def variable_names(specs: list[tuple[str, tuple[int, ...]]]) -> list[str]:
    names = []
    for name, shape in specs:
        count = int(np.prod(shape)) if shape else 1
        names += [name] if count == 1 else [f"{name}_{i}" for i in range(count)]
    return names


def nested_partial(u: torch.Tensor, xs: list[torch.Tensor], where: list[tuple[int, int]], term: list[int]) -> np.ndarray:
    """d^|term| u / d v_term[0] ... per sample, by nested autograd.grad over the batch sum."""
    g = u
    for v in term:
        k, f = where[v]
        if not g.requires_grad:
            return np.zeros(u.shape[0])
        (d,) = torch.autograd.grad(g.sum(), xs[k], create_graph=True, allow_unused=True)
        if d is None:
            return np.zeros(u.shape[0])
        g = d.reshape(d.shape[0], -1)[:, f]
    return g.detach().numpy()


def check_by_differences(case: str, label: str, f, flat: torch.Tensor, terms: list[list[int]],
                         partials: np.ndarray) -> None:
    """Orders 3 and 4 against central differences of the Hessian of output feature 0."""
    def hess(v: torch.Tensor) -> np.ndarray:
        return torch.stack([jacrev(jacrev(lambda s: f(s)[0]))(row) for row in v]).detach().numpy()

    for order in (3, 4):
        cols = [j for j, t in enumerate(terms) if len(t) == order]
        scale = max(np.abs(partials[:, cols]).max(), 1e-300) if cols else 1.0
        for j in cols:
            a, b, *rest = terms[j]

            def shift(k: int, h: float) -> torch.Tensor:
                e = torch.zeros(flat.shape[1], dtype=flat.dtype)
                e[k] = h
                return e

            def difference(h: float) -> np.ndarray:
                if order == 3:
                    e = shift(rest[0], h)
                    return (hess(flat + e) - hess(flat - e))[:, a, b] / (2 * h)
                e, g = shift(rest[0], h), shift(rest[1], h)
                return (hess(flat + e + g) - hess(flat + e - g) - hess(flat - e + g) + hess(flat - e - g))[:, a, b] / (4 * h * h)

            h = 1e-3 if order == 3 else 4e-3
            coarse, fine = difference(h), difference(h / 2)
            fd = (4 * fine - coarse) / 3  # Richardson: error O(h^4)
            # A sample whose differences straddle a kink (ReLU-like activations) disagrees with
            # itself between the two step sizes; only the self-consistent samples are compared.
            smooth = np.abs(fine - coarse) <= 1e-3 * scale
            worst = (np.abs(fd - partials[:, j]) * smooth).max() / scale
            if worst > 1e-5:
                raise AssertionError(f"{case} {label} partial {terms[j]}: differs from central differences by {worst:.2e} of its order's magnitude")


def make(case: mf.Case, root: Path) -> None:
    folder = root / case.name
    torch.manual_seed(case.torch_seed)
    foreign = case.foreign() if case.foreign else None
    model = foreign.reference if foreign else case.build().eval()
    model64 = copy.deepcopy(model).double().eval()
    specs = case.input_specs
    xs_np = [np.load(folder / f"input_{name}.npy").astype(np.float64) for name, _ in specs]
    xs = [torch.from_numpy(x).requires_grad_(True) for x in xs_np]
    outs = mf.as_tuple(model64(*xs))
    sizes = [int(np.prod(shape)) if shape else 1 for _, shape in specs]
    where = [(k, f) for k, c in enumerate(sizes) for f in range(c)]
    n = len(where)
    names = variable_names(specs)
    terms = terms_for(n)
    B = xs_np[0].shape[0]

    def single(v: torch.Tensor, index: int) -> torch.Tensor:
        parts, offset = [], 0
        for (_, shape), c in zip(specs, sizes):
            parts.append(v[offset:offset + c].reshape(shape).unsqueeze(0))
            offset += c
        return mf.as_tuple(model64(*parts))[index].squeeze(0).reshape(-1)

    flat = torch.cat([x.detach().reshape(B, -1) for x in xs], dim=1)
    record = {"command": COMMAND, "variables": names, "variable_order": "features of the inputs in order",
              "batch_size": B, "outputs": []}
    for index, (out_name, out) in enumerate(zip(case.outputs, outs)):
        if not out.dtype.is_floating_point:
            continue
        ref = np.load(folder / f"ref_output_{out_name}.npy")
        om.assert_close(f"{case.name} rebuilt {out_name}", out.detach().numpy(), ref, 1e-12, 1e-12)
        features = list(out.shape[1:])

        def f(v, index=index):
            return single(v, index)

        pool = list(range(n)) if n <= 3 else sorted({0, 1, n - 1})

        def on_pool(vp, v0, f=f):
            return f(v0.index_put((torch.tensor(pool),), vp))

        def nest(g, order):
            for _ in range(order):
                g = jacrev(g)
            return g

        def batched(d, args):
            try:
                return vmap(d)(*args)
            except RuntimeError:  # modules that vmap cannot batch (PReLU): one sample at a time
                return torch.stack([d(*(a[b] for a in args)) for b in range(B)])

        # Orders 1-2 over every variable; 3-4 over the pool only (n^4 entries would not fit).
        table = {order: batched(nest(f, order), (flat,)) for order in (1, 2)}
        for order in (3, 4):
            table[order] = batched(nest(on_pool, order), (flat[:, pool], flat))
        hess = table[2]
        hessian = hess.detach().numpy().reshape([B, *features, n, n])
        np.save(folder / f"ref_hessian_{out_name}.npy", hessian)
        laplacian = np.trace(hessian, axis1=-2, axis2=-1)
        np.save(folder / f"ref_laplacian_{out_name}.npy", laplacian)

        entry = {
            "output": out_name, "features": features,
            "hessian": {"file": f"ref_hessian_{out_name}.npy", "shape": list(hessian.shape),
                        "meaning": f"H[b, *f, i, j] = d2 {out_name}[b, *f] / dv_i dv_j; torch.func.vmap(jacrev(jacrev(f)))"},
            "laplacian": {"file": f"ref_laplacian_{out_name}.npy", "shape": list(laplacian.shape),
                          "meaning": "trace of the Hessian over the last two axes"},
        }
        m = int(np.prod(features)) if features else 1
        if len(features) > 1:  # OUTPUT:k leaves several values per sample: no partials
            record["outputs"].append(entry)
            continue
        component = None if m == 1 else 0
        label = out_name if component is None else f"{out_name}{component}"
        u = out.reshape(B, -1)[:, 0]
        partials = np.stack([nested_partial(u, xs, where, t) for t in terms], axis=1)
        for j, t in enumerate(terms):
            size = n if len(t) <= 2 else len(pool)
            at = t if len(t) <= 2 else [pool.index(v) for v in t]
            want = table[len(t)].detach().numpy().reshape(B, m, *([size] * len(t)))[(slice(None), 0, *at)]
            om.assert_close(f"{case.name} {label} partial {t}", partials[:, j], want, 1e-10, 1e-10)
        check_by_differences(case.name, label, f, flat, terms, partials)
        np.save(folder / f"ref_partials_{label}.npy", partials)
        entry["partials"] = {
            "file": f"ref_partials_{label}.npy", "label": label, "component": component,
            "terms": terms, "term_names": [".".join(names[v] for v in t) for t in terms],
            "shape": list(partials.shape),
            "meaning": "column j: the partial terms[j] (variable indices) of the scalar per sample, "
                       "by nested torch.autograd.grad(create_graph=True)"}
        record["outputs"].append(entry)
    (folder / "higher_order.json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"[{case.name}] n={n}, {len(terms)} partials, outputs {[o['output'] for o in record['outputs']]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "Tests" / "Fixtures"))
    ap.add_argument("--case", action="append", help="only this case (repeatable)")
    args = ap.parse_args()
    om.set_deterministic()
    for case in mf.CASES:
        if not case.per_sample or (args.case and case.name not in args.case):
            continue
        try:
            make(case, Path(args.out))
        except (NotImplementedError, RuntimeError) as e:
            if "not implemented" not in str(e) and "does not support" not in str(e):
                raise
            folder = Path(args.out) / case.name
            for stale in [folder / "higher_order.json", *folder.glob("ref_hessian_*"), *folder.glob("ref_laplacian_*"),
                          *folder.glob("ref_partials_*")]:
                stale.unlink(missing_ok=True)
            print(f"[{case.name}] skipped: PyTorch cannot take its higher derivatives ({str(e).splitlines()[0]})")


if __name__ == "__main__":
    main()
