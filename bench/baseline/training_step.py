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
g = torch.Generator().manual_seed(args.seed + 1)
h, w = args.height, args.width
images = torch.zeros(2, 3, h, w)
padding = torch.ones(2, h, w, dtype=torch.bool)
for i, (ih, iw) in enumerate(((h, w), (h * 3 // 4, w * 3 // 4))):  # the second image is padded, as batches of mixed sizes are
    images[i, :, :ih, :iw] = torch.randn(3, ih, iw, generator=g)
    padding[i, :ih, :iw] = False
targets = [{"labels": torch.randint(0, classes, (n,), generator=g), "boxes": reference.matching.random_boxes(g, n)} for n in (5, 3)]
inputs = {"images": images, "padding": padding}
for i, t in enumerate(targets):
    inputs[f"labels_{i}"], inputs[f"boxes_{i}"] = t["labels"], t["boxes"]
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


def step():
    loss = total_loss()
    loss.item()  # the reference reads the loss every step (logging, finiteness check)
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
    optimizer.step()


reference.serve(step)
