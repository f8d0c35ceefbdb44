"""PyTorch twins of src/ModelDsl/Layers: the same submodule, parameter and buffer names (TorchSharp
registers fields under their C# names), the same shapes and initialization, and the same forward math.
Each class names the C# class it mirrors; a change there needs the same change here, which the forward
parity tests catch.
"""

import math

import torch
from torch import nn
import torch.nn.functional as F

_LEAKY_SLOPE = 0.01


def activate(x, activation):
    """Activations.Apply."""
    if activation == "relu":
        return F.relu(x)
    if activation == "leaky_relu":
        return F.leaky_relu(x, _LEAKY_SLOPE)
    if activation == "tanh":
        return torch.tanh(x)
    if activation == "gelu":
        return F.gelu(x)
    if activation == "swish":
        return F.silu(x)
    raise ValueError(f"Unknown activation '{activation}'.")


class Regularization:
    """The activation and dropout of hidden layers (RegularizationSettings)."""

    def __init__(self, spec_regularization):
        self.activation = spec_regularization["activation"]
        self.dropout = float(spec_regularization["dropout"])


def _hidden(module, x, regularization):
    """A hidden layer's activation, then dropout in training mode."""
    x = activate(x, regularization.activation)
    return F.dropout(x, regularization.dropout, module.training) if regularization.dropout > 0 else x


class EmbeddingGroup(nn.Module):
    """EmbeddingGroup: one concatenated table per width; each column looks up at its segment's offset.
    Sequences (−1-padded) are masked: padding gets zero rows and no lookup, and pools to nothing."""

    def __init__(self, first_column, total_columns, dim, segments, slots, sparse=True):
        super().__init__()
        self.first_column = first_column
        self.total_columns = total_columns
        self.dim = dim
        self.slots = [(s["segment"], s["length"], s.get("pooling")) for s in slots]
        segment_offsets = [0] * len(segments)
        for i in range(1, len(segments)):
            segment_offsets[i] = segment_offsets[i - 1] + segments[i - 1]
        columns, self.slot_columns = [], []
        for segment, length, _ in self.slots:
            self.slot_columns.append(len(columns))
            columns.extend([segment_offsets[segment]] * length)
        self.columns = len(columns)
        self.has_sequences = any(p is not None for _, _, p in self.slots)
        self.table = nn.Embedding(segment_offsets[-1] + segments[-1], dim, sparse=sparse)
        with torch.no_grad():
            nn.init.uniform_(self.table.weight, -0.05, 0.05)
        self.register_buffer("offsets", torch.tensor(columns, dtype=torch.int64))

    @property
    def output_width(self):
        return len(self.slots) * self.dim

    def forward(self, categorical):
        rows, mask = self.lookup(categorical)
        if mask is None:
            return rows.reshape(-1, self.output_width)
        parts, s = [], 0
        while s < len(self.slots):
            segment, length, pooling = self.slots[s]
            if pooling is not None:
                c = self.slot_columns[s]
                parts.append(_pool(rows[:, c:c + length], mask[:, c:c + length], pooling))
                s += 1
                continue
            start = s
            while s < len(self.slots) and self.slots[s][2] is None:
                s += 1
            c = self.slot_columns[start]
            parts.append(rows[:, c:c + s - start].reshape(-1, (s - start) * self.dim))
        return torch.cat(parts, 1)

    def looked_up_squares(self, categorical):
        """Σ‖row‖² over the rows a batch looks up, padding excluded (EmbeddingGroup.LookedUpSquares)."""
        return self.lookup(categorical)[0].square().sum()

    def lookup(self, categorical):
        """The rows [batch, columns, dim] (zero for padding) and, with sequences, the mask of real columns."""
        ids = categorical if self.columns == self.total_columns else categorical[:, self.first_column:self.first_column + self.columns]
        if not self.has_sequences:
            return self.table(ids + self.offsets), None
        mask = ids.ge(0)
        real = self.table((ids + self.offsets).masked_select(mask))
        rows = real.new_zeros(ids.shape[0], ids.shape[1], self.dim).masked_scatter(mask.unsqueeze(2), real)
        return rows, mask


def _pool(rows, mask, pooling):
    present = mask.unsqueeze(2)
    count = present.sum(1, dtype=torch.float32)
    if pooling == "sum":
        return rows.sum(1)
    if pooling == "mean":
        return rows.sum(1) / count.clamp_min(1)
    return rows.masked_fill(present.logical_not(), float("-inf")).amax(1).masked_fill(count.eq(0), 0)


