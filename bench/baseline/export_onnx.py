"""PyTorch side of `Detr.Bench export-speed`: the reference DETR with seeded random weights exported by PyTorch's own
torch.onnx.export (opset 17, dynamic batch, height and width) in the transformers layout the .NET exporter writes
(pixel_values [N,3,H,W], pixel_mask [N,H,W] with 1 on real pixels → logits, pred_boxes of the last decoder layer).
Writes the weights, one image, and the ONNX file; the .NET side exports the same weights with DetrOnnxExporter and
times both files in ONNX Runtime."""
import torch
from torch import nn

import reference


class TransformersLayout(nn.Module):
    def __init__(self, detr):
        super().__init__()
        self.detr = detr

    def forward(self, pixel_values, pixel_mask):
        logits, boxes = self.detr(pixel_values, pixel_mask == 0)
        return logits[-1], boxes[-1]


args = reference.arguments(__doc__, config=str, height=int, width=int, onnx=str)
model = reference.build_model(args.config, args.seed).eval()
images = torch.randn(1, 3, args.height, args.width, generator=torch.Generator().manual_seed(args.seed + 1))
reference.write(args.case, "weights", model.state_dict())
reference.write(args.case, "inputs", {"images": images})

# Traced at another size than it is timed at, so a shape frozen into the graph would show up as wrong outputs.
example = (torch.randn(1, 3, 64, 96), torch.ones(1, 64, 96, dtype=torch.int64))
dynamic = {"pixel_values": {0: "batch", 2: "height", 3: "width"}, "pixel_mask": {0: "batch", 1: "height", 2: "width"},
           "logits": {0: "batch"}, "pred_boxes": {0: "batch"}}
with torch.no_grad():
    torch.onnx.export(TransformersLayout(model), example, args.onnx, opset_version=17, do_constant_folding=True,
                      input_names=["pixel_values", "pixel_mask"], output_names=["logits", "pred_boxes"], dynamic_axes=dynamic)
print(f"wrote {args.onnx}", flush=True)
