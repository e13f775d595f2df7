"""PyTorch baseline of `Detr.Bench deformable-training-step`: one step of the reference's train_one_epoch for
Deformable DETR (forward on the pure-PyTorch sampling path, focal SetCriterion with auxiliary losses, backward,
clip_grad_norm_ 0.1, AdamW with weight decay 1e-4 and main.py's three groups: lr 2e-4, backbone.0 at 2e-5 with its
stem and layer1 frozen by BackboneBase, reference_points/sampling_offsets at 0.1x) on a padded batch of two images with
a few random boxes each. Writes the weights, the batch and the total loss at the initial weights in eval mode (for the
agreement check)."""
import torch

import deformable_reference
import reference

args = reference.arguments(__doc__, config=str, height=int, width=int, reference=str)
ref = deformable_reference.load(args.reference)
model, cfg = deformable_reference.build_model(ref, args.config, args.seed)
criterion, weights = deformable_reference.criterion(ref, cfg)
images, padding, targets, inputs = reference.padded_batch(args.seed + 1, args.height, args.width, cfg["classes"])
samples = ref.misc.NestedTensor(images, padding)
reference.write(args.case, "weights", model.state_dict())
reference.write(args.case, "inputs", inputs)


def total_loss():
    losses = criterion(model(samples), targets)
    return sum(losses[k] * weights[k] for k in losses if k in weights)


with torch.no_grad():
    model.eval()
    reference.write(args.case, "check", {"loss": total_loss().reshape(1)})
model.train()


def named(keywords, wanted):
    return [p for n, p in model.named_parameters() if p.requires_grad and any(k in n for k in keywords) == wanted]


slow = ["reference_points", "sampling_offsets"]
groups = [
    {"params": [p for n, p in model.named_parameters() if p.requires_grad and "backbone.0" not in n and not any(k in n for k in slow)], "lr": 2e-4},
    {"params": named(["backbone.0"], True), "lr": 2e-5},
    {"params": named(slow, True), "lr": 2e-5},
]
optimizer = torch.optim.AdamW(groups, lr=2e-4, weight_decay=1e-4)

reference.serve(reference.training_step(model, total_loss, optimizer))
