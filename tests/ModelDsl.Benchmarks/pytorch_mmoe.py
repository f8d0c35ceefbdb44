"""Plain PyTorch MMoE of the reference shapes (BenchModel.cs), driven by the benchmark's `pytorch` section.

What a user would write instead of ModelDsl: one nn.Embedding per feature, experts, gates and towers as
Linear layers, BCE-with-logits, Adam. Two variants: dense embeddings with Adam, and sparse embeddings with
SparseAdam (the same update rule as ModelDsl's lazy Adam; the dense layers keep Adam).

The C# side starts this once and sends one command per line, so interpreter start-up and imports stay out of
every figure; each command answers one line:
  train <dense|sparse> <threads|default> -> 'steps' and each step's wall seconds (one epoch of shuffled batches)
  score <eager|script> <threads|default> <candidates> <calls> -> 'calls' and each call's wall seconds
  quit
Runs on PyTorch 1.13 and 2.x.
"""
import os
import sys
import time

import numpy as np
import torch
from torch import nn

CATEGORICAL, VOCABULARY, DIM, NUMERIC = 8, 10_000, 16, 8
EXPERTS, EXPERT1, EXPERT2, TOWER, TASKS = 4, 128, 64, 32, 2
BATCH = 512
WIDTH = CATEGORICAL * DIM + NUMERIC


class Mmoe(nn.Module):
    def __init__(self, sparse):
        super().__init__()
        self.embeddings = nn.ModuleList(nn.Embedding(VOCABULARY, DIM, sparse=sparse) for _ in range(CATEGORICAL))
        self.experts = nn.ModuleList(
            nn.Sequential(nn.Linear(WIDTH, EXPERT1), nn.ReLU(), nn.Linear(EXPERT1, EXPERT2), nn.ReLU())
            for _ in range(EXPERTS))
        self.gates = nn.ModuleList(nn.Linear(WIDTH, EXPERTS) for _ in range(TASKS))
        self.towers = nn.ModuleList(
            nn.Sequential(nn.Linear(EXPERT2, TOWER), nn.ReLU(), nn.Linear(TOWER, 1)) for _ in range(TASKS))

    def forward(self, categorical, numeric):
        x = torch.cat([e(categorical[:, i]) for i, e in enumerate(self.embeddings)] + [numeric], dim=1)
        experts = torch.stack([expert(x) for expert in self.experts], dim=1)  # [batch, experts, units]
        logits = []
        for gate, tower in zip(self.gates, self.towers):
            weights = torch.softmax(gate(x), dim=1).unsqueeze(2)
            logits.append(tower((weights * experts).sum(dim=1)))
        return torch.cat(logits, dim=1)


def synthetic(count, seed):
    """The distribution of BenchMmoe.Synthetic: ids skewed to small values, normal numbers, logistic labels."""
    rng = np.random.default_rng(seed)
    categorical = (VOCABULARY * rng.random((count, CATEGORICAL)) ** 2).astype(np.int64)
    numeric = rng.standard_normal((count, NUMERIC)).astype(np.float32)
    n, c = numeric.astype(np.float64), categorical
    click = 0.8 * n[:, 0] - 0.5 * n[:, 1] + np.where(c[:, 0] % 7 == 0, 1.0, -0.3) + 0.3 * n[:, 2] * n[:, 3]
    like = 0.6 * n[:, 0] + 0.4 * n[:, 4] + np.where(c[:, 1] % 5 == 0, 1.2, -0.4) - 1
    labels = np.stack([rng.random(count) < 1 / (1 + np.exp(-click)),
                       rng.random(count) < 1 / (1 + np.exp(-like))], axis=1).astype(np.float32)
    return torch.from_numpy(categorical), torch.from_numpy(numeric), torch.from_numpy(labels)


def blas_library():
    """The BLAS this process actually mapped (Debian's torch reaches it through libblas.so.3)."""
    with open('/proc/self/maps') as maps:
        names = {line.split()[-1] for line in maps if 'blas' in line or 'mkl' in line}
    return ', '.join(sorted(os.path.realpath(n) for n in names)) or 'none mapped'


def matmul_rate(n=1024, repeats=5):
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    best = float('inf')
    for _ in range(repeats):
        begin = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - begin)
    return 2 * n ** 3 / best / 1e9


def set_threads(argument):
    torch.set_num_threads(default_threads if argument == 'default' else int(argument))


class Trainer:
    def __init__(self, sparse, data):
        torch.manual_seed(42)
        self.model = Mmoe(sparse)
        self.data = data
        if sparse:
            tables = [p for name, p in self.model.named_parameters() if name.startswith('embeddings.')]
            dense = [p for name, p in self.model.named_parameters() if not name.startswith('embeddings.')]
            self.optimizers = [torch.optim.SparseAdam(tables, lr=1e-3), torch.optim.Adam(dense, lr=1e-3)]
        else:
            self.optimizers = [torch.optim.Adam(self.model.parameters(), lr=1e-3)]
        self.loss = nn.BCEWithLogitsLoss()

    def epoch(self):
        categorical, numeric, labels = self.data
        order = torch.randperm(len(labels))
        steps = []
        for start in range(0, len(labels) - BATCH + 1, BATCH):
            begin = time.perf_counter()
            rows = order[start:start + BATCH]
            for optimizer in self.optimizers:
                optimizer.zero_grad(set_to_none=True)
            loss = self.loss(self.model(categorical[rows], numeric[rows]), labels[rows])
            loss.backward()
            for optimizer in self.optimizers:
                optimizer.step()
            steps.append(time.perf_counter() - begin)
        return steps


def main():
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else BATCH * 16
    data = synthetic(samples, seed=1)
    trainers = {'dense': Trainer(False, data), 'sparse': Trainer(True, data)}
    scorer = trainers['sparse'].model
    scorer.eval()
    categorical, numeric, _ = synthetic(max(samples, 2_000), seed=2)
    with torch.no_grad():
        scripted = torch.jit.trace(scorer, (categorical[:2], numeric[:2]))
        scripted = torch.jit.freeze(scripted)
    scorers = {'eager': scorer, 'script': scripted}
    print(f'ready torch {torch.__version__}; default threads {default_threads}; BLAS {blas_library()}; '
          f'torch.mm 1024² {matmul_rate():.1f} GFLOP/s at {torch.get_num_threads()} thread(s)', flush=True)
    offset = 0
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == 'quit':
            break
        set_threads(words[2])
        if words[0] == 'train':
            times = trainers[words[1]].epoch()
        else:
            candidates, calls = int(words[3]), int(words[4])
            model = scorers[words[1]]
            times = []
            with torch.no_grad():
                for _ in range(calls):
                    offset = (offset + candidates) % (len(categorical) - candidates)
                    begin = time.perf_counter()
                    model(categorical[offset:offset + candidates], numeric[offset:offset + candidates])
                    times.append(time.perf_counter() - begin)
        print(' '.join(f'{t:.9f}' for t in times), flush=True)


default_threads = torch.get_num_threads()
if __name__ == '__main__':
    main()
