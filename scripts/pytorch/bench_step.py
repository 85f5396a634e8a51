#!/usr/bin/python3
"""Times one training step of supervised, FixMatch, SimMatch, ReMixMatch and SimCLR in PyTorch.

Written for this project from the semantics in its notes (same model definitions, batch
composition and losses as the Java side) so that `scripts/bench` can report Java/PyTorch
ratios measured on the same machine in the same run. Prints one JSON object per line:
{"framework": "pytorch", "model", "memory_format", "algorithm", "precision", "batch", "mu", "steps",
 "images_per_step", "images_per_second", "step_ms", "peak_rss_mb"}.

--autocast bf16 runs the network's forward pass under torch.autocast("cpu", dtype=torch.bfloat16),
the mixed precision PyTorch users train with: convolutions and Linear layers in bfloat16, weights,
optimizer and EMA in float32. The outputs are cast back to float32 before the losses, so the losses,
SimMatch's bank similarities and its DA state are float32, as on the Java side. ReMixMatch's step
reaches into the model's layers, so it runs whole under autocast, as USB's --amp does.
"""
import argparse
import json
import random
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def act():
    return nn.LeakyReLU(0.1)


class Unit(nn.Module):
    """Pre-activation basic unit of the USB WideResNet (see notes/algorithms.md)."""

    def __init__(self, cin, cout, stride, activate_before_residual):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin, momentum=0.001)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, momentum=0.001)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.equal = cin == cout
        self.shortcut = None if self.equal else nn.Conv2d(cin, cout, 1, stride, 0, bias=False)
        self.abr = activate_before_residual

    def forward(self, x):
        if self.equal:
            a = F.leaky_relu(self.bn1(x), 0.1)
            short = x
        elif self.abr:
            x = F.leaky_relu(self.bn1(x), 0.1)
            a = x
            short = self.shortcut(x)
        else:
            self.bn1(x)  # computed, unused: its running statistics still move in training mode
            a = x
            short = self.shortcut(x)
        out = self.conv2(F.leaky_relu(self.bn2(self.conv1(a)), 0.1))
        return short + out


class WRN(nn.Module):
    def __init__(self, classes, widen=2, depth=28, proj=128):
        super().__init__()
        n = (depth - 4) // 6
        w = [16, 16 * widen, 32 * widen, 64 * widen]
        self.conv1 = nn.Conv2d(3, w[0], 3, 1, 1, bias=True)
        layers = []
        cin = w[0]
        for g, (cout, stride) in enumerate(zip(w[1:], [1, 2, 2])):
            for i in range(n):
                layers.append(Unit(cin if i == 0 else cout, cout, stride if i == 0 else 1, g == 0 and i == 0))
            cin = cout
        self.blocks = nn.Sequential(*layers)
        self.bn = nn.BatchNorm2d(w[3], momentum=0.001, eps=0.001)
        self.fc = nn.Linear(w[3], classes)
        self.mlp_proj = nn.Sequential(nn.Linear(w[3], w[3]), nn.ReLU(), nn.Linear(w[3], proj))

    def features(self, x):
        h = F.leaky_relu(self.bn(self.blocks(self.conv1(x))), 0.1)
        return F.adaptive_avg_pool2d(h, 1).flatten(1)

    def forward(self, x):
        h = self.features(x)
        return self.fc(h), F.normalize(self.mlp_proj(h), dim=1)


class SimclrHead(nn.Module):
    """SimCLR's projection head (notes/selfsup.md): Linear without bias + BatchNorm1d, ReLU except
    after the last layer, whose BatchNorm has no beta (kept at 0, not trained)."""

    def __init__(self, width, proj=128, layers=3):
        super().__init__()
        mods = []
        for j in range(layers):
            last = j == layers - 1
            out = proj if last else width
            mods.append(nn.Linear(width, out, bias=False))
            bn = nn.BatchNorm1d(out, eps=1e-5, momentum=0.1)
            if last:
                bn.bias.requires_grad_(False)
            mods.append(bn)
            if not last:
                mods.append(nn.ReLU())
        self.layers = nn.Sequential(*mods)

    def forward(self, h):
        return self.layers(h)


class CnnSmall(nn.Module):
    def __init__(self, classes, channels=1, proj=128, head="simmatch"):
        super().__init__()

        def block(cin, cout):
            return [nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout, momentum=0.001), act()]

        self.features = nn.Sequential(
            *block(channels, 32), *block(32, 32), nn.MaxPool2d(2),
            *block(32, 64), *block(64, 64), nn.MaxPool2d(2),
            *block(64, 128))
        self.fc = nn.Linear(128, classes)
        self.simclr = head == "simclr"
        if self.simclr:
            self.proj_head = SimclrHead(128, proj)
        else:
            self.mlp_proj = nn.Sequential(nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, proj))

    def pooled(self, x):
        return F.adaptive_avg_pool2d(self.features(x), 1).flatten(1)

    def forward(self, x):
        h = self.pooled(x)
        if self.simclr:
            return self.fc(h), self.proj_head(h)
        return self.fc(h), F.normalize(self.mlp_proj(h), dim=1)


