"""Tracing one graph to ONNX, the portable ORT optimization pass, dtype variants and external data."""

from __future__ import annotations

import copy
import tempfile
import warnings
from pathlib import Path

import onnx
import onnxruntime as ort
import torch

from ..model import LavidaConfig, LavidaForMaskedDiffusion
from .specs import GraphSpec

OPSET = 17
# Protobuf cannot hold a model of 2 GiB; graphs whose weights pass this size keep them in `<graph>.onnx.data`.
EXTERNAL_DATA_BYTES = 1 << 30
DTYPES = ("fp32", "fp16", "int8")


def initializer_bytes(model: onnx.ModelProto) -> int:
    return sum(len(t.raw_data) for t in model.graph.initializer)  # the exporter stores weights as raw_data


def save_model(model: onnx.ModelProto, path: Path, external: bool) -> None:
    """Writes `path`, with every weight in `path.name + '.data'` when `external`."""
    if external:
        onnx.save_model(
            model,
            path,
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location=path.name + ".data",
            size_threshold=1024,
        )
    else:
        onnx.save_model(model, path)


def trace(model: LavidaForMaskedDiffusion, spec: GraphSpec, path: Path, fp16: bool) -> None:
    """TorchScript export (dynamo=False). fp16 traces a half-precision copy of the module so the model's own
    float32 islands (RMSNorm statistics, RoPE, logits) stay float32; every input and output keeps its dtype."""
    module = spec.build(model).eval()
    example = spec.example(model.config)
    if fp16:  # a copy: .half() converts parameters in place, and the caller's model is shared
        module = copy.deepcopy(module).half()
        example = tuple(t.half() if t.is_floating_point() else t for t in example)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about shape-derived Python ints
        torch.onnx.export(
            module,
            example,
            str(path),
            dynamo=False,
            opset_version=OPSET,
            input_names=list(spec.inputs),
            output_names=list(spec.outputs),
            dynamic_axes={
                **{k: v for k, v in spec.inputs.items() if v},
                **{k: v for k, v in spec.outputs.items() if v},
            },
            do_constant_folding=True,
        )


def literal_reshapes(model: onnx.ModelProto) -> None:
    """Gives Reshapes torch's semantics (allowzero=1: a 0 in the target shape is an empty axis, not "copy the
    input's axis"), so empty image/VQ/past inputs keep their shapes. Constant target shapes holding 0 come
    from exporter symbolics that mean the copy rule (GroupNorm) and stay as they are."""
    constants = {t.name: t for t in model.graph.initializer}
    constants.update(
        {
            n.output[0]: n.attribute[0].t
            for n in model.graph.node
            if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value"
        }
    )
    for node in model.graph.node:
        if node.op_type != "Reshape":
            continue
        shape = constants.get(node.input[1])
        if shape is not None and 0 in onnx.numpy_helper.to_array(shape).tolist():
            continue
        del node.attribute[:]
        node.attribute.append(onnx.helper.make_attribute("allowzero", 1))


def fuse_transformer(model: onnx.ModelProto, spec: GraphSpec, config: LavidaConfig) -> onnx.ModelProto:
    """ONNX Runtime's transformer optimizer (`onnxruntime.transformers`, BERT fusions) on a backbone trace: RMSNorm
    → SimplifiedLayerNormalization, the residual Add before it → SkipSimplifiedLayerNormalization. Attention and
    rotary embedding are contrib ops from the trace already (`contrib_ops`); the optimizer's own attention and
    embedding fusions match causal or BERT patterns, not this graph, so they stay off."""
    if not spec.transformer:
        return model
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_by_fusion

    options = FusionOptions("bert")
    options.enable_attention = options.enable_embed_layer_norm = options.enable_rotary_embeddings = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return optimize_by_fusion(model, "bert", config.n_heads, config.d_model, options).model


def float_io_to_fp32(model: onnx.ModelProto) -> onnx.ModelProto:
    """Casts the half-precision inputs/outputs of a half-precision trace at the graph boundary, so every
    variant has the same float32 I/O, and gives Resize the float32 scales ONNX requires."""
    half, single = onnx.TensorProto.FLOAT16, onnx.TensorProto.FLOAT
    casts = []
    for value in model.graph.input:
        if value.type.tensor_type.elem_type == half:
            inner = value.name + "_fp16"
            for node in model.graph.node:
                node.input[:] = [inner if name == value.name else name for name in node.input]
            casts.append(onnx.helper.make_node("Cast", [value.name], [inner], to=half))
            value.type.tensor_type.elem_type = single
    for value in model.graph.output:
        if value.type.tensor_type.elem_type == half:
            inner = value.name + "_fp16"
            for node in model.graph.node:
                node.output[:] = [inner if name == value.name else name for name in node.output]
                node.input[:] = [inner if name == value.name else name for name in node.input]
            casts.append(onnx.helper.make_node("Cast", [inner], [value.name], to=single))
            value.type.tensor_type.elem_type = single
    scales = {n.input[2] for n in model.graph.node if n.op_type == "Resize" and len(n.input) > 2}
    for node in model.graph.node:
        if node.op_type == "Constant" and node.output[0] in scales:
            value = onnx.numpy_helper.to_array(node.attribute[0].t).astype("float32")
            node.attribute[0].t.CopyFrom(onnx.numpy_helper.from_array(value))
    model.graph.node.extend(casts)
    return model


def optimize_basic(source: Path, target: Path, external: bool) -> None:
    """ORT's basic (provider-independent) optimizations: constant folding and redundant-node removal. The
    extended/layout fusions depend on the execution provider, so the server enables them at load time."""
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = str(target)
    if external:
        options.add_session_config_entry(
            "session.optimized_model_external_initializers_file_name", target.name + ".data"
        )
        options.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
    ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])


def quantize_int8(source: Path, target: Path, external: bool) -> None:
    """Dynamic int8 quantization of MatMul weights (per-channel int8 weights, activations quantized at run
    time); embeddings, convolutions and norms stay float32."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        source,
        target,
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
        use_external_data_format=external,
        # ONNX shape inference cannot type the outputs of contrib ops (the backbones' attention)
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    if external:  # quantize_dynamic names the data file after the model; normalise to `<graph>.onnx.data`
        save_model(onnx.load(target), target, True)


def export_graph(model: LavidaForMaskedDiffusion, spec: GraphSpec, out_dir: Path, dtype: str) -> list[Path]:
    """Writes `out_dir / spec.file` (and its `.data` file when large); returns the files written."""
    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}; choose one of {DTYPES}")
    target = out_dir / spec.file
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        traced = Path(tmp) / spec.file
        trace(model, spec, traced, fp16=dtype == "fp16")
        proto = onnx.load(traced)
        literal_reshapes(proto)
        proto = fuse_transformer(proto, spec, model.config)
        external = initializer_bytes(proto) > EXTERNAL_DATA_BYTES
        if dtype == "fp16":
            proto = float_io_to_fp32(proto)
        staged = Path(tmp) / "staged" / spec.file
        staged.parent.mkdir()
        save_model(proto, staged, external)
        del proto
        if dtype == "int8":
            quantized = Path(tmp) / "quantized" / spec.file
            quantized.parent.mkdir()
            quantize_int8(staged, quantized, external)
            staged = quantized
        optimize_basic(staged, target, external)
    return [p for p in (target, target.with_name(target.name + ".data")) if p.exists()]
