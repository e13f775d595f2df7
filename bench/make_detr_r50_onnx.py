#!/usr/bin/python3
"""Build a full-size DETR-R50 with random weights and export it to ONNX, for the scoring benchmark.

Run with Debian's system Python (python3-torch 1.13, python3-torchvision 0.14, python3-onnx):
    /usr/bin/python3 bench/make_detr_r50_onnx.py [OUTPUT]       (default bench/artifacts/detr_r50.onnx)

The architecture is DETR's (facebookresearch/detr, "DETR-R50"), so the ONNX graph costs what the real model
costs; only the weights are random (fixed seed, deterministic):
  backbone   torchvision ResNet-50 with frozen BatchNorm (as DETR's backbone.py), C5 features, stride 32;
             the frozen statistics are calibrated once on random images so activations stay in range
  input_proj 1x1 conv 2048 -> 256
  position   sine embedding from the (downsampled) pixel mask, normalize=True (models/position_encoding.py)
  transformer post-norm, 6 encoder + 6 decoder layers, d=256, 8 heads, FFN 2048, padding masked as keys
             (models/transformer.py), decoder output LayerNorm, 100 learned queries
  heads      class Linear 256 -> 92 (91 COCO ids + no-object), 3-layer box MLP + sigmoid
Exported in the transformers/optimum layout:
  inputs  pixel_values f32 [N,3,H,W], pixel_mask i64 [N,H,W] (1 = real pixel, 0 = padding); N, H, W dynamic
  outputs logits [N,100,92], pred_boxes [N,100,4] (normalised cx, cy, w, h)
About 41.5M parameters (~166 MB of float32 weights).
"""
import math
import os
import sys

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.ops.misc import FrozenBatchNorm2d

D_MODEL = 256
HEADS = 8
FFN = 2048
ENCODER_LAYERS = 6
DECODER_LAYERS = 6
QUERIES = 100
CLASSES = 91  # COCO category ids 0..90; the head adds the no-object column


class Backbone(nn.Module):
    """ResNet-50 up to layer4 (DETR's C5 features) with frozen BatchNorm."""

    def __init__(self):
        super().__init__()
        body = torchvision.models.resnet50(weights=None)
        calibrate_batch_norm(body)
        freeze_batch_norm(body)
        self.body = nn.Sequential(body.conv1, body.bn1, body.relu, body.maxpool,
                                  body.layer1, body.layer2, body.layer3, body.layer4)

    def forward(self, x):
        return self.body(x)


def calibrate_batch_norm(resnet):
    """Stand-in for pretrained statistics: one training-mode pass over random images sets the running mean/var,
    so 50 random layers neither explode nor vanish (the timing does not depend on it; sane outputs are nicer)."""
    for m in resnet.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = None  # cumulative average
    resnet.train()
    with torch.no_grad():
        resnet(torch.randn(4, 3, 224, 224))
    resnet.eval()


def freeze_batch_norm(module):
    """Swap every BatchNorm2d for torchvision's FrozenBatchNorm2d with the same statistics (DETR's backbone)."""
    for name, child in module.named_children():
        if isinstance(child, nn.BatchNorm2d):
            frozen = FrozenBatchNorm2d(child.num_features, eps=child.eps)
            frozen.weight.copy_(child.weight.detach())
            frozen.bias.copy_(child.bias.detach())
            frozen.running_mean.copy_(child.running_mean)
            frozen.running_var.copy_(child.running_var)
            setattr(module, name, frozen)
        else:
            freeze_batch_norm(child)


