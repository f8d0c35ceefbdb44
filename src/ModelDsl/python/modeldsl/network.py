"""The network of a spec: the PyTorch twin of a generated ``Network`` (a MultiTaskNetwork subclass)
and of TaskOutputs.Served.

``build_network(spec)`` builds it with the state-dict names and shapes the spec lists (which C# took from
the TorchSharp network) and fails if they differ, so a drift between the two runtimes is an error here
rather than a silent misload.
"""

import torch
from torch import nn

from .layers import EmbeddingGroup, ExpertGroup, ExtractionLevel, GateGroup, Mlp, NumericTransforms, PriorGate, Regularization, Tower, TowerGates

_DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64, "bool": torch.bool}


class MultiTaskNetwork(nn.Module):
    """``forward(categorical, numeric)`` returns [batch, columns]: logits of binary tasks (conditional ones
    for Given tasks), values of regression tasks and one logit per class of multiclass tasks, in task order,
    then the training-only imputed errors of ESCM²-DR tasks (ModelSchema.ImputedTasks), as the generated
    TorchSharp ``forward`` does.

    categorical: int64 [batch, spec.categorical_columns], sequences padded with −1.
    numeric: float32 [batch, spec.numeric_columns], raw (the transforms are part of the network).
    """

    def __init__(self, spec, sparse_embeddings=True):
        super().__init__()
        self.spec = spec
        regularization = Regularization(spec.regularization)
        self.embedding_names = []
        for group in spec.embeddings:
            self.add_module(group["name"], EmbeddingGroup(group["first_column"], spec.categorical_columns, group["dim"],
                                                          group["segments"], group["slots"], sparse_embeddings))
            self.embedding_names.append(group["name"])
        transforms = spec.numeric_transforms
        self.transforms_name = transforms["name"] if transforms else None
        if transforms:
            self.add_module(transforms["name"], NumericTransforms(transforms["log1p"], transforms["standardize"]))
        width = sum(getattr(self, n).output_width for n in self.embedding_names) + spec.numeric_columns

        embedding_gate = spec.raw.get("embedding_gate")
        self.embedding_gate_name = embedding_gate["module"] if embedding_gate else None
        if embedding_gate:
            self.add_module(embedding_gate["module"], PriorGate(embedding_gate["prior_columns"], width, embedding_gate["units"][0], width))

        a = spec.architecture
        self.kind = a["kind"]
        if self.kind == "shared_bottom":
            self.bottom = Mlp(width, a["units"], regularization)
            tower_width = self.bottom.output_width
        elif self.kind == "mixture_of_experts":
            self.experts = ExpertGroup(width, a["experts"], a["expert_units"], regularization, a.get("expert_normalization", False))
            self.gates = GateGroup(width, [list(range(a["experts"]))] * a["gates"], a["experts"], a["gate_units"], False, regularization)
            tower_width = self.experts.output_width
        else:
            self.levels = a["levels"]
            for level in range(self.levels):
                self.add_module(f"level_{level}", ExtractionLevel(
                    width if level == 0 else a["expert_units"][-1], len(spec.tasks), a["shared_experts"], a["task_experts"],
                    a["expert_units"], a["gate_units"], level == 0, level == self.levels - 1, regularization,
                    a.get("expert_normalization", False), self.kind == "adaptive_task_to_task_fusion"))
            tower_width = a["expert_units"][-1]
        tower_gates = spec.raw.get("tower_gates")
        self.tower_gates_name = tower_gates["module"] if tower_gates else None
        if tower_gates:
            self.add_module(tower_gates["module"], TowerGates(tower_gates["prior_columns"], width, tower_gates["units"],
                                                             [task["tower"]["units"] for task in spec.tasks]))
        self.tower_names = []
        for task in spec.tasks:
            self.add_module(task["tower"]["module"], Tower(tower_width, task["tower"]["units"], regularization, width_of(task)))
            self.tower_names.append(task["tower"]["module"])
        # ESCM²-DR's imputation towers (training only): a twin of the task's tower on the same input, no PPNet scales.
        self.imputations = [(t, task["imputation"]["module"]) for t, task in enumerate(spec.tasks) if task.get("imputation")]
        for t, name in self.imputations:
            self.add_module(name, Tower(tower_width, spec.tasks[t]["imputation"]["units"], regularization))
        _check_state(self, spec)

    def forward(self, categorical, numeric):
        parts = [getattr(self, n)(categorical) for n in self.embedding_names]
        if self.spec.numeric_columns > 0:
            parts.append(getattr(self, self.transforms_name)(numeric) if self.transforms_name else numeric)
        x = embedded = parts[0] if len(parts) == 1 else torch.cat(parts, 1)
        if self.embedding_gate_name:
            x = embedded * getattr(self, self.embedding_gate_name)(embedded, embedded)
        tasks = len(self.tower_names)
        if self.kind == "shared_bottom":
            inputs = [self.bottom(x)] * tasks
        elif self.kind == "mixture_of_experts":
            mixed = self.gates.mix(x, self.experts(x))
            # One gate (OMoE) feeds every tower; otherwise gate t feeds task t.
            inputs = [mixed[:, t if self.gates.gates > 1 else 0] for t in range(tasks)]
        else:
            inputs, shared = [x] * tasks, x
            for level in range(self.levels):
                inputs, shared = getattr(self, f"level_{level}")(inputs, shared)
        scales = getattr(self, self.tower_gates_name)(embedded, x) if self.tower_gates_name else [None] * tasks
        columns = [getattr(self, n)(i, s) for n, i, s in zip(self.tower_names, inputs, scales)]
        return torch.cat(columns + [getattr(self, n)(inputs[t]) for t, n in self.imputations], 1)

    def served(self, logits):
        """Served outputs [batch, served columns] from forward's [batch, columns], in spec.outputs order
        (TaskOutputs.Served): probabilities (joint along Given chains), values, conditionals, odds, and
        class probabilities (one column per class)."""
        probabilities = logits.sigmoid()
        tasks = self.spec.tasks
        first = task_columns(tasks)
        joint = {}

        def of(t):
            if t not in joint:
                given = tasks[t]["given"]
                joint[t] = probabilities[:, first[t]] if given < 0 else of(given) * probabilities[:, first[t]]
            return joint[t]

        columns = []
        for output in self.spec.outputs:
            t, kind = output["task"], output["kind"]
            if kind == "probability":
                columns.append(of(t))
            elif kind == "value":
                columns.append(logits[:, first[t]])
            elif kind == "conditional":
                columns.append(probabilities[:, first[t]])
            elif kind == "odds":
                columns.append(logits[:, first[t]].exp())
            else:
                columns.append(logits[:, first[t]:first[t] + tasks[t]["classes"]].softmax(1))
        return torch.cat([c if c.dim() == 2 else c.unsqueeze(1) for c in columns], 1)

    def predict(self, categorical, numeric):
        """Served outputs in evaluation mode without gradients (MultiTaskNetwork.Predict)."""
        was_training = self.training
        self.eval()
        try:
            with torch.no_grad():
                return self.served(self.forward(categorical, numeric))
        finally:
            self.train(was_training)

    @property
    def shared_weight(self):
        """The weight of the last layer all tasks share, where GradNorm measures gradient norms."""
        if self.kind == "shared_bottom":
            return self.bottom.layers[-1].weight
        if self.kind == "mixture_of_experts":
            return self.experts.last_weight
        return getattr(self, f"level_{self.levels - 1}").shared_last_weight

    def penalty(self, categorical, embedding_factor=1):
        """MultiTaskNetwork.Penalty: embedding L2 over the rows the batch looks up (once per lookup), dense
        L2 over the weights of every Linear (not the per-expert weights of later expert layers), [1].
        ``embedding_factor`` scales the embedding term: a DDP rank passes the number of ranks (0 when it has
        no rows), since that term is a sum over its own lookups and must survive DDP's gradient average as
        the whole batch's sum, while the dense term is the same on every rank."""
        r = self.spec.regularization
        penalty = torch.zeros(1, device=categorical.device)
        if r["embedding_l2"] > 0 and embedding_factor:
            for n in self.embedding_names:
                penalty = penalty + embedding_factor * r["embedding_l2"] * getattr(self, n).looked_up_squares(categorical)
        if r["dense_l2"] > 0:
            for module in self.modules():
                if isinstance(module, nn.Linear):
                    penalty = penalty + r["dense_l2"] * module.weight.square().sum()
        return penalty


