"""PyTorch baseline of `Detr.Bench deformable-forward`: the reference Deformable DETR's eval-mode forward under no_grad
on one image, its sampling on the pure-PyTorch path (grid_sample). Writes the weights, the image and the last layer's
logits and boxes it computes (for the agreement check), then serves timings."""
import torch

import deformable_reference
import reference

args = reference.arguments(__doc__, config=str, height=int, width=int, reference=str)
ref = deformable_reference.load(args.reference)
model, _ = deformable_reference.build_model(ref, args.config, args.seed)
model.eval()
images = torch.randn(1, 3, args.height, args.width, generator=torch.Generator().manual_seed(args.seed + 1))
samples = ref.misc.NestedTensor(images, torch.zeros(1, args.height, args.width, dtype=torch.bool))
reference.write(args.case, "weights", model.state_dict())
reference.write(args.case, "inputs", {"images": images})

with torch.no_grad():
    out = model(samples)
reference.write(args.case, "check", {"logits": out["pred_logits"], "boxes": out["pred_boxes"]})


def step():
    with torch.no_grad():
        model(samples)


reference.serve(step)
