"""PyTorch baseline of `Detr.Bench forward`: the reference DETR's eval-mode forward under no_grad on one image.
Writes the weights, the image and the logits it computes (for the agreement check), then serves timings."""
import torch

import reference

args = reference.arguments(__doc__, config=str, height=int, width=int)
model = reference.build_model(args.config, args.seed).eval()
images = torch.randn(1, 3, args.height, args.width, generator=torch.Generator().manual_seed(args.seed + 1))
padding = torch.zeros(1, args.height, args.width, dtype=torch.bool)
reference.write(args.case, "weights", model.state_dict())
reference.write(args.case, "inputs", {"images": images})

with torch.no_grad():
    logits, _ = model(images, padding)
reference.write(args.case, "check", {"logits": logits[-1]})


def step():
    with torch.no_grad():
        model(images, padding)


reference.serve(step)