class Autocast:
    """The model's forward pass under CPU autocast; logits and embedding returned in float32."""

    def __init__(self, model, dtype):
        self.model = model
        self.dtype = dtype

    def __call__(self, x):
        with torch.autocast("cpu", dtype=self.dtype):
            logits, emb = self.model(x)
        return logits.float(), emb.float()


def step_supervised(model, x, y, state):
    logits, _ = model(x)
    return F.cross_entropy(logits, y)


def step_fixmatch(model, x, y, uw, us, state, tau=0.95):
    bx, bu = x.shape[0], uw.shape[0]
    logits, _ = model(torch.cat([x, uw, us]))
    lx, lw, ls = logits[:bx], logits[bx:bx + bu], logits[bx + bu:]
    p = torch.softmax(lw.detach(), 1)
    conf, pseudo = p.max(1)
    mask = (conf >= tau).float()
    return F.cross_entropy(lx, y) + (F.cross_entropy(ls, pseudo, reduction="none") * mask).mean()


def step_simmatch(model, x, y, uw, us, state, tau=0.95, tt=0.1, ts=0.1, alpha=0.9):
    """USB-form SimMatch: online teacher, momentum bank, DA queue with eps."""
    bx, bu = x.shape[0], uw.shape[0]
    logits, feats = model(torch.cat([x, uw, us]))
    lx, lw, ls = logits[:bx], logits[bx:bx + bu], logits[bx + bu:]
    fx, fw, fs = feats[:bx], feats[bx:bx + bu], feats[bx + bu:]
    bank, labels, queue = state["bank"], state["labels"], state["queue"]
    snapshot = bank.clone()  # the loss reads the bank as it was before this step's update
    c = lx.shape[1]
    with torch.no_grad():
        p = torch.softmax(lw.detach(), 1)
        queue[state["ptr"]] = p.mean(0)
        state["ptr"] = (state["ptr"] + 1) % queue.shape[0]
        p = p * (1.0 / c + 1e-6) / (queue.mean(0) + 1e-6)
        p = p / p.sum(1, keepdim=True)
        qw = torch.softmax(fw.detach() @ snapshot.t() / tt, 1)
        factor = p.gather(1, labels.expand(bu, -1))
        qhat = qw * factor
        qhat = qhat / qhat.sum(1, keepdim=True)
        qagg = torch.zeros(bu, c).scatter_add(1, labels.expand(bu, -1), qw)
        phat = alpha * p + (1 - alpha) * qagg
    qs = torch.softmax(fs @ snapshot.t() / ts, 1)
    mask = (phat.max(1)[0] >= tau).float()
    loss_u = ((-phat * F.log_softmax(ls, 1)).sum(1) * mask).mean()
    loss_in = (-qhat * torch.log(qs)).sum(1).mean()
    loss = F.cross_entropy(lx, y) + loss_u + loss_in
    with torch.no_grad():
        idx = state["index"]
        bank[idx] = F.normalize(0.7 * bank[idx] + 0.3 * fx.detach(), dim=1)
        labels[0, idx] = y
    return loss


def step_simclr(model, uw, us, t=0.5):
    """SimCLR's NT-Xent as the official code: one forward over both views, L2-normalised rows,
    self-similarities masked by subtracting 1e9, loss_a + loss_b."""
    n = uw.shape[0]
    _, z = model(torch.cat([uw, us]))
    h1, h2 = F.normalize(z[:n], dim=1), F.normalize(z[n:], dim=1)
    mask = torch.eye(n) * 1e9
    target = torch.arange(n)
    logits_ab, logits_ba = h1 @ h2.t() / t, h2 @ h1.t() / t
    logits_aa, logits_bb = h1 @ h1.t() / t - mask, h2 @ h2.t() / t - mask
    return (F.cross_entropy(torch.cat([logits_ab, logits_aa], 1), target)
            + F.cross_entropy(torch.cat([logits_ba, logits_bb], 1), target))