class NumericTransforms(nn.Module):
    """NumericTransforms: log(1 + x) on Log1p columns, then (x − mean) · scale on Standardize columns.
    The statistics are buffers taken from the weights file (C# fits them)."""

    def __init__(self, log1p, standardize):
        super().__init__()
        self.any_log1p = any(log1p)
        self.any_standardize = any(standardize)
        self.standardize = list(standardize)
        self.register_buffer("log1p", torch.tensor(log1p, dtype=torch.bool))
        self.register_buffer("mean", torch.zeros(len(log1p)))
        self.register_buffer("scale", torch.ones(len(log1p)))
        self.register_buffer("rows", torch.zeros(1, dtype=torch.float64))

    def forward(self, numeric):
        x = torch.where(self.log1p, numeric.log1p(), numeric) if self.any_log1p else numeric
        return (x - self.mean) * self.scale if self.any_standardize else x


class Mlp(nn.Module):
    """Mlp: Linear layers, each followed by the activation and dropout."""

    def __init__(self, input_width, units, regularization):
        super().__init__()
        widths = [input_width] + list(units)
        self.layers = nn.ModuleList(nn.Linear(widths[i], widths[i + 1]) for i in range(len(units)))
        self.regularization = regularization
        self.output_width = widths[-1]

    def forward(self, x, scales=None):
        """Each layer's activated units times ``scales[layer]`` before dropout (PPNet's gates), when given."""
        r = self.regularization
        for i, layer in enumerate(self.layers):
            x = activate(layer(x), r.activation)
            if scales is not None:
                x = x * scales[i]
            if r.dropout > 0:
                x = F.dropout(x, r.dropout, self.training)
        return x


class Tower(nn.Module):
    """Tower: hidden layers, then the output units, [batch, outputs]: 1, or a multiclass task's classes."""

    def __init__(self, input_width, units, regularization, outputs=1):
        super().__init__()
        self.hidden = Mlp(input_width, units, regularization)
        self.output = nn.Linear(self.hidden.output_width, outputs)

    def forward(self, x, scales=None):
        return self.output(self.hidden(x, scales))


GATE_SCALE = 2.0
"""PriorGate.Scale: PEPNet's γ, the largest scale a gate gives."""


class PriorGate(nn.Module):
    """PriorGate, PEPNet's Gate NU: γ·σ(W₂·ReLU(W₁·[prior, sg(general)] + b₁) + b₂); the prior columns of
    the embedded input keep their gradient, the general input is detached."""

    def __init__(self, prior_columns, general_width, units, output_width):
        super().__init__()
        self.prior_columns = list(prior_columns)
        self.hidden = nn.Linear(len(self.prior_columns) + general_width, units)
        self.output = nn.Linear(units, output_width)

    def forward(self, embedded, general):
        index = torch.tensor(self.prior_columns, dtype=torch.int64, device=embedded.device)
        x = torch.cat([embedded.index_select(1, index), general.detach()], 1)
        return torch.sigmoid(self.output(F.relu(self.hidden(x)))) * GATE_SCALE


class TowerGates(nn.Module):
    """TowerGates, PEPNet's PPNet: one PriorGate per tower layer depth; depth l's columns are the layer-l
    units of every tower that has one, side by side in task order."""

    def __init__(self, prior_columns, general_width, gate_units, towers):
        super().__init__()
        self.towers = [list(t) for t in towers]
        self.layers = nn.ModuleList(
            PriorGate(prior_columns, general_width, units, sum(t[l] for t in self.towers if len(t) > l))
            for l, units in enumerate(gate_units))

    def forward(self, embedded, general):
        """Per task, the scales of each of its tower's hidden layers."""
        scales = [gate(embedded, general) for gate in self.layers]
        per_task = []
        for t, units in enumerate(self.towers):
            starts = [sum(o[l] for o in self.towers[:t] if len(o) > l) for l in range(len(units))]
            per_task.append([scales[l][:, starts[l]:starts[l] + u] for l, u in enumerate(units)])
        return per_task


