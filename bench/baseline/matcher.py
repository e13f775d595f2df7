"""PyTorch baseline of `Detr.Bench matcher`: the reference's HungarianMatcher (cost on torch, scipy's
linear_sum_assignment per image) on random predictions and targets. Writes the inputs and the matches it finds."""
import torch

import reference

args = reference.arguments(__doc__, batch=int, queries=int, targets=int, classes=int)
g = torch.Generator().manual_seed(args.seed)
logits = torch.randn(args.batch, args.queries, args.classes + 1, generator=g) * 2
boxes = torch.sigmoid(torch.randn(args.batch, args.queries, 4, generator=g)) * 0.5 + 0.1
targets = [{"labels": torch.randint(0, args.classes, (args.targets,), generator=g), "boxes": reference.matching.random_boxes(g, args.targets)}
           for _ in range(args.batch)]
inputs = {"logits": logits, "boxes": boxes}
for i, t in enumerate(targets):
    inputs[f"labels_{i}"], inputs[f"target_boxes_{i}"] = t["labels"], t["boxes"]
reference.write(args.case, "inputs", inputs)

check = {}
for i, (q, t) in enumerate(reference.matching.match(logits, boxes, targets)):
    check[f"queries_{i}"], check[f"targets_{i}"] = q, t
reference.write(args.case, "check", check)

reference.serve(lambda: reference.matching.match(logits, boxes, targets))
