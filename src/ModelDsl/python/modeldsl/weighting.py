"""Loss weighting strategies: twins of src/ModelDsl/Training/Weighting (static, Uncertainty, DWA, GradNorm).

A strategy turns a step's per-task losses [tasks] into the total to minimize and reports each task's
weight. Under data parallelism every rank holds the same strategy state: what a strategy reads beyond
its own rank's batch (GradNorm's losses and gradient norms, DWA's epoch losses) is all-reduced first, so
ranks agree and equal one process on the combined batch.
"""

import math

import torch

from .losses import check_finite
from .optim import Adam


def create(settings, spec, learning_rate, collective):
    """The strategy of ``settings`` ({strategy, alpha, temperature}, as LossWeightingSettings). ``combine(task_losses,
    step)`` takes the step's per-task losses (with graph) and a ``Step`` (shared_weight, epoch, index)."""
    strategy = settings["strategy"]
    if strategy == "uncertainty":
        return UncertaintyWeighting(spec)
    if strategy == "grad_norm":
        return GradNormWeighting(spec, settings.get("alpha", 1.5), learning_rate, collective)
    if strategy == "dynamic_weight_average":
        return DynamicWeightAverage(spec, settings.get("temperature", 2.0))
    if strategy == "static":
        return StaticWeighting(spec)
    raise ValueError(f"Unknown loss weighting strategy '{strategy}'.")


class Strategy:
    """What every strategy has: no parameters of its own, nothing to do after an epoch, no state to save."""

    parameters = ()

    def end_epoch(self, epoch_losses):
        pass

    def state_dict(self):
        return {}

    def load_state_dict(self, state):
        pass


class StaticWeighting(Strategy):
    """Σ wₖ·Lₖ with the static LossWeights."""

    def __init__(self, spec):
        self.weights = [float(t["loss_weight"]) for t in spec.tasks]
        self._factors = torch.tensor(self.weights, dtype=torch.float32)

    def combine(self, task_losses, step):
        return (task_losses * self._factors.to(task_losses.device)).sum()


class UncertaintyWeighting(Strategy):
    """Kendall, Gal & Cipolla: total = Σ cₖ·e^(−sₖ)·Lₖ + ½sₖ with learned sₖ = log σₖ², cₖ = 1 for binary and
    ½ for regression tasks. sₖ is trained by the model's optimizer (its gradient all-reduced with the model's)."""

    def __init__(self, spec):
        self.log_variances = torch.nn.Parameter(torch.zeros(len(spec.tasks)))
        self.parameters = (self.log_variances,)
        self._scales = torch.tensor([0.5 if t["kind"] == "regression" else 1.0 for t in spec.tasks])

    @property
    def weights(self):
        return [float(v) for v in (self._scales * (-self.log_variances.detach().cpu()).exp())]

    def combine(self, task_losses, step):
        s = self.log_variances.to(task_losses.device)
        return (self._scales.to(task_losses.device) * (-s).exp() * task_losses + 0.5 * s).sum()

    def state_dict(self):
        return {"log_variances": self.log_variances.detach().clone()}

    def load_state_dict(self, state):
        with torch.no_grad():
            self.log_variances.copy_(state["log_variances"])


class DynamicWeightAverage(Strategy):
    """Liu et al.: λₖ(t) = K·exp(rₖ(t−1)/T) / Σᵢ exp(rᵢ(t−1)/T), rₖ(t−1) = Lₖ(t−1)/Lₖ(t−2) on epoch-mean
    losses (all ranks' rows); λ = 1 for the first two epochs."""

    def __init__(self, spec, temperature):
        self.temperature = temperature
        self.history = []
        self.weights = [1.0] * len(spec.tasks)

    def combine(self, task_losses, step):
        return (task_losses * torch.tensor(self.weights, dtype=torch.float32, device=task_losses.device)).sum()

    def end_epoch(self, epoch_losses):
        self.history.append(list(epoch_losses))
        if len(self.history) < 2:
            return
        last, before = self.history[-1], self.history[-2]
        # A loss of 0 (sample weights all 0) gives no rate of descent: the ratio is taken as 1.
        scores = [math.exp((l / b if b > 0 else 1) / self.temperature) for l, b in zip(last, before)]
        total = sum(scores)
        self.weights = [len(last) * s / total for s in scores]

    def state_dict(self):
        return {"weights": list(self.weights), "history": [list(h) for h in self.history]}

    def load_state_dict(self, state):
        self.weights, self.history = list(state["weights"]), [list(h) for h in state["history"]]


