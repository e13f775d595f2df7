"""Shared by the PyTorch baselines of Detr.Bench: the reference DETR re-typed in tests/fixtures, the files a benchmark
case is made of, and the line protocol through which the .NET benchmark times the baseline and reads its peak memory.

Run with Debian's /usr/bin/python3 (python3-torch 1.13, python3-scipy). A baseline makes the case (weights under the
reference's key names and the inputs, as safetensors) so both sides start from the same bytes, writes what the .NET
side checks its own results against, prints "ready", then answers "run N" lines with N durations in seconds until its
standard input closes. It stays idle between requests, so the .NET side can interleave it with its own variants.
"""
import argparse
import json
import os
import sys
import time

import torch

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fixtures")
sys.path.insert(0, FIXTURES)

import make_matching_fixtures as matching  # noqa: E402  (the reference's HungarianMatcher and SetCriterion)
import make_model_fixtures as modeling  # noqa: E402  (the reference's DETR)


def arguments(description, **extra):
    """The options every baseline takes, plus the given ones (name → type)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--case", required=True, help="folder for weights.safetensors, inputs.safetensors, check.safetensors")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    for name, kind in extra.items():
        parser.add_argument("--" + name.replace("_", "-"), type=kind, required=True)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.case, exist_ok=True)
    return args


def build_model(config_json, seed):
    """The reference DETR of the given architecture (tests/fixtures' config keys) with seeded random weights."""
    torch.manual_seed(seed)
    model = modeling.DETR(json.loads(config_json))
    with torch.no_grad():
        # Frozen norms of 1/0/0/1 would make the trunk an identity on its statistics; random ones exercise them.
        modeling.randomise_frozen_norms(model, torch.Generator().manual_seed(seed))
    return model


def write(case, name, tensors):
    """Writes float32 tensors to <case>/<name>.safetensors (the .NET side converts labels and masks back)."""
    modeling.write_safetensors(os.path.join(case, name + ".safetensors"), tensors, {})


def padded_batch(seed, h, w, classes):
    """The training comparisons' batch: two images, the second padded to 3/4 of the size (as batches of mixed sizes
    are), with 5 and 3 random boxes. Returns (images, padding, targets, the inputs to write for the .NET side)."""
    g = torch.Generator().manual_seed(seed)
    images = torch.zeros(2, 3, h, w)
    padding = torch.ones(2, h, w, dtype=torch.bool)
    for i, (ih, iw) in enumerate(((h, w), (h * 3 // 4, w * 3 // 4))):
        images[i, :, :ih, :iw] = torch.randn(3, ih, iw, generator=g)
        padding[i, :ih, :iw] = False
    targets = [{"labels": torch.randint(0, classes, (n,), generator=g), "boxes": matching.random_boxes(g, n)} for n in (5, 3)]
    inputs = {"images": images, "padding": padding}
    for i, t in enumerate(targets):
        inputs[f"labels_{i}"], inputs[f"boxes_{i}"] = t["labels"], t["boxes"]
    return images, padding, targets, inputs


def training_step(model, total_loss, optimizer):
    """One step of the reference's train_one_epoch: loss, its value read, backward, clip_grad_norm_ 0.1, optimiser step."""
    def step():
        loss = total_loss()
        loss.item()  # the reference reads the loss every step (logging, finiteness check)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
        optimizer.step()
    return step


def status_bytes(field):
    """A VmRSS/VmHWM-style field of /proc/self/status in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise ValueError(f"no {field} in /proc/self/status")


def peak_of(step):
    """Resident memory before one call of step() and the peak during it: the kernel's high-water mark, reset first
    (writing 5 to /proc/self/clear_refs)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status_bytes("VmRSS")
    step()
    return before, status_bytes("VmHWM")


def serve(step):
    """Answers "run N" with N timings of step(), and "peak" with the resident bytes before and at the peak of one call,
    until standard input closes."""
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, count = line.strip().partition(" ")
        if command == "peak":
            print(" ".join(str(b) for b in peak_of(step)), flush=True)
            continue
        if command != "run":
            raise ValueError(f"unknown request {line!r}")
        times = []
        for _ in range(int(count)):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
        print(" ".join(repr(t) for t in times), flush=True)