class PositionEmbeddingSine(nn.Module):
    """DETR's sine position embedding (normalize=True, scale 2*pi, temperature 10000) over the valid-pixel mask."""

    def __init__(self, num_pos_feats=D_MODEL // 2, temperature=10000, scale=2 * math.pi):
        super().__init__()
        self.scale = scale
        dim_t = torch.arange(num_pos_feats, dtype=torch.float32)
        dim_t = temperature ** (2 * torch.div(dim_t, 2, rounding_mode="floor") / num_pos_feats)
        self.register_buffer("dim_t", dim_t, persistent=False)

    def forward(self, not_mask):  # float [N,h,w], 1 = valid
        y_embed = not_mask.cumsum(1)
        x_embed = not_mask.cumsum(2)
        eps = 1e-6
        y_embed = y_embed / (y_embed[:, -1:, :] + eps) * self.scale
        x_embed = x_embed / (x_embed[:, :, -1:] + eps) * self.scale
        pos_x = x_embed[:, :, :, None] / self.dim_t
        pos_y = y_embed[:, :, :, None] / self.dim_t
        pos_x = torch.stack((pos_x[:, :, :, 0::2].sin(), pos_x[:, :, :, 1::2].cos()), dim=4).flatten(3)
        pos_y = torch.stack((pos_y[:, :, :, 0::2].sin(), pos_y[:, :, :, 1::2].cos()), dim=4).flatten(3)
        return torch.cat((pos_y, pos_x), dim=3).permute(0, 3, 1, 2)  # [N,C,h,w]


class EncoderLayer(nn.Module):
    """Post-norm encoder layer; position added to queries and keys only."""

    def __init__(self):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(D_MODEL, HEADS)
        self.linear1 = nn.Linear(D_MODEL, FFN)
        self.linear2 = nn.Linear(FFN, D_MODEL)
        self.norm1 = nn.LayerNorm(D_MODEL)
        self.norm2 = nn.LayerNorm(D_MODEL)

    def forward(self, src, padding, pos):
        q = k = src + pos
        src = self.norm1(src + self.self_attn(q, k, src, key_padding_mask=padding, need_weights=False)[0])
        return self.norm2(src + self.linear2(F.relu(self.linear1(src))))


class DecoderLayer(nn.Module):
    """Post-norm decoder layer: query self-attention, cross-attention to the memory (padding masked), FFN."""

    def __init__(self):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(D_MODEL, HEADS)
        self.cross_attn = nn.MultiheadAttention(D_MODEL, HEADS)
        self.linear1 = nn.Linear(D_MODEL, FFN)
        self.linear2 = nn.Linear(FFN, D_MODEL)
        self.norm1 = nn.LayerNorm(D_MODEL)
        self.norm2 = nn.LayerNorm(D_MODEL)
        self.norm3 = nn.LayerNorm(D_MODEL)

    def forward(self, tgt, memory, padding, pos, query_pos):
        q = k = tgt + query_pos
        tgt = self.norm1(tgt + self.self_attn(q, k, tgt, need_weights=False)[0])
        attended = self.cross_attn(tgt + query_pos, memory + pos, memory, key_padding_mask=padding, need_weights=False)[0]
        tgt = self.norm2(tgt + attended)
        return self.norm3(tgt + self.linear2(F.relu(self.linear1(tgt))))


class DetrR50(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = Backbone()
        self.input_proj = nn.Conv2d(2048, D_MODEL, kernel_size=1)
        self.position = PositionEmbeddingSine()
        self.encoder = nn.ModuleList(EncoderLayer() for _ in range(ENCODER_LAYERS))
        self.decoder = nn.ModuleList(DecoderLayer() for _ in range(DECODER_LAYERS))
        self.decoder_norm = nn.LayerNorm(D_MODEL)
        self.query_embed = nn.Embedding(QUERIES, D_MODEL)
        self.class_embed = nn.Linear(D_MODEL, CLASSES + 1)
        self.bbox_embed = nn.Sequential(nn.Linear(D_MODEL, D_MODEL), nn.ReLU(), nn.Linear(D_MODEL, D_MODEL), nn.ReLU(),
                                        nn.Linear(D_MODEL, 4))
        # As models/transformer.py _reset_parameters: xavier on every transformer matrix.
        for module in (self.encoder, self.decoder):
            for p in module.parameters():
                if p.dim() > 1:
                    nn.init.xavier_uniform_(p)

    def forward(self, pixel_values, pixel_mask):
        features = self.backbone(pixel_values)  # [N,2048,h,w]
        # As models/backbone.py: the pixel mask follows the features by nearest interpolation.
        not_mask = F.interpolate(pixel_mask[:, None].float(), size=features.shape[-2:], mode="nearest")[:, 0]
        padding = not_mask.flatten(1) < 0.5  # [N,hw], True = padding
        pos = self.position(not_mask).flatten(2).permute(2, 0, 1)  # [hw,N,C]
        src = self.input_proj(features).flatten(2).permute(2, 0, 1)  # [hw,N,C]
        memory = src
        for layer in self.encoder:
            memory = layer(memory, padding, pos)
        query_pos = self.query_embed.weight.unsqueeze(1).expand(-1, src.shape[1], -1)  # [Q,N,C]
        hs = torch.zeros_like(query_pos)
        for layer in self.decoder:
            hs = layer(hs, memory, padding, pos, query_pos)
        hs = self.decoder_norm(hs).transpose(0, 1)  # [N,Q,C]
        return self.class_embed(hs), self.bbox_embed(hs).sigmoid()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    output = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "artifacts", "detr_r50.onnx")
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    torch.manual_seed(0)
    model = DetrR50().eval()
    parameters = sum(p.numel() for p in model.parameters())
    print(f"DETR-R50 (random weights): {parameters:,} parameters ({parameters / 1e6:.1f}M)", flush=True)

    # A small example is enough for tracing: H and W are dynamic in the graph.
    pixel_values = torch.randn(1, 3, 256, 320)
    pixel_mask = torch.ones(1, 256, 320, dtype=torch.int64)
    dynamic = {"pixel_values": {0: "batch", 2: "height", 3: "width"}, "pixel_mask": {0: "batch", 1: "height", 2: "width"},
               "logits": {0: "batch"}, "pred_boxes": {0: "batch"}}
    for opset in (17, 16):
        try:
            with torch.no_grad():
                torch.onnx.export(model, (pixel_values, pixel_mask), output, opset_version=opset, do_constant_folding=True,
                                  input_names=["pixel_values", "pixel_mask"], output_names=["logits", "pred_boxes"],
                                  dynamic_axes=dynamic)
            break
        except Exception as e:  # noqa: BLE001 - fall back to the older opset, as documented
            if opset == 16:
                raise
            print(f"opset {opset} export failed ({e}); retrying with opset 16", flush=True)
    onnx.checker.check_model(output)
    print(f"wrote {output} (opset {opset}, {os.path.getsize(output) / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