class ExpertNormalization(nn.Module):
    """ExpertNormalization (HoME): BatchNorm1d over [batch, experts·units] with PyTorch's momentum and eps; a
    training batch of one sample is normalized with the running statistics, which it leaves alone."""

    MOMENTUM = 0.1
    EPSILON = 1e-5

    def __init__(self, features):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(features))
        self.bias = nn.Parameter(torch.zeros(features))
        self.register_buffer("runningMean", torch.zeros(features))
        self.register_buffer("runningVariance", torch.ones(features))

    def forward(self, x):
        return F.batch_norm(x, self.runningMean, self.runningVariance, self.weight, self.bias,
                            self.training and x.shape[0] > 1, self.MOMENTUM, self.EPSILON)


class ExpertGroup(nn.Module):
    """ExpertGroup: the first layer of all experts is one Linear into [batch, experts·units]; later layers
    are a batched matmul over per-expert weights [experts, in, out]. Output [batch, experts, units]. With
    ``normalize`` (HoME) the last layer is batch-normalized, then Swish instead of the model's activation."""

    def __init__(self, input_width, experts, units, regularization, normalize=False):
        super().__init__()
        self.experts = experts
        self.units = list(units)
        self.regularization = regularization
        # A normalized last layer has no bias: the normalization's shift replaces it.
        self.first = nn.Linear(input_width, experts * units[0], bias=not normalize or len(units) > 1)
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for layer in range(1, len(units)):
            bound = 1 / math.sqrt(units[layer - 1])
            self.weights.append(nn.Parameter(torch.empty(experts, units[layer - 1], units[layer]).uniform_(-bound, bound)))
            if not normalize or layer < len(units) - 1:
                self.biases.append(nn.Parameter(torch.empty(experts, units[layer]).uniform_(-bound, bound)))
        self.normalization = ExpertNormalization(experts * units[-1]) if normalize else None

    @property
    def output_width(self):
        return self.units[-1]

    @property
    def last_weight(self):
        return self.weights[-1] if len(self.weights) > 0 else self.first.weight

    def forward(self, x):
        x = self.first(x)
        if len(self.weights) == 0:
            return self._last(x).reshape(-1, self.experts, self.units[0])
        x = _hidden(self, x, self.regularization).reshape(-1, self.experts, self.units[0]).transpose(0, 1)
        for weight, bias in zip(self.weights[:-1], self.biases):
            x = _hidden(self, torch.matmul(x, weight) + bias.unsqueeze(1), self.regularization)
        x = torch.matmul(x, self.weights[-1])
        if self.normalization is None:
            x = x + self.biases[-1].unsqueeze(1)
        x = x.transpose(0, 1)
        return self._last(x.reshape(x.shape[0], -1)).reshape(-1, self.experts, self.units[-1])

    def _last(self, x):
        """The last layer's activation on [batch, experts·units]: normalized and Swish with HoME's normalization."""
        if self.normalization is None:
            return _hidden(self, x, self.regularization)
        x = activate(self.normalization(x), "swish")
        return F.dropout(x, self.regularization.dropout, self.training) if self.regularization.dropout > 0 else x


def _block_diagonal(outputs, inputs):
    mask = torch.zeros(sum(outputs), sum(inputs))
    row = column = 0
    for out, inp in zip(outputs, inputs):
        mask[row:row + out, column:column + inp] = 1
        row, column = row + out, column + inp
    return mask


