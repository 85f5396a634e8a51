#!/usr/bin/python3
"""Writes a new WRN-28-2 parity case (init, io, after2steps npz, float64) for `simmatch check-parity`.

Same format and training recipe as the repository's case (src/test/resources/reference/README.md),
from another seed: other weights, BN parameters and statistics, inputs and labels. Use it to see
that check-parity's tolerance holds beyond the one case the repository carries:

    /usr/bin/python3 scripts/pytorch/wrn_parity_case.py /tmp/parity-7 --seed 7
    scripts/simmatch check-parity /tmp/parity-7
"""
import argparse
import copy
import os

import numpy as np
import torch

import bench_step
from wrn_reference_check import reference_name, two_sgd_steps


def state(model):
    return {reference_name(k): v.detach().numpy().copy()
            for k, v in model.state_dict().items() if "num_batches" not in k}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--batch", type=int, default=8)
    a = ap.parse_args()
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(a.seed)
    model = bench_step.WRN(10)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.7, 1.5)
                m.bias.normal_(0, 0.1)
                m.running_mean.normal_(0, 0.2)
                m.running_var.uniform_(0.7, 1.9)
    x = torch.randn(a.batch, 3, 32, 32)
    y = torch.randint(0, 10, (a.batch,))
    init = state(model)
    model.eval()
    eval_logits, eval_emb = model(x)
    probe = copy.deepcopy(model).train()
    train_logits, train_emb = probe(x)
    losses = two_sgd_steps(model, x, y)
    os.makedirs(a.out, exist_ok=True)
    name = os.path.join(a.out, f"wrn28_2_seed{a.seed}")
    np.savez(name + "_init.npz", **init)
    np.savez(name + "_io.npz", input_nhwc=x.permute(0, 2, 3, 1).numpy(), labels=y.numpy(),
             eval_logits=eval_logits.detach().numpy(), eval_embedding=eval_emb.detach().numpy(),
             train_logits=train_logits.detach().numpy(), train_embedding=train_emb.detach().numpy(),
             step_losses=np.array(losses))
    np.savez(name + "_after2steps.npz", **state(model))
    print(f"wrote {name}_{{init,io,after2steps}}.npz; step losses {losses}")


if __name__ == "__main__":
    main()
