"""ONNX helpers for the model builders: export a torch module, save with external weights,
convert a graph to float16 the way Olive's fp16 pass leaves it, and describe a graph's I/O.

Not a script: imported by make_tiny_models.py and bench_model.py. Needs Debian's torch (1.13) and onnx (1.12).
"""

import copy
import io
import os
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

FLOAT, FLOAT16 = TensorProto.FLOAT, TensorProto.FLOAT16


def export(module, args, input_names, output_names, dynamic_axes, opset, path=None):
    """Traces `module` with torch.onnx.export (constant folding on, as every SD exporter does).

    With `path` the exporter writes the file itself (needed above 2 GB, where torch writes one file
    per tensor beside it); without, the graph is returned in memory.
    """
    target = str(path) if path else io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(
            module,
            args,
            target,
            input_names=input_names,
            output_names=output_names,
            dynamic_axes=dynamic_axes,
            opset_version=opset,
            do_constant_folding=True,
        )
    return None if path else onnx.load_from_string(target.getvalue())


def save(model, path, external_file=None):
    """Writes `model`; with `external_file`, all tensors over 1 KiB go to that one file beside it
    (diffusers' convert script: weights.pb; Optimum: model.onnx_data). Overwrites, never appends."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if external_file is None:
        onnx.save_model(model, str(path))
        return
    data = path.parent / external_file
    if data.exists():
        os.remove(data)  # onnx appends to an existing data file
    onnx.save_model(
        copy.deepcopy(model),
        str(path),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=external_file,
        size_threshold=1024,
        convert_attribute=False,
    )


def _fp16_tensor(t):
    with np.errstate(over="ignore"):  # float32 extremes (attention masks) become -inf/+inf, as in Olive's models
        return numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name)


def to_fp16(model):
    """A float16 copy of a float32 graph, as Olive's fp16 optimisation leaves SD models: float I/O,
    weights and computation in float16, integer inputs unchanged; RandomNormalLike kept in float32
    with a cast after it (Olive's force_fp32_ops), Resize scales left float32 (the ONNX spec)."""
    m = copy.deepcopy(model)
    g = m.graph
    keep32 = {n.input[i] for n in g.node if n.op_type == "Resize" for i in (1, 2) if len(n.input) > i}
    for i, t in enumerate(g.initializer):
        if t.data_type == FLOAT and t.name not in keep32:
            g.initializer[i].CopyFrom(_fp16_tensor(t))
    nodes = []
    for node in g.node:
        nodes.append(node)
        for a in node.attribute:
            if a.name == "value" and a.t.data_type == FLOAT and node.output[0] not in keep32:
                a.t.CopyFrom(_fp16_tensor(a.t))
            if node.op_type == "Cast" and a.name == "to" and a.i == FLOAT:
                a.i = FLOAT16
        if node.op_type in ("RandomNormalLike", "RandomUniformLike"):
            for a in node.attribute:
                if a.name == "dtype":
                    a.i = FLOAT
            out = node.output[0]
            node.output[0] = out + "_fp32"
            nodes.append(helper.make_node("Cast", [out + "_fp32"], [out], name=node.name + "_to_fp16", to=FLOAT16))
    del g.node[:]
    g.node.extend(nodes)
    for v in list(g.input) + list(g.output):
        if v.type.tensor_type.elem_type == FLOAT:
            v.type.tensor_type.elem_type = FLOAT16
    del g.value_info[:]
    onnx.checker.check_model(m)
    onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
    return m


_TYPES = {TensorProto.FLOAT: "float32", TensorProto.FLOAT16: "float16", TensorProto.INT32: "int32", TensorProto.INT64: "int64"}


def _shape(v):
    dims = v.type.tensor_type.shape.dim
    return [d.dim_param if d.dim_param else d.dim_value for d in dims]


def describe_io(model):
    """{"inputs": [(name, dtype, shape)], "outputs": [...]} with symbolic dims as their names."""
    inits = {t.name for t in model.graph.initializer}

    def rows(values):
        return [(v.name, _TYPES.get(v.type.tensor_type.elem_type, "?"), _shape(v)) for v in values if v.name not in inits]

    return {"inputs": rows(model.graph.input), "outputs": rows(model.graph.output)}


def op_types(model):
    return sorted({n.op_type for n in model.graph.node})
