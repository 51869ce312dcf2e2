#!/usr/bin/env python3
"""Write a PyTorch ReLU network as lipcheck's relu-mlp v1 JSON.

Run it where PyTorch is installed (lipcheck itself needs no Python):

    python3 scripts/pytorch_to_relu_mlp.py MODEL.pt net.json      # then: lipcheck info net.json
    python3 scripts/pytorch_to_relu_mlp.py MODEL.pt -              # JSON on stdout

MODEL.pt is what torch.save wrote, either
  * a whole module (torch.save(model, path)): an nn.Sequential — nested ones are flattened — of
    nn.Linear and nn.ReLU, where Flatten, Identity and Dropout (a no-op at evaluation) may also
    appear; any other module is refused, naming it; or
  * a state_dict (torch.save(model.state_dict(), path)), also inside {"state_dict": …} or
    {"model_state_dict": …}. A state_dict does not record activations, so the script assumes the
    architecture lipcheck reads: its 2-D "….weight" tensors, in the dict's order (the order the
    module registered them), are the Linear layers, each but the last followed by ReLU, each with
    the "….bias" of the same prefix (zeros when there is none).

From Python, `to_relu_mlp(model_or_state_dict)` returns the document as a dict.

Weights are written as float64 (a float32 value is written exactly), outputs × inputs like
nn.Linear.weight. Exit status 2 with one line on stderr for anything the script cannot convert.
"""
import json
import math
import os
import sys
from collections import OrderedDict

import torch
from torch import nn

PASS_THROUGH = (nn.Flatten, nn.Identity, nn.Dropout)


class ConversionError(Exception):
    """A model the script cannot express as relu-mlp; the message is one line."""


def _layer(weight, bias, where):
    w = weight.detach().to(torch.float64).cpu()
    if w.dim() != 2:
        raise ConversionError(f"{where}: weight has shape {tuple(w.shape)}, expected 2-D (outputs x inputs)")
    b = torch.zeros(w.shape[0], dtype=torch.float64) if bias is None else bias.detach().to(torch.float64).cpu().reshape(-1)
    if b.shape[0] != w.shape[0]:
        raise ConversionError(f"{where}: {b.shape[0]} biases for {w.shape[0]} weight rows")
    rows, biases = w.tolist(), b.tolist()
    for value in [v for row in rows for v in row] + biases:
        if not math.isfinite(value):
            raise ConversionError(f"{where}: has a non-finite value {value}")
    return {"weights": rows, "biases": biases}


def _flatten(module, prefix=""):
    """The leaf modules of nested nn.Sequentials, with their dotted names."""
    if isinstance(module, nn.Sequential):
        for name, child in module.named_children():
            yield from _flatten(child, f"{prefix}{name}.")
    else:
        yield prefix.rstrip("."), module


def _from_module(model):
    if not isinstance(model, nn.Sequential):
        raise ConversionError(f"the model is a {type(model).__name__}, not an nn.Sequential "
                              "(save its state_dict instead, or export it with torch.onnx.export)")
    layers, expect_linear = [], True
    for name, m in _flatten(model):
        if isinstance(m, PASS_THROUGH):
            continue
        if isinstance(m, nn.Linear):
            if not expect_linear:
                raise ConversionError(f"module '{name}' (Linear) follows a Linear without a ReLU between them")
            layers.append(_layer(m.weight, m.bias, f"module '{name}' (Linear)"))
            expect_linear = False
        elif isinstance(m, nn.ReLU):
            if expect_linear:
                raise ConversionError(f"module '{name}' (ReLU) does not follow a Linear")
            expect_linear = True
        else:
            raise ConversionError(f"module '{name}' ({type(m).__name__}) is not supported "
                                  "(lipcheck reads Linear and ReLU; Flatten, Identity and Dropout are skipped)")
    if not layers:
        raise ConversionError("the model has no Linear layer")
    if expect_linear:
        raise ConversionError("the model ends with a ReLU; lipcheck's networks end with a Linear layer")
    return layers


def _from_state_dict(state):
    for key in ("state_dict", "model_state_dict"):
        if key in state and isinstance(state[key], dict):
            state = state[key]
    layers = []
    for key, value in state.items():
        if not (isinstance(value, torch.Tensor) and key.endswith("weight") and value.dim() == 2):
            continue
        prefix = key[: -len("weight")]
        layers.append(_layer(value, state.get(prefix + "bias"), f"'{key}'"))
    if not layers:
        raise ConversionError("the state_dict has no 2-D '….weight' tensor")
    return layers


def to_relu_mlp(obj, source=None):
    """The relu-mlp v1 document of an nn.Sequential or a state_dict; raises ConversionError."""
    if isinstance(obj, nn.Module):
        obj.eval()
        layers = _from_module(obj)
    elif isinstance(obj, (dict, OrderedDict)):
        layers = _from_state_dict(obj)
    else:
        raise ConversionError(f"expected an nn.Sequential or a state_dict, got {type(obj).__name__}")
    input_dim = len(layers[0]["weights"][0])
    width = input_dim
    for i, layer in enumerate(layers):
        if len(layer["weights"][0]) != width:
            raise ConversionError(f"layer {i} takes {len(layer['weights'][0])} inputs but the previous layer has {width} outputs")
        width = len(layer["weights"])
    meta = {"generator": "scripts/pytorch_to_relu_mlp.py", "torch": torch.__version__}
    if source is not None:
        meta["source"] = source
    return {"format": "relu-mlp", "version": 1, "inputDim": input_dim, "layers": layers, "meta": meta}


def _load(path):
    """torch.load of a trusted file (a whole module needs unpickling), any failure as one line."""
    try:
        try:
            return torch.load(path, map_location="cpu", weights_only=False)
        except TypeError:  # torch < 1.13 has no weights_only
            return torch.load(path, map_location="cpu")
    except Exception as err:  # noqa: BLE001 - any load failure is reported as one line
        first = str(err).splitlines()[0] if str(err) else ""
        raise ConversionError(f"cannot load it with torch.load ({type(err).__name__}: {first})") from None


def main(argv):
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        print("usage: pytorch_to_relu_mlp.py MODEL.pt OUT.json|-", file=sys.stderr)
        return 2
    path, out = argv[1], argv[2]
    try:
        obj = _load(path)
        doc = to_relu_mlp(obj, source=path)
    except ConversionError as err:
        print(f"pytorch_to_relu_mlp: {path}: {err}", file=sys.stderr)
        return 2
    text = json.dumps(doc, allow_nan=False)
    if out == "-":
        sys.stdout.write(text + "\n")
    else:
        with open(out + ".tmp", "w") as f:
            f.write(text + "\n")
        os.replace(out + ".tmp", out)
        print(f"wrote {out}: {doc['inputDim']}→" + "→".join(str(len(l['weights'])) for l in doc["layers"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