class Lars:
    """SimCLR's LARS (classic momentum, no Nesterov): excluded parameters (BN, biases, classifier)
    get v = m v + lr g; the others g' = g + wd w, trust = eeta |w| / |g'|, v = m v + lr trust g';
    then w -= v."""

    def __init__(self, model, lr=1.0, momentum=0.9, wd=1e-4, eeta=0.001):
        bn = {id(p) for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)
              for p in m.parameters()}
        self.params = [(p, id(p) in bn or n.endswith("bias") or n.startswith("fc."))
                       for n, p in model.named_parameters() if p.requires_grad]
        self.slots = [torch.zeros_like(p) for p, _ in self.params]
        self.lr, self.m, self.wd, self.eeta = lr, momentum, wd, eeta

    def zero_grad(self, set_to_none=True):
        for p, _ in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        for (p, excluded), v in zip(self.params, self.slots):
            if p.grad is None:
                continue
            g = p.grad
            if excluded:
                v.mul_(self.m).add_(g, alpha=self.lr)
            else:
                g = g + self.wd * p
                wn, gn = p.norm(), g.norm()
                trust = self.eeta * wn / gn if wn > 0 and gn > 0 else 1.0
                v.mul_(self.m).add_(g * (self.lr * trust))
            p.sub_(v)


def pooled_features(model, x):
    return model.pooled(x) if isinstance(model, CnnSmall) else model.features(x)