class GateGroup(nn.Module):
    """GateGroup: all gates' layers as one Linear per layer (block-diagonal, by a non-persistent mask
    buffer, where gates read separate inputs); gate g mixes the experts of ``members[g]`` by softmax."""

    def __init__(self, input_width, members, experts, units, separate_inputs, regularization):
        super().__init__()
        self.gates = len(members)
        self.experts = experts
        self.regularization = regularization
        inputs = [input_width] * self.gates
        shared = not separate_inputs
        self.layers = nn.ModuleList()
        self.masked = []
        for outputs in [[u] * self.gates for u in units] + [[len(m) for m in members]]:
            linear = nn.Linear(input_width if shared else sum(inputs), sum(outputs))
            if not shared:
                mask = _block_diagonal(outputs, inputs)
                bound = 1 / math.sqrt(inputs[0])
                with torch.no_grad():
                    linear.weight.uniform_(-bound, bound).mul_(mask)
                    linear.bias.uniform_(-bound, bound)
                self.register_buffer(f"mask{len(self.layers)}", mask, persistent=False)
            self.masked.append(not shared)
            self.layers.append(linear)
            inputs, shared = outputs, False
        if any(list(m) != list(range(experts)) for m in members):
            index, fill, column = [0] * (self.gates * experts), [float("-inf")] * (self.gates * experts), 0
            for g, m in enumerate(members):
                for e in m:
                    index[g * experts + e], fill[g * experts + e] = column, 0.0
                    column += 1
            self.register_buffer("scoreIndex", torch.tensor(index, dtype=torch.int64))
            self.register_buffer("scoreFill", torch.tensor(fill, dtype=torch.float32))
        else:
            self.scoreIndex = None

    def scores(self, x):
        for i, layer in enumerate(self.layers):
            x = F.linear(x, layer.weight * getattr(self, f"mask{i}"), layer.bias) if self.masked[i] else layer(x)
            if i < len(self.layers) - 1:
                x = _hidden(self, x, self.regularization)
        if self.scoreIndex is not None:
            x = x.index_select(1, self.scoreIndex) + self.scoreFill
        return x.reshape(-1, self.gates, self.experts)

    def mix(self, x, experts):
        """Each gate's softmax-weighted sum of the experts [batch, experts, units]: [batch, gates, units]."""
        weights = F.softmax(self.scores(x), -1)
        return (weights.unsqueeze(3) * experts.unsqueeze(1)).sum(2)


class ExtractionLevel(nn.Module):
    """ExtractionLevel (PLE): per-task and shared experts; a gate per task over its own and the shared
    experts, and below the last level a shared gate over all experts. With ``adaptive_fusion`` an AdaTT level:
    every gate mixes all experts and adds a linear combination of its own unit's experts (the residual),
    with learned weights ``native`` unless every unit has one expert; shared experts are optional."""

    def __init__(self, input_width, tasks, shared_count, task_count, expert_units, gate_units, first, last, regularization,
                 normalize_experts=False, adaptive_fusion=False):
        super().__init__()
        self.taskExperts = nn.ModuleList(ExpertGroup(input_width, task_count, expert_units, regularization, normalize_experts) for _ in range(tasks))
        self.sharedExperts = ExpertGroup(input_width, shared_count, expert_units, regularization, normalize_experts) \
            if shared_count > 0 or not adaptive_fusion else None
        experts = tasks * task_count + shared_count
        self.shared_gate = not last and shared_count > 0
        units = [list(range(t * task_count, (t + 1) * task_count)) for t in range(tasks)]
        if self.shared_gate:
            units.append(list(range(tasks * task_count, experts)))
        shared = list(range(tasks * task_count, experts))
        members = [list(range(experts)) if adaptive_fusion or u >= tasks else own + shared for u, own in enumerate(units)]
        self.gates = GateGroup(input_width, members, experts, gate_units, not first, regularization)
        self.adaptive = adaptive_fusion
        learned = adaptive_fusion and (task_count > 1 or shared_count > 1)
        bounds = torch.tensor([1 / math.sqrt(len(own)) for own in units for _ in own])
        self.native = nn.Parameter(torch.empty(len(bounds)).uniform_(-1, 1) * bounds) if learned else None
        if adaptive_fusion:
            mask = torch.zeros(len(units), experts)
            for u, own in enumerate(units):
                mask[u, own] = 1
            self.register_buffer("nativeMask", mask, persistent=False)
        self.first = first
        self.output_width = self.taskExperts[0].output_width

    @property
    def shared_last_weight(self):
        """ExtractionLevel.SharedLastWeight: the shared experts', or without them task 0's."""
        return (self.sharedExperts if self.sharedExperts is not None else self.taskExperts[0]).last_weight

    def forward(self, tasks, shared):
        outputs = [e(x) for e, x in zip(self.taskExperts, tasks)]
        if self.sharedExperts is not None:
            outputs.append(self.sharedExperts(shared))
        experts = torch.cat(outputs, 1)
        gate_input = shared if self.first else torch.cat(list(tasks) + ([shared] if self.shared_gate else []), 1)
        mixed = self.gates.mix(gate_input, experts)
        if self.adaptive:
            combination = self.nativeMask if self.native is None \
                else self.nativeMask * F.pad(self.native, (0, self.nativeMask.shape[1] - self.native.shape[0]))
            mixed = mixed + torch.matmul(combination, experts)
        return [mixed[:, t] for t in range(len(tasks))], mixed[:, len(tasks)] if self.shared_gate else None
