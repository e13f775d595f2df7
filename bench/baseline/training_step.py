"""PyTorch baseline of `Detr.Bench training-step`: one step of the reference's train_one_epoch (forward, SetCriterion
with auxiliary losses, backward, clip_grad_norm_ 0.1, AdamW with lr 1e-4 and weight decay 1e-4, the backbone at
--backbone-lr with its stem and layer1 frozen, or all of it frozen at 0, as main.py) on a padded batch of two images
with a few random boxes each. Writes the weights, the batch, and the total
loss at the initial weights without dropout (for the agreement check)."""
import torch

import reference

args = reference.arguments(__doc__, config=str, height=int, width=int, backbone_lr=float)
model = reference.build_model(args.config, args.seed)
classes = model.class_embed.out_features - 1
images, padding, targets, inputs = reference.padded_batch(args.seed + 1, args.height, args.width, classes)
reference.write(args.case, "weights", model.state_dict())
reference.write(args.case, "inputs", inputs)

weights = {"loss_ce": 1.0, "loss_bbox": 5.0, "loss_giou": 2.0}
weights.update({f"{k}_{i}": v for k, v in list(weights.items()) for i in range(len(model.transformer.decoder.layers) - 1)})


def total_loss():
    logits, boxes = model(images, padding)
    aux = list(zip(logits[:-1], boxes[:-1]))
    losses, _ = reference.matching.criterion(logits[-1], boxes[-1], aux, targets, classes)
    return sum(losses[k] * weights[k] for k in losses if k in weights)


with torch.no_grad():
    model.eval()
    reference.write(args.case, "check", {"loss": total_loss().reshape(1)})
model.train()

for name, p in model.backbone.named_parameters():
    if args.backbone_lr <= 0 or ("layer2" not in name and "layer3" not in name and "layer4" not in name):
        p.requires_grad_(False)
groups = [{"params": [p for n, p in model.named_parameters() if "backbone" not in n and p.requires_grad], "lr": 1e-4}]
if args.backbone_lr > 0:
    groups.append({"params": [p for n, p in model.named_parameters() if "backbone" in n and p.requires_grad], "lr": args.backbone_lr})
optimizer = torch.optim.AdamW(groups, lr=1e-4, weight_decay=1e-4)

reference.serve(reference.training_step(model, total_loss, optimizer))
