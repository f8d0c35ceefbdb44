"""Each task's loss over a batch, [tasks]: the PyTorch twin of src/ModelDsl/Training/TaskLoss.cs.

Binary cross-entropy on logits, squared error for regression and softmax cross-entropy for multiclass,
each sample's term scaled by its weight (PositivesOnly: positives by their weight, negatives by 1). A task with a Given chain is trained
on every sample through its joint probability against the joint label (ESMM), in log space, plus ESCM²'s
counterfactual risk when it has one (``counterfactual_risk``).
"""

import math

import torch
import torch.nn.functional as F

from .network import task_columns, width_of

# Keeps the joint probability's log finite in the ESMM loss (TaskLoss.ProbabilityFloor).
PROBABILITY_FLOOR = 1e-7


class TaskLoss:
    """``loss(outputs, labels, weights)`` -> [tasks], from forward's [batch, columns] and the batch's labels
    and sample weights ([batch, tasks], weights 1 for tasks without a SampleWeight; a class label is its index)."""

    def __init__(self, spec, device):
        tasks = spec.tasks
        self.tasks = tasks
        self.columns = task_columns(tasks)
        # Per ESCM²-DR task, the forward column of its imputation head: after the tasks' columns, in task order.
        imputed = [t for t, task in enumerate(tasks) if task.get("imputation")]
        logit_columns = self.columns[-1] + width_of(tasks[-1])
        self.imputation_column = {t: logit_columns + i for i, t in enumerate(imputed)}
        # Given and multiclass tasks are computed task by task.
        self.has_given = any(t["given"] >= 0 or t["kind"] == "multiclass" for t in tasks)
        self.all_binary = all(t["kind"] == "binary" for t in tasks)
        self.all_regression = all(t["kind"] == "regression" for t in tasks)
        self.weighted = any(t["sample_weighting"] != "none" for t in tasks)
        self.binary = torch.tensor([t["kind"] == "binary" for t in tasks], device=device)
        positives_only = [t["sample_weighting"] == "positives_only" for t in tasks]
        self.positives_only = torch.tensor(positives_only, device=device) if any(positives_only) else None

    def __call__(self, outputs, labels, weights):
        if self.has_given:
            return self._task_by_task(outputs, labels, weights)
        if self.all_binary:
            terms = _binary_terms(outputs, labels)
        elif self.all_regression:
            terms = (outputs - labels).square()
        else:
            terms = torch.where(self.binary, _binary_terms(outputs, labels), (outputs - labels).square())
        if self.weighted:
            effective = weights if self.positives_only is None else weights.masked_fill(self.positives_only.logical_and(labels.eq(0)), 1)
            terms = terms * effective
        return terms.mean(0)

    def _task_by_task(self, outputs, labels, weights):
        joint_labels, joint_log = {}, {}

        def joint(t, of, combine, memo):
            if t not in memo:
                given = self.tasks[t]["given"]
                memo[t] = of(t) if given < 0 else combine(joint(given, of, combine, memo), of(t))
            return memo[t]

        columns = self.columns

        # A chain's joint label is its labels' product, its joint log-probability the sum of its log-sigmoids.
        def joint_label(t):
            return joint(t, lambda k: labels[:, k], lambda a, b: a * b, joint_labels)

        def joint_log_probability(t):
            return joint(t, lambda k: F.logsigmoid(outputs[:, columns[k]]), lambda a, b: a + b, joint_log)

        per_task = []
        for t, task in enumerate(self.tasks):
            if task["kind"] == "multiclass":
                terms = F.cross_entropy(outputs[:, columns[t]:columns[t] + task["classes"]], labels[:, t].long(), reduction="none")
                per_task.append((terms * weights[:, t] if task["sample_weighting"] == "all" else terms).mean())
                continue
            output = outputs[:, columns[t]]
            # A binary task without Given keeps its own label.
            label = joint_label(t) if task["kind"] == "binary" else labels[:, t]
            weighting = task["sample_weighting"]
            weight = weights[:, t] if weighting == "all" else label * weights[:, t] + (1 - label) if weighting == "positives_only" else None
            if task["kind"] == "regression":
                per_task.append(F.mse_loss(output, label) if weight is None else (weight * (output - label).square()).mean())
            elif task["given"] < 0:
                per_task.append(F.binary_cross_entropy_with_logits(output, label, weight))
            else:
                probability = joint_log_probability(t).exp().clamp(PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)
                loss = F.binary_cross_entropy(probability, label, weight)
                if task.get("counterfactual"):
                    given, column = task["given"], self.imputation_column.get(t)
                    loss = loss + counterfactual_risk(task["counterfactual"], output, labels[:, t], joint_label(given), joint_log_probability(given),
                                                      None if column is None else outputs[:, column], weight)
                per_task.append(loss)
        return torch.stack(per_task)


def counterfactual_risk(settings, logit, label, observed, log_propensity, imputation, weight):
    """ESCM²'s regularizer of a Given task's conditional, the twin of src/ModelDsl/Training/CounterfactualRisk.cs
    (whose comment derives it): IPS mean(o·δ/q̂), DR mean(δ̂ + o·(δ − δ̂)/q̂ + o·(δ_held − δ̂)²/q̂), times the weight.
    ``observed`` o and ``log_propensity`` log q̂ are the given task's joint label and log-probability; q̂ is
    detached and floored; δ̂ = softplus(imputation); ``imputation`` None for IPS."""
    inverse = observed / log_propensity.detach().exp().clamp_min(settings["propensity_floor"])
    error = F.binary_cross_entropy_with_logits(logit, label, reduction="none")
    if imputation is None:
        terms = inverse * error
    else:
        imputed = F.softplus(imputation)
        terms = imputed + inverse * (error - imputed) + inverse * (error.detach() - imputed).square()
    if weight is not None:
        terms = terms * weight
    return settings["weight"] * terms.mean()


def _binary_terms(logits, labels):
    return F.binary_cross_entropy_with_logits(logits, labels, reduction="none")


class Step:
    """What a weighting strategy may need from the current step beyond the losses (MultiTaskStep): the
    last shared layer's weight (GradNorm) and the 1-based epoch and step, for errors."""

    def __init__(self, shared_weight, epoch, index):
        self.shared_weight, self.epoch, self.index = shared_weight, epoch, index


class DivergedError(ArithmeticError):
    """Training diverged: a task's loss or gradient norm became NaN or infinite."""


def check_finite(value, quantity, task, step):
    """Divergence.Check: fails naming the task, epoch and step when ``value`` is not finite."""
    if not math.isfinite(value):
        raise DivergedError(f"Training diverged at epoch {step.epoch}, step {step.index}: the {quantity} of task '{task}' is {value}. "
                            "Lower the learning rate, set gradient_clip_norm, or scale the task's labels down.")
