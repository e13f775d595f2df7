#!/usr/bin/env python3
"""Float16 copy of a DETR ONNX model for the GPU scoring benchmark, with float32 inputs and outputs kept.

    python3 bench/gpu/make_fp16_onnx.py bench/artifacts/detr_r50.onnx bench/artifacts/detr_r50_fp16.onnx

Weights and activations become float16; `pixel_values`, `pixel_mask`, `logits` and `pred_boxes` keep their types
(keep_io_types), so ApplyDetr and the raw loop feed the copy exactly as they feed the original. Operators that need
float32 or integers (Resize, Range, CumSum, TopK, ...: onnxconverter-common's default block list) stay in float32
behind casts. The model's metadata (labels, resize edges, post-processing) is kept.

Needs `onnx` and `numpy`, and onnxconverter-common (`pip install onnxconverter-common`, or its sources on PYTHONPATH);
failing that, onnxruntime's transformers tools (`onnxruntime.transformers.float16`, in the onnxruntime-gpu wheel).
"""
import sys

import onnx


def convert(model):
    try:
        from onnxconverter_common import float16
        return float16.convert_float_to_float16(model, keep_io_types=True), "onnxconverter-common"
    except ImportError:
        pass
    try:
        from onnxruntime.transformers.float16 import convert_float_to_float16
        return convert_float_to_float16(model, keep_io_types=True), "onnxruntime.transformers"
    except ImportError:
        sys.exit("make_fp16_onnx.py needs onnxconverter-common (pip install onnxconverter-common) "
                 "or onnxruntime's transformers tools (the onnxruntime-gpu wheel).")


def fix_casts_to_float(model):
    """Casts to float32 whose outputs the converter declared float16 (e.g. the pixel mask cast to float for its
    downsampling) keep `to = FLOAT` and fail to load: make them cast to float16, as their consumers now expect."""
    declared = {v.name: v.type.tensor_type.elem_type for v in list(model.graph.value_info) + list(model.graph.output)}
    fixed = 0
    for node in model.graph.node:
        if node.op_type != "Cast" or declared.get(node.output[0]) != onnx.TensorProto.FLOAT16:
            continue
        for attribute in node.attribute:
            if attribute.name == "to" and attribute.i == onnx.TensorProto.FLOAT:
                attribute.i = onnx.TensorProto.FLOAT16
                fixed += 1
    return fixed


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, target = sys.argv[1], sys.argv[2]
    model = onnx.load(source)
    converted, tool = convert(model)
    fixed = fix_casts_to_float(converted)
    # Kept by both converters today; restated so the labels and resize settings never silently go missing.
    del converted.metadata_props[:]
    converted.metadata_props.extend(model.metadata_props)
    onnx.checker.check_model(converted)
    onnx.save(converted, target)
    print(f"{target}: float16 weights and activations ({tool}; {fixed} casts retargeted), float32 inputs/outputs, "
          f"{len(model.metadata_props)} metadata entries kept")


if __name__ == "__main__":
    main()
