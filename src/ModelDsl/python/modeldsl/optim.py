"""Optimizers with the C# trainer's semantics (src/ModelDsl/Training/Optimizers.cs, Kernels/AdamKernel.cs).

``Adam``: TorchSharp's Adam arithmetic (m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
w ← w − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε), with g += λw under weight decay). An embedding table is
updated lazily, as the C# trainer does: only the rows the step looked up move, their moments included,
and weight decay reaches only those rows. Bias correction counts the parameter's steps (every step of the
run), not each row's, as TensorFlow's LazyAdam and the C# trainer do. The row set comes from the trainer
(the rows of the step's lookups on every rank), not from the gradient: a looked-up row whose gradient
happens to be exactly 0 still takes its step, as in C#.

``Sgd``: TorchSharp's SGD on dense gradients (momentum without dampening, weight decay on every row),
as C# densifies the tables' gradients for it. AdamW and Adagrad are PyTorch's, on dense gradients, as C#'s.
"""

import math

import torch


class Adam:
    def __init__(self, params, lr, weight_decay=0.0, betas=(0.9, 0.999), eps=1e-8, tables=()):
        self.params = list(params)
        self.lr, self.weight_decay, self.betas, self.eps = lr, weight_decay, betas, eps
        self.tables = {id(t) for t in tables}
        self.state = [None] * len(self.params)

    def set_learning_rate(self, rate):
        self.lr = rate

    @torch.no_grad()
    def step(self, rows=None):
        """One update; ``rows`` maps id(table) to the unique int64 rows looked up this step."""
        beta1, beta2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            state = self.state[i]
            if state is None:
                state = self.state[i] = {"step": 0, "exp_avg": torch.zeros_like(p), "exp_avg_sq": torch.zeros_like(p)}
            step = state["step"] + 1
            correction2 = math.sqrt(1 - beta2 ** step)
            minus_step_size = -self.lr / (1 - beta1 ** step)
            m, v = state["exp_avg"], state["exp_avg_sq"]
            if id(p) in self.tables:
                r = rows[id(p)]
                g = p.grad.index_select(0, r)
                if self.weight_decay:
                    g = g.add(p.index_select(0, r), alpha=self.weight_decay)
                mr = m.index_select(0, r).mul_(beta1).add_(g, alpha=1 - beta1)
                vr = v.index_select(0, r).mul_(beta2).addcmul_(g, g, value=1 - beta2)
                wr = p.index_select(0, r).addcdiv_(mr, vr.sqrt().div_(correction2).add_(self.eps), value=minus_step_size)
                m.index_copy_(0, r, mr)
                v.index_copy_(0, r, vr)
                p.index_copy_(0, r, wr)
            else:
                g = p.grad if not self.weight_decay else p.grad.add(p, alpha=self.weight_decay)
                m.mul_(beta1).add_(g, alpha=1 - beta1)
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                p.addcdiv_(m, v.sqrt().div_(correction2).add_(self.eps), value=minus_step_size)
            state["step"] = step

    def state_dict(self):
        return {"lr": self.lr, "state": self.state}

    def load_state_dict(self, saved):
        self.lr = saved["lr"]
        self.state = [None if s is None else {k: (v.to(p.device) if torch.is_tensor(v) else v) for k, v in s.items()}
                      for s, p in zip(saved["state"], self.params)]


class Sgd:
    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        self.params = list(params)
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self.buffers = [None] * len(self.params)
        self.tables = set()

    def set_learning_rate(self, rate):
        self.lr = rate

    @torch.no_grad()
    def step(self, rows=None):
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            d = p.grad if not self.weight_decay else p.grad.add(p, alpha=self.weight_decay)
            if self.momentum:
                if self.buffers[i] is None:
                    self.buffers[i] = d.clone()
                else:
                    self.buffers[i].mul_(self.momentum).add_(d)
                d = self.buffers[i]
            p.add_(d, alpha=-self.lr)

    def state_dict(self):
        return {"lr": self.lr, "buffers": self.buffers}

    def load_state_dict(self, saved):
        self.lr, self.buffers = saved["lr"], [None if b is None else b.to(p.device) for b, p in zip(saved["buffers"], self.params)]


class _Torch:
    """A torch.optim optimizer behind the same interface (dense gradients)."""

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.tables = set()

    def set_learning_rate(self, rate):
        for group in self.optimizer.param_groups:
            group["lr"] = rate

    def step(self, rows=None):
        self.optimizer.step()

    def state_dict(self):
        return self.optimizer.state_dict()

    def load_state_dict(self, saved):
        self.optimizer.load_state_dict(saved)


def create(options, params, tables):
    """The optimizer of ``options`` (the spec's training options: optimizer, learning_rate, weight_decay, momentum)."""
    kind, lr, decay = options["optimizer"], options["learning_rate"], options.get("weight_decay", 0.0)
    if kind == "adam":
        return Adam(params, lr, decay, tables=tables)
    if kind == "sgd":
        return Sgd(params, lr, options.get("momentum", 0.0), decay)
    if kind == "adam_w":
        return _Torch(torch.optim.AdamW(params, lr, weight_decay=decay))
    if kind == "adagrad":
        return _Torch(torch.optim.Adagrad(params, lr, weight_decay=decay))
    raise ValueError(f"Unknown optimizer '{kind}'.")