def width_of(task):
    """Columns a task takes in forward's output: a multiclass task's classes, else 1 (TaskInfo.Width)."""
    return task["classes"] if task["kind"] == "multiclass" else 1


def task_columns(tasks):
    """Each task's first column in forward's output (ModelSchema.TaskColumns)."""
    first, column = [], 0
    for task in tasks:
        first.append(column)
        column += width_of(task)
    return first


def build_network(spec, sparse_embeddings=True):
    """The network of ``spec`` (a ``Spec``), freshly initialized like C#'s (same distributions, not the
    same numbers: load the bundle's weights for those). ``state_dict()`` and ``named_parameters()`` carry
    TorchSharp's names. ``sparse_embeddings=False`` gives the tables dense gradients (e.g. for NCCL)."""
    return MultiTaskNetwork(spec, sparse_embeddings)


def _check_state(network, spec):
    state = network.state_dict()
    parameters = {n for n, _ in network.named_parameters()}
    expected = {e["name"]: e for e in spec.state}
    missing = [n for n in expected if n not in state]
    extra = [n for n in state if n not in expected]
    if missing or extra:
        raise ValueError(f"The network built from '{spec.path}' does not match its spec: "
                         f"missing {missing or 'nothing'}, unexpected {extra or 'nothing'}. "
                         "Write the bundle with the ModelDsl that shipped this modeldsl package.")
    for name, tensor in state.items():
        e = expected[name]
        if list(tensor.shape) != e["shape"] or tensor.dtype != _DTYPES[e["dtype"]] or (name in parameters) != e["parameter"]:
            raise ValueError(f"The network built from '{spec.path}' does not match its spec at '{name}': "
                             f"{list(tensor.shape)} {tensor.dtype} here, {e['shape']} {e['dtype']} in the spec.")
