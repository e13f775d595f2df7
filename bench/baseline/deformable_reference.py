"""Shared by the Deformable DETR baselines of Detr.Bench: the reference's own model and criterion
(fundamentalvision/Deformable-DETR, imported from --reference with the import-time patches of
tests/fixtures/make_deformable_fixtures.py: its CUDA op stubbed, so every MSDeformAttn runs the reference's pure-PyTorch
ms_deform_attn_core_pytorch, the path the reference itself uses without the compiled extension).

Nothing of the reference is copied here. Configs (JSON from bench/Detr.Bench/DeformableReferenceConfigs.cs):
depth 50 → torchvision's resnet50 (weights=None) with the reference's FrozenBatchNorm2d, as the reference's Backbone;
depth 18 → tests/fixtures' NarrowResNet18 (torchvision's BasicBlock at the given stem width), as the parity fixtures.
"""
import json
import os
import sys

import torch
import torchvision

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fixtures")
sys.path.insert(0, FIXTURES)

import make_deformable_fixtures as fixtures  # noqa: E402  (the reference's import with its patches, NarrowResNet18, perturb)


def load(root):
    """The reference's modules, imported from its extracted tree at root."""
    if not os.path.isfile(os.path.join(root, "models", "deformable_detr.py")):
        raise SystemExit(f"{root} is not a Deformable-DETR tree (models/deformable_detr.py missing); see bench/README.md")
    return fixtures.import_reference(root)


def build_model(ref, config_json, seed):
    """The reference's DeformableDETR of the given architecture with its own seeded initialisation, then the parity
    fixtures' perturbation (random frozen-norm statistics, noise on constant tensors) so nothing runs on degenerate
    zeros."""
    cfg = json.loads(config_json)
    torch.manual_seed(seed)
    norm = ref.backbone.FrozenBatchNorm2d
    if cfg["depth"] == 50:
        body = torchvision.models.resnet50(weights=None, norm_layer=norm)
        channels = [512, 1024, 2048]
    elif cfg["depth"] == 18:
        body = fixtures.NarrowResNet18(norm, cfg["width"])
        channels = [cfg["width"] * 2, cfg["width"] * 4, cfg["width"] * 8]
    else:
        raise SystemExit(f"depth {cfg['depth']}: the baseline builds ResNet-50 or the narrow ResNet-18")
    base = ref.backbone.BackboneBase(body, train_backbone=True, return_interm_layers=True)
    base.strides, base.num_channels = [8, 16, 32], channels
    joiner = ref.backbone.Joiner(base, ref.pe.PositionEmbeddingSine(cfg["hidden"] // 2, normalize=True))
    transformer = ref.dt.DeformableTransformer(
        d_model=cfg["hidden"], nhead=cfg["heads"], num_encoder_layers=cfg["enc"], num_decoder_layers=cfg["dec"],
        dim_feedforward=cfg["ffn"], dropout=cfg["dropout"], activation="relu", return_intermediate_dec=True,
        num_feature_levels=cfg["levels"], dec_n_points=cfg["dec_points"], enc_n_points=cfg["enc_points"],
        two_stage=cfg["two_stage"], two_stage_num_proposals=cfg["queries"])
    model = ref.detr.DeformableDETR(joiner, transformer, num_classes=cfg["classes"], num_queries=cfg["queries"],
                                    num_feature_levels=cfg["levels"], aux_loss=True,
                                    with_box_refine=cfg["box_refine"], two_stage=cfg["two_stage"])
    fixtures.perturb(ref, model, torch.Generator().manual_seed(seed))
    return model, cfg


def criterion(ref, cfg):
    """The reference's build(): focal matcher costs 2/5/2, loss weights 2/5/2 with _0.._{dec-2} (and _enc)."""
    matcher = ref.matcher.HungarianMatcher(cost_class=2, cost_bbox=5, cost_giou=2)
    weights = fixtures.weight_dict_for(cfg)
    return ref.detr.SetCriterion(cfg["classes"], matcher, weights, ["labels", "boxes", "cardinality"], focal_alpha=0.25), weights