class GradNormWeighting(Strategy):
    """GradNorm (Chen et al.) on the last shared layer W: gₖ = ‖∇_W Lₖ‖₂ with ∇_W Lₖ all-reduced over ranks
    (the gradient of the combined batch), Gₖ = wₖ·gₖ, L̃ₖ = Lₖ/Lₖ(0), target Tₖ = mean(G)·(L̃ₖ/mean L̃)^α;
    the weights take an Adam step on Σ|Gₖ − Tₖ| (∂/∂wₖ = sign(Gₖ − Tₖ)·gₖ), are clamped to ≥ 1e-4 and
    renormalized to Σ wₖ = K. The model's step uses the weights in force before this step's update."""

    def __init__(self, spec, alpha, learning_rate, collective):
        self.spec = spec
        self.alpha = alpha
        self.collective = collective
        self.task_weights = torch.nn.Parameter(torch.ones(len(spec.tasks)))
        self.optimizer = Adam([self.task_weights], learning_rate)
        self.initial_losses = None

    @property
    def weights(self):
        return [float(w) for w in self.task_weights.detach()]

    def combine(self, task_losses, step):
        count = len(self.spec.tasks)
        gradients = []
        for t in range(count):
            (g,) = torch.autograd.grad(task_losses[t], [step.shared_weight], retain_graph=True, allow_unused=True)
            gradients.append(torch.zeros_like(step.shared_weight) if g is None else g)
        stacked = self.collective.mean(torch.stack(gradients).detach())
        losses = self.collective.mean(task_losses.detach()).double().cpu().tolist()
        norms = [float(stacked[t].norm()) for t in range(count)]
        for t, norm in enumerate(norms):
            check_finite(norm, "gradient norm", self.spec.tasks[t]["name"], step)
        weights = self.task_weights.detach().clone().to(task_losses.device)
        self.update(losses, norms)
        return (weights * task_losses).sum()

    def update(self, losses, norms):
        count = len(losses)
        if self.initial_losses is None:
            self.initial_losses = [max(l, 1e-12) for l in losses]
        w = self.weights
        g = [w[t] * norms[t] for t in range(count)]
        ratios = [losses[t] / self.initial_losses[t] for t in range(count)]
        mean_ratio, mean_g = sum(ratios) / count, sum(g) / count
        gradient = []
        for t in range(count):
            # All losses 0 (sample weights all 0) say nothing about training rates: each is the mean.
            target = mean_g * (math.pow(ratios[t] / mean_ratio, self.alpha) if mean_ratio > 0 else 1)
            gradient.append(float(_sign(g[t] - target) * norms[t]))
        self.task_weights.grad = torch.tensor(gradient, dtype=torch.float32)
        self.optimizer.step()
        self.task_weights.grad = None
        with torch.no_grad():
            self.task_weights.clamp_(min=1e-4)
            self.task_weights.mul_(count / self.task_weights.sum())

    def state_dict(self):
        return {"weights": self.task_weights.detach().clone(), "initial_losses": self.initial_losses,
                "optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state):
        with torch.no_grad():
            self.task_weights.copy_(state["weights"])
        self.initial_losses = state["initial_losses"]
        self.optimizer.load_state_dict(state["optimizer"])


def _sign(x):
    return (x > 0) - (x < 0)
