#!/usr/bin/python3
"""Runs the reference WRN-28-2 check (forward + two SGD steps) with this project's PyTorch model.

It confirms that the WRN of bench_step.py is the reference definition (float64: errors ~1e-16),
and shows what PyTorch itself achieves in float32, the precision the Java port runs in:

    /usr/bin/python3 scripts/pytorch/wrn_reference_check.py src/test/resources/reference/wrn28_2
"""
import argparse
import os

import numpy as np
import torch
import torch.nn.functional as F

import bench_step


def reference_name(name):
    """bench_step.WRN parameter name -> the reference (USB) state_dict name."""
    if name.startswith("blocks."):
        index, rest = name.split(".", 2)[1:]
        i = int(index)
        rest = rest.replace("shortcut", "convShortcut")
        return f"backbone.block{i // 4 + 1}.layer.{i % 4}.{rest}"
    if name.startswith("conv1"):
        return "backbone." + name
    if name.startswith("bn."):
        return "backbone.bn1." + name[3:]
    if name.startswith("fc."):
        return "backbone.classifier." + name[3:]
    return name


def two_sgd_steps(model, x, y):
    """The reference's training: two steps of mean CE, SGD lr 0.03, momentum 0.9 Nesterov, weight
    decay 5e-4 on parameters named without bn/bias; gradients set to None so that parameters
    without one are not touched at all. Returns the two losses."""
    model.train()
    named = [(reference_name(n), p) for n, p in model.named_parameters()]
    decay = [p for n, p in named if "bn" not in n and "bias" not in n]
    rest = [p for n, p in named if "bn" in n or "bias" in n]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": rest, "weight_decay": 0.0}],
                          lr=0.03, momentum=0.9, nesterov=True)
    losses = []
    for _ in range(2):
        opt.zero_grad(set_to_none=True)
        logits, _ = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def check(folder, dtype):
    init = np.load(os.path.join(folder, "wrn28_2_simmatch_init.npz"))
    io = np.load(os.path.join(folder, "wrn28_2_simmatch_io.npz"))
    after = np.load(os.path.join(folder, "wrn28_2_simmatch_after2steps.npz"))
    torch.set_default_dtype(dtype)
    model = bench_step.WRN(10)
    state = model.state_dict()
    for k in state:
        if "num_batches" not in k:
            state[k] = torch.tensor(init[reference_name(k)], dtype=dtype)
    model.load_state_dict(state)
    x = torch.tensor(io["input_nhwc"], dtype=dtype).permute(0, 3, 1, 2)
    y = torch.tensor(io["labels"]).long()
    model.eval()
    logits, _ = model(x)
    eval_err = np.abs(logits.detach().numpy() - io["eval_logits"]).max()
    two_sgd_steps(model, x, y)
    worst = max((np.abs(v.detach().numpy() - after[reference_name(k)]).max(), reference_name(k))
                for k, v in model.state_dict().items() if "num_batches" not in k)
    print(f"{str(dtype):14s} eval logits max|err| {eval_err:.2e}; after 2 steps max|err| {worst[0]:.2e} ({worst[1]})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    a = ap.parse_args()
    torch.set_num_threads(1)
    for dtype in (torch.float64, torch.float32):
        check(a.folder, dtype)


if __name__ == "__main__":
    main()