def set_bn_momentum(model, momentum):
    """PyTorch momentum 0 leaves the running statistics as they are (USB's Bn_Controller restore)."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = momentum


def soft_ce(logits, targets):
    return (-targets * F.log_softmax(logits, 1)).sum(1).mean()


def step_remixmatch(model, x, y, uw, us0, us1, urot, rot, state, T=0.5, alpha=0.75, lambda_u=1.5,
                    lambda_kl=0.5, lambda_rot=0.5, ramp_steps=16384.0):
    """USB-form ReMixMatch: EMA DA (update, then apply), sharpening, MixUp over [x; s0; s1; w] with
    one lambda and one permutation, chunked mixed forward with BN running statistics from the first
    chunk only, un-mixed s0 term, rotation head. The forwards of x and s1 alone are skipped, as on
    the Java side."""
    bx, c = x.shape[0], model.fc.out_features
    w = min(state["it"] / ramp_steps, 1.0)
    set_bn_momentum(model, 0.0)
    with torch.no_grad():
        p = torch.softmax(model.fc(pooled_features(model, uw)), 1)
        mean = p.mean(0)
        state["p_model"] = mean if state["p_model"] is None else 0.999 * state["p_model"] + 0.001 * mean
        pa = p * (state["p_target"] + 1e-6) / (state["p_model"] + 1e-6)
        pa = pa / pa.sum(1, keepdim=True)
        q = pa ** (1.0 / T)
        q = q / q.sum(1, keepdim=True)
        inputs = torch.cat([x, us0, us1, uw])
        targets = torch.cat([F.one_hot(y, c).float(), q, q, q])
        l = random.betavariate(alpha, alpha)
        lam = max(l, 1 - l)
        perm = torch.randperm(inputs.shape[0])
        mixed_x = lam * inputs + (1 - lam) * inputs[perm]
        mixed_y = lam * targets + (1 - lam) * targets[perm]
    logits_s0 = model.fc(pooled_features(model, us0))
    chunks = []
    for i, chunk in enumerate(torch.split(mixed_x, bx)):
        set_bn_momentum(model, 0.001 if i == 0 else 0.0)
        chunks.append(model.fc(pooled_features(model, chunk)))
    set_bn_momentum(model, 0.0)
    logits_rot = model.rot_classifier(pooled_features(model, urot))
    set_bn_momentum(model, 0.001)
    logits = torch.cat(chunks)
    loss_x = soft_ce(logits[:bx], mixed_y[:bx])
    loss_u = soft_ce(logits[bx:], mixed_y[bx:])
    loss_u1 = soft_ce(logits_s0, q)
    loss_rot = F.cross_entropy(logits_rot, rot)
    state["it"] += 1
    return loss_x + lambda_kl * w * loss_u1 + lambda_u * w * loss_u + lambda_rot * loss_rot


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="wrn28_2", choices=["wrn28_2", "cnn-small"])
    ap.add_argument("--algorithm", default="supervised",
                    choices=["supervised", "fixmatch", "simmatch", "remixmatch", "simclr"])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--mu", type=int, default=7)
    ap.add_argument("--size", type=int, default=None, help="image side (default 32 for wrn, 28 for cnn-small)")
    ap.add_argument("--channels", type=int, default=None)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--min-seconds", type=float, default=0.0,
                    help="keep timing steps until this much time has passed (short steps are averaged over many)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="after the timing, profile N more steps and print the self CPU time per op")
    ap.add_argument("--autocast", default="none", choices=["none", "bf16"],
                    help="bf16: forward pass under torch.autocast(\"cpu\", dtype=torch.bfloat16) (mixed precision)")
    ap.add_argument("--memory-format", default="channels_last", choices=["channels_last", "contiguous"],
                    help="layout of weights and images; channels_last (NHWC, as TensorFlow) is the faster on CPU")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    size = a.size or (32 if a.model == "wrn28_2" else 28)
    ch = a.channels or (3 if a.model == "wrn28_2" else 1)
    fmt = torch.channels_last if a.memory_format == "channels_last" else torch.contiguous_format
    if a.algorithm == "simclr" and a.model != "cnn-small":
        raise SystemExit("bench_step: --algorithm simclr is written for cnn-small only")
    head = "simclr" if a.algorithm == "simclr" else "simmatch"
    model = WRN(a.classes) if a.model == "wrn28_2" else CnnSmall(a.classes, ch, head=head)
    if a.algorithm == "remixmatch":
        model.rot_classifier = nn.Linear(model.fc.in_features, 4)
    model = model.to(memory_format=fmt)
    decay = [p for n, p in model.named_parameters() if "bn" not in n and "bias" not in n]
    no_decay = [p for n, p in model.named_parameters() if "bn" in n or "bias" in n]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0}],
                          lr=0.03, momentum=0.9, nesterov=True)
    if a.algorithm == "simclr":
        opt = Lars(model)
    model.train()
    forward = Autocast(model, torch.bfloat16) if a.autocast == "bf16" else model
    b, bu = a.batch, a.batch * a.mu
    k = 4 * b
    x = torch.randn(b, ch, size, size).contiguous(memory_format=fmt)
    y = torch.randint(0, a.classes, (b,))
    uw = torch.randn(bu, ch, size, size).contiguous(memory_format=fmt)
    us = torch.randn(bu, ch, size, size).contiguous(memory_format=fmt)
    state = {"bank": F.normalize(torch.randn(k, 128), dim=1), "labels": torch.randint(0, a.classes, (1, k)),
             "queue": torch.zeros(32, a.classes), "ptr": 0, "index": torch.randperm(k)[:b],
             "p_model": None, "p_target": torch.full((a.classes,), 1.0 / a.classes), "it": 0}
    us1 = torch.randn(bu, ch, size, size).contiguous(memory_format=fmt)
    urot = torch.randn(bu, ch, size, size).contiguous(memory_format=fmt)
    rot = torch.randint(0, 4, (bu,))
    # Images the batcher delivers per step, as on the Java side.
    per_step = {"supervised": b, "remixmatch": b + 4 * bu, "simclr": 2 * bu}.get(a.algorithm, b + 2 * bu)
    # EMA evaluation model as on the Java side: parameters averaged with decay 0.999, BN running
    # statistics copied.
    ema_params = [p.detach().clone() for p in model.parameters()]
    ema_buffers = [t.detach().clone() for t in model.buffers()]

    def ema_update(decay=0.999):
        with torch.no_grad():
            for e, p in zip(ema_params, model.parameters()):
                e.mul_(decay).add_(p, alpha=1.0 - decay)
            for e, t in zip(ema_buffers, model.buffers()):
                e.copy_(t)

    def one():
        opt.zero_grad(set_to_none=True)
        if a.algorithm == "supervised":
            loss = step_supervised(forward, x, y, state)
        elif a.algorithm == "fixmatch":
            loss = step_fixmatch(forward, x, y, uw, us, state)
        elif a.algorithm == "simclr":
            loss = step_simclr(forward, uw, us)
        elif a.algorithm == "simmatch":
            loss = step_simmatch(forward, x, y, uw, us, state)
        else:
            # ReMixMatch's step reaches into the model's layers (mixup chunks, rotation head), so the
            # whole step runs under autocast, as USB's --amp does.
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.autocast == "bf16"):
                loss = step_remixmatch(model, x, y, uw, us, us1, urot, rot, state)
            loss = loss.float()
        loss.backward()
        opt.step()
        ema_update()
        if not torch.isfinite(loss).item():
            raise SystemExit(f"bench_step: loss became {loss.item()}")

    for _ in range(a.warmup):
        one()
    t0 = time.perf_counter()
    timed = 0
    while timed < a.steps or time.perf_counter() - t0 < a.min_seconds:
        one()
        timed += 1
    dt = (time.perf_counter() - t0) / timed
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"framework": "pytorch", "torch": torch.__version__, "model": a.model,
                      "memory_format": a.memory_format, "algorithm": a.algorithm,
                      "precision": "bfloat16" if a.autocast == "bf16" else "float32", "batch": b, "mu": a.mu,
                      "steps": timed, "images_per_step": per_step, "images_per_second": per_step / dt,
                      "step_ms": dt * 1000, "peak_rss_mb": rss}))
    if a.profile > 0:
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(a.profile):
                one()
        print(f"self CPU time over {a.profile} profiled steps (divide by {a.profile} for a step)")
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=20))


if __name__ == "__main__":
    main()
