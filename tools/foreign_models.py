"""Models from other exporters for tools/make_fixtures.py: scikit-learn MLPs through skl2onnx,
Keras Dense nets through tf2onnx, and PyTorch exports passed through onnxsim and onnxslim.

A model from another framework comes with a float64 PyTorch module built from its weights (the
references are computed with torch.func on it) and with the framework's own predictions, which
make_fixtures.py checks that module against, so the references stand on the source framework.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import onnx
import torch
import torch.nn as nn

import onnxgrad_models as om


@dataclass
class Foreign:
    """ONNX exports of a model from another framework, a float64 torch equivalent of it, and
    its own predictions."""
    exports: dict[str, onnx.ModelProto]
    reference: nn.Module
    predict: Callable[..., list[np.ndarray]]
    versions: dict[str, str] = field(default_factory=dict)


class _Dense(nn.Module):
    """x @ W + b with W in the (in, out) layout scikit-learn and Keras use."""

    def __init__(self, w: np.ndarray, b: np.ndarray) -> None:
        super().__init__()
        self.lin = nn.Linear(w.shape[0], w.shape[1]).double()
        with torch.no_grad():
            self.lin.weight.copy_(torch.from_numpy(np.asarray(w, dtype=np.float64).T))
            self.lin.bias.copy_(torch.from_numpy(np.asarray(b, dtype=np.float64).reshape(-1)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin(x)


class _Classifier(nn.Module):
    """(label, probabilities) of a network's logits: softmax for several classes, and for two
    classes the logistic unit p with probabilities [1 − p, p]."""

    def __init__(self, body: nn.Module, classes: np.ndarray, binary: bool) -> None:
        super().__init__()
        self.body = body
        self.register_buffer("classes", torch.from_numpy(np.asarray(classes, dtype=np.int64)))
        self.binary = binary

    def forward(self, x: torch.Tensor):
        z = self.body(x)
        if self.binary:
            p = torch.sigmoid(z)
            probabilities = torch.cat([1 - p, p], dim=1)
        else:
            probabilities = torch.softmax(z, dim=1)
        return self.classes[torch.argmax(probabilities, dim=1)], probabilities


def _sklearn_body(model, activation: type[nn.Module]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (w, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        layers.append(_Dense(w, b))
        if i < len(model.coefs_) - 1:
            layers.append(activation())
    return nn.Sequential(*layers)


def _training_data(n_features: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=(256, n_features))


def sklearn_regressor(dtype: str) -> Foreign:
    """MLPRegressor(16, 8), tanh, fitted to a smooth target; exported by skl2onnx in `dtype`."""
    import sklearn
    import skl2onnx
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType
    from sklearn.neural_network import MLPRegressor

    x = _training_data(3, 200)
    y = np.sin(2 * x[:, 0]) + x[:, 1] * x[:, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MLPRegressor(hidden_layer_sizes=(16, 8), activation="tanh", max_iter=400, random_state=0).fit(x, y)
    kind = FloatTensorType if dtype == "float32" else DoubleTensorType
    proto = skl2onnx.to_onnx(model, initial_types=[("x", kind([None, 3]))], target_opset=17)
    reference = _sklearn_body(model, nn.Tanh)
    return Foreign({"skl2onnx": proto}, reference, lambda x: [model.predict(x.astype(np.float64)).reshape(-1, 1)],
                   {"scikit-learn": sklearn.__version__, "skl2onnx": skl2onnx.__version__})


def sklearn_classifier(binary: bool) -> Foreign:
    """MLPClassifier (ReLU, 3 classes; or logistic, 2 classes) exported with zipmap off."""
    import sklearn
    import skl2onnx
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.neural_network import MLPClassifier

    x = _training_data(4, 201)
    labels = (x[:, 0] > 0).astype(int) if binary else (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MLPClassifier(hidden_layer_sizes=(8,) if binary else (16,), activation="logistic" if binary else "relu",
                              max_iter=400, random_state=0).fit(x, labels)
    proto = skl2onnx.to_onnx(model, initial_types=[("x", FloatTensorType([None, 4]))], target_opset=17,
                             options={id(model): {"zipmap": False}})
    reference = _Classifier(_sklearn_body(model, nn.Sigmoid if binary else nn.ReLU), model.classes_, binary)

    def predict(x):
        x = x.astype(np.float64)
        return [model.predict(x).astype(np.int64), model.predict_proba(x)]

    return Foreign({"skl2onnx": proto}, reference, predict,
                   {"scikit-learn": sklearn.__version__, "skl2onnx": skl2onnx.__version__})


class _KerasLayerNorm(nn.Module):
    def __init__(self, gamma: np.ndarray, beta: np.ndarray, eps: float) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(gamma.shape[0], eps=eps).double()
        with torch.no_grad():
            self.norm.weight.copy_(torch.from_numpy(gamma.astype(np.float64)))
            self.norm.bias.copy_(torch.from_numpy(beta.astype(np.float64)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x)


_KERAS_ACTIVATIONS = {
    "tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "swish": nn.SiLU, "elu": nn.ELU,
    "selu": nn.SELU, "softplus": lambda: nn.Softplus(threshold=1000.0), "softmax": lambda: nn.Softmax(dim=1),
}


def keras(layers: list[tuple[str, object]], n_in: int, seed: int) -> Foreign:
    """A Keras Sequential of Dense(units, activation) and LayerNormalization layers, with random
    weights and biases, converted by tf2onnx (from a tf.function: Keras 3 models cannot go through
    tf2onnx.convert.from_keras)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    import tf2onnx

    tf.random.set_seed(seed)
    rng = np.random.default_rng(seed)
    stack = [tf.keras.Input(shape=(n_in,))]
    for kind, arg in layers:
        stack.append(tf.keras.layers.Dense(arg[0], activation=arg[1]) if kind == "dense" else tf.keras.layers.LayerNormalization())
    model = tf.keras.Sequential(stack)
    torch_layers: list[nn.Module] = []
    for (kind, arg), layer in zip(layers, model.layers):
        if kind == "dense":
            w = rng.normal(scale=1.0 / np.sqrt(layer.kernel.shape[0]), size=layer.kernel.shape).astype(np.float32)
            b = rng.normal(scale=0.3, size=layer.bias.shape).astype(np.float32)
            layer.set_weights([w, b])
            torch_layers.append(_Dense(w, b))
            if arg[1] != "linear":
                torch_layers.append(_KERAS_ACTIVATIONS[arg[1]]())
        else:
            gamma = rng.uniform(0.5, 1.5, size=layer.gamma.shape).astype(np.float32)
            beta = rng.uniform(-0.2, 0.2, size=layer.beta.shape).astype(np.float32)
            layer.set_weights([gamma, beta])
            torch_layers.append(_KerasLayerNorm(gamma, beta, layer.epsilon))
    spec = (tf.TensorSpec((None, n_in), tf.float32, name="x"),)
    function = tf.function(lambda x: {"y": model(x)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        proto, _ = tf2onnx.convert.from_function(function, input_signature=spec, opset=17)
    return Foreign({"tf2onnx": proto}, nn.Sequential(*torch_layers),
                   lambda x: [model(x.astype(np.float32)).numpy().astype(np.float64)],
                   {"tensorflow": tf.__version__, "tf2onnx": tf2onnx.__version__})


def _check_ort(name: str, path: Path, case, xs_np: list[np.ndarray], want: list[np.ndarray], rtol: float) -> float:
    got = om.run_ort(path, {n: x for (n, _), x in zip(case.input_specs, xs_np)})
    errs = [0.0]
    for out, w in zip(case.outputs, want):
        g = got[out]
        if np.asarray(w).dtype.kind != "f":
            if not np.array_equal(g.astype(np.int64), np.asarray(w).astype(np.int64)):
                raise AssertionError(f"{case.name}/{name} {out}: ONNX Runtime differs from the source framework")
            continue
        errs.append(om.assert_close(f"{case.name}/{name} {out}", g.astype(np.float64), np.asarray(w, dtype=np.float64),
                                    rtol, rtol))
    return max(errs)


def write_exports(foreign: Foreign, case, xs_np: list[np.ndarray], folder: Path) -> dict:
    """Writes model_<exporter>.onnx for each export and checks it with ONNX Runtime against the
    framework's own predictions."""
    result = {}
    want = foreign.predict(*xs_np)
    for name, proto in foreign.exports.items():
        path = folder / f"model_{name}.onnx"
        onnx.save(proto, str(path))
        info = om.describe_onnx(path)
        info.update({"ok": True, "versions": foreign.versions,
                     "ort_max_abs_err_vs_source": _check_ort(name, path, case, xs_np, want, 1e-4)})
        print(f"  {name}: opset {info['opset']} ops {info['op_counts']}")
        result[name] = info
    return result


def simplified_exports(source: Path, case, xs_np: list[np.ndarray], folder: Path) -> dict:
    """The legacy export passed through onnxsim and onnxslim, each checked with ONNX Runtime
    against the unsimplified model."""
    import onnxsim
    import onnxslim

    feeds = {n: x for (n, _), x in zip(case.input_specs, xs_np)}
    want = [om.run_ort(source, feeds)[o] for o in case.outputs]
    result = {}
    for name, simplify, version in (
        ("onnxsim", lambda m: onnxsim.simplify(m)[0], onnxsim.__version__),
        ("onnxslim", onnxslim.slim, onnxslim.__version__),
    ):
        path = folder / f"model_{name}.onnx"
        onnx.save(simplify(onnx.load(str(source))), str(path))
        info = om.describe_onnx(path)
        info.update({"ok": True, "of": source.name, "versions": {name: version},
                     "ort_max_abs_err_vs_unsimplified": _check_ort(name, path, case, xs_np, want, 1e-5)})
        print(f"  {name}: ops {info['op_counts']}")
        result[name] = info
    return result


def versions() -> dict[str, str]:
    """Versions of the other exporters and frameworks the fixtures were made with."""
    import onnxsim
    import onnxslim
    import skl2onnx
    import sklearn
    import tf2onnx

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    return {"scikit-learn": sklearn.__version__, "skl2onnx": skl2onnx.__version__, "tensorflow": tf.__version__,
            "tf2onnx": tf2onnx.__version__, "onnxsim": onnxsim.__version__, "onnxslim": onnxslim.__version__}
