"""The distributed trainer: the C# trainer's loop (src/ModelDsl/Training/ModelTrainer.cs) on PyTorch
DistributedDataParallel, over gloo on CPUs and NCCL on GPUs.

Run one process per rank under ``torchrun`` (``python3 -m modeldsl.train``, which reads RANK, WORLD_SIZE,
LOCAL_RANK, MASTER_ADDR and MASTER_PORT), or let ``python3 -m modeldsl.launch --nproc N`` start N local
ranks. ``run(args, rank, world)`` is the entry point for other launchers (Ray Train, TorchDistributor).

A step takes ``batch_size`` rows of the epoch's order (the global batch) and gives each rank a near-equal
part; per-task losses are scaled by each rank's share, so DDP's gradient average is the gradient of the
whole batch, and everything a strategy reads beyond its own rank (GradNorm's norms and losses, DWA's epoch
losses, the metrics) is all-reduced or gathered. Every rank therefore takes the step one process would
take on the whole batch, within float rounding.
"""

import argparse
import datetime
import json
import math
import os
import sys
import time
import traceback

import numpy as np
import torch
import torch.distributed as dist
from torch.distributed.algorithms.ddp_comm_hooks import default_hooks

from . import checkpoint, data, losses, optim, weighting
from .network import build_network
from .spec import load_spec
from .weights import read_weights, write_weights


def parser():
    p = argparse.ArgumentParser(prog="python3 -m modeldsl.train", description="Trains a ModelDsl training bundle on shards, data-parallel.")
    p.add_argument("--bundle", required=True, help="the training bundle's folder (spec.json, initial.weights)")
    p.add_argument("--train", required=True, help="the training shards' folder")
    p.add_argument("--validation", help="the validation shards' folder (metrics and early stopping)")
    p.add_argument("--weights", help="weights to start from (default: the bundle's initial.weights)")
    p.add_argument("--output", help="where rank 0 writes the trained weights (ModelDsl's weights format); with {rank} in it, every rank writes its own")
    p.add_argument("--checkpoint", help="checkpoint folder, written by rank 0 every checkpoint_every epochs")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --checkpoint")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--optimizer", choices=("adam", "sgd", "adam_w", "adagrad"))
    p.add_argument("--seed", type=int)
    p.add_argument("--device", help="cpu, or cuda (each rank takes the GPU of its local rank)")
    p.add_argument("--threads", type=int, help="intra-op threads per rank (default 1 when several ranks share a machine)")
    p.add_argument("--set", action="append", default=[], metavar="OPTION=JSON",
                   help="overrides any training option of the bundle, e.g. --set 'loss_weighting={\"strategy\":\"grad_norm\",\"alpha\":1.5}'")
    p.add_argument("--steps", type=int, help="stop after this many steps in all (tests)")
    p.add_argument("--timeout", type=float, default=300, help="seconds a collective waits for the other ranks")
    return p


def options_of(spec, args):
    """The bundle's training options (C#'s TrainingOptions in snake_case) with the command line's overrides."""
    options = dict(spec.training)
    for key in ("epochs", "batch_size", "learning_rate", "optimizer", "seed", "device", "threads"):
        if getattr(args, key) is not None:
            options[key] = getattr(args, key)
    for item in args.set:
        key, _, value = item.partition("=")
        if key not in options:
            raise ValueError(f"--set {key}: there is no training option '{key}'; the options are {', '.join(sorted(options))}.")
        options[key] = json.loads(value)
    return options


class Collective:
    """The collectives a step needs beyond DDP's gradient average; a no-op in one process."""

    def __init__(self, world, device):
        self.world, self.device = world, device

    def mean(self, tensor):
        return self.sum(tensor) / self.world if self.world > 1 else tensor

    def sum(self, tensor):
        if self.world == 1:
            return tensor
        t = tensor.detach().to(self.device).clone()
        dist.all_reduce(t)
        return t.to(tensor.device)

    def gather(self, value):
        if self.world == 1:
            return [value]
        values = [None] * self.world
        dist.all_gather_object(values, value)
        return values

    def union(self, ids):
        """The sorted unique ids of all ranks together."""
        if self.world == 1:
            return torch.unique(ids)
        ids = ids.to(self.device)
        length = torch.tensor([ids.numel()], device=self.device)
        dist.all_reduce(length, op=dist.ReduceOp.MAX)
        padded = torch.full((int(length),), -1, dtype=torch.int64, device=self.device)
        padded[:ids.numel()] = ids
        parts = [torch.empty_like(padded) for _ in range(self.world)]
        dist.all_gather(parts, padded)
        every = torch.cat(parts)
        return torch.unique(every[every >= 0]).cpu()


def learning_rate(options, epoch):
    """LearningRateSchedule.Rate."""
    initial, schedule, epochs = options["learning_rate"], options.get("schedule") or {"kind": "constant"}, options["epochs"]
    if schedule["kind"] == "step":
        return initial * math.pow(schedule.get("gamma", 0.5), (epoch - 1) // max(1, schedule.get("step_epochs", 1)))
    if schedule["kind"] == "cosine":
        low = schedule.get("minimum_factor", 0.0)
        return initial * (low + (1 - low) * 0.5 * (1 + math.cos(math.pi * (epoch - 1) / max(1, epochs))))
    return initial


class EarlyStopping:
    """EarlyStopping: the watched validation metric; AUC is maximized, the others minimized."""

    _METRICS = {"auc": "auc", "log_loss": "log_loss", "rmse": "rmse", "mae": "mae"}

    def __init__(self, settings, spec):
        self.metric, self.patience, self.min_delta = settings.get("metric", "auc"), settings.get("patience", 2), settings.get("min_delta", 0.0)
        names = [t["name"] for t in spec.tasks]
        if settings["task"] not in names:
            raise ValueError(f"early_stopping.task '{settings['task']}' is not a task of {spec.model}; its tasks are {', '.join(names)}.")
        self.task = names.index(settings["task"])
        reported = ("rmse", "mae") if spec.tasks[self.task]["kind"] == "regression" else ("auc", "log_loss")
        if self.metric not in reported:
            raise ValueError(f"early_stopping.metric {self.metric} is not reported by '{settings['task']}'; it reports {' and '.join(reported)}.")

    def improves(self, value, best):
        return value > best + self.min_delta if self.metric == "auc" else value < best - self.min_delta


def run(args, rank=0, world=1, local_rank=0):
    """Trains on this rank; with ``world`` > 1 the process group must exist. Returns the epoch reports."""
    spec = load_spec(os.path.join(args.bundle, "spec.json"))
    options = options_of(spec, args)
    torch.set_num_threads(options.get("threads") or (1 if world > 1 else torch.get_num_threads()))
    cuda = str(options.get("device", "cpu")).startswith("cuda")
    device = torch.device(f"cuda:{local_rank}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    collective = Collective(world, device)
    train_set = data.ShardSet(args.train, spec)
    validation = data.ShardSet(args.validation, spec) if args.validation else None
    stopping = EarlyStopping(options["early_stopping"], spec) if options.get("early_stopping") else None
    if stopping is not None and validation is None:
        raise ValueError("early_stopping watches validation metrics: pass --validation shards.")
    if stopping is not None and stopping.metric == "auc":
        _require_both_classes(spec, validation, stopping.task)

    # Dense table gradients (DDP all-reduces them); the rows each step looked up are recorded for lazy Adam.
    network = build_network(spec, sparse_embeddings=False)
    network.load_state_dict(read_weights(args.weights or os.path.join(args.bundle, "initial.weights"), spec))
    _take_statistics(network, train_set)
    network.to(device)
    tables = [getattr(network, name).table for name in network.embedding_names]
    looked_up = {}
    for table in tables:
        table.register_forward_hook(lambda module, inputs, output: looked_up.setdefault(module, []).append(inputs[0].detach().reshape(-1)))

    settings = options.get("loss_weighting") or spec.loss_weighting
    strategy = weighting.create(settings, spec, options["learning_rate"], collective)
    parameters = list(network.parameters()) + list(strategy.parameters)
    optimizer = optim.create(options, parameters, [t.weight for t in tables])
    progress = {"epochs": [], "best_value": None, "best_epoch": None, "since_best": 0, "best_network": None}
    if args.resume:
        saved = checkpoint.load(args.checkpoint, spec, settings["strategy"])
        network.load_state_dict(saved["network"])
        optimizer.load_state_dict(saved["optimizer"])
        strategy.load_state_dict(saved["weighting"])
        progress = saved["progress"]
    model = network
    reduced = {"bytes": 0}
    if world > 1:
        # Buffers (offsets, transform statistics) come from the same weights on every rank; gloo cannot broadcast bool ones.
        ddp = torch.nn.parallel.DistributedDataParallel
        ddp._set_params_and_buffers_to_ignore_for_model(network, [name for name, _ in network.named_buffers()])
        model = ddp(network, device_ids=[device] if cuda else None, broadcast_buffers=False)
        model.register_comm_hook(reduced, _counting_allreduce)

    task_loss = losses.TaskLoss(spec, device)
    batch_size, epochs, seed = options["batch_size"], options["epochs"], options["seed"]
    chunk = options.get("stream_chunk_rows")
    chunk_rows = None if chunk is None else (chunk + batch_size - 1) // batch_size * batch_size
    steps_done = 0
    epoch = len(progress["epochs"]) + 1
    while epoch <= epochs and not (stopping and progress["since_best"] >= stopping.patience):
        rate = learning_rate(options, epoch)
        optimizer.set_learning_rate(rate)
        # Order and dropout depend on the seed and the epoch only, so a resumed run replays them; ranks draw their own dropout.
        torch.manual_seed((data.epoch_seed(seed, epoch) + 1_000_003 * rank) % 2 ** 64)
        network.train()
        sums = torch.zeros(len(spec.tasks) + 2, dtype=torch.float64)  # task losses·rows, total loss·rows, rows
        started, reduced["bytes"], epoch_steps = time.perf_counter(), 0, 0
        for step, batch in enumerate(data.batches(data.epoch_order(train_set.rows, seed, epoch, chunk_rows), batch_size, chunk_rows), 1):
            mine = data.rank_part(batch, rank, world)
            # A rank without rows in a short last batch still joins the all-reduce, with a weightless row.
            share = len(mine) * world / len(batch)
            rows = mine if len(mine) else batch[:1]
            categorical, numeric, labels, sample_weights = (torch.from_numpy(a).to(device) for a in train_set.gather(rows))
            looked_up.clear()
            per_task = task_loss(model(categorical, numeric), labels, sample_weights)
            current = losses.Step(network.shared_weight, epoch, step)
            values = per_task.detach().cpu().double()
            for t, value in enumerate(values.tolist()):
                losses.check_finite(value, "loss", spec.tasks[t]["name"], current)
            loss = strategy.combine(per_task * share, current)
            total = loss + network.penalty(categorical, world if len(mine) else 0)
            for p in parameters:
                p.grad = None
            total.backward()
            for p in strategy.parameters:
                p.grad = collective.mean(p.grad)
            if options.get("gradient_clip_norm"):
                # GradientClipping.cs: the tables' gradients are dense here, so PyTorch's clip scales them like C#.
                torch.nn.utils.clip_grad_norm_(network.parameters(), options["gradient_clip_norm"])
            optimizer.step({id(t.weight): collective.union(torch.cat(looked_up[t])) for t in tables if id(t.weight) in optimizer.tables})
            sums[:-2] += values * len(mine)
            sums[-2] += float(loss) * len(batch) / world
            sums[-1] += len(mine)
            steps_done += 1
            epoch_steps += 1
            if args.steps is not None and steps_done >= args.steps:
                _average_running_statistics(network, collective)
                return _finish(args, spec, network, progress, rank)
        _average_running_statistics(network, collective)
        sums = collective.sum(sums)
        seconds = time.perf_counter() - started
        rows = float(sums[-1])
        epoch_losses = (sums[:-2] / rows).tolist()
        strategy.end_epoch(epoch_losses)
        metrics = evaluate(network, validation or train_set, spec, batch_size, device, rank, world, collective)
        report = {"epoch": epoch, "train_loss": float(sums[-2]) / rows, "task_losses": epoch_losses,
                  "metrics_on": "validation" if validation else "train", "metrics": metrics, "task_weights": strategy.weights, "learning_rate": rate,
                  "seconds": seconds, "allreduce_bytes_per_step": reduced["bytes"] / epoch_steps}
        progress["epochs"].append(report)
        if stopping is not None:
            _track(progress, stopping, report, network)
        stopped = stopping is not None and progress["since_best"] >= stopping.patience
        if rank == 0:
            if args.checkpoint and (epoch % options.get("checkpoint_every", 1) == 0 or epoch == epochs or stopped):
                checkpoint.save(args.checkpoint, spec, network,
                                {"optimizer": optimizer.state_dict(), "weighting": strategy.state_dict(), "strategy": settings["strategy"], "progress": progress})
            print("modeldsl epoch " + json.dumps(report), flush=True)
        epoch += 1
    if progress["best_network"] is not None:
        network.load_state_dict(progress["best_network"])
    return _finish(args, spec, network, progress, rank)


def _average_running_statistics(network, collective):
    """HoME's ExpertNormalization: each rank moves its running statistics by its own part of the batches (PyTorch's
    BatchNorm under DDP); their mean over the ranks is what every rank evaluates with and rank 0 saves."""
    for name, buffer in network.named_buffers():
        if name.endswith((".runningMean", ".runningVariance")):
            buffer.copy_(collective.mean(buffer))


def _finish(args, spec, network, progress, rank):
    if args.output and (rank == 0 or "{rank}" in args.output):
        write_weights(args.output.replace("{rank}", str(rank)), spec, network.state_dict())
    return progress["epochs"]


def _counting_allreduce(reduced, bucket):
    """DDP's own all-reduce of a gradient bucket (the default hook's), counting its bytes for the epoch report."""
    reduced["bytes"] += bucket.buffer().numel() * bucket.buffer().element_size()
    return default_hooks.allreduce_hook(None, bucket)


def _take_statistics(network, train_set):
    """Standardize statistics come from the first training data a network sees (C# fits them when writing the
    training shards); weights that already hold some keep them."""
    transforms = getattr(network, network.transforms_name) if network.transforms_name else None
    if transforms is None or not transforms.any_standardize or float(transforms.rows) > 0 or not train_set.statistics:
        return
    with torch.no_grad():
        transforms.mean.copy_(torch.tensor(train_set.statistics["mean"]))
        transforms.scale.copy_(torch.tensor(train_set.statistics["scale"]))
        transforms.rows.fill_(train_set.statistics["rows"])


def _track(progress, stopping, report, network):
    value = report["metrics"][stopping.task][stopping.metric]
    if progress["best_value"] is not None and not stopping.improves(value, progress["best_value"]):
        progress["since_best"] += 1
        return
    progress.update(best_value=value, best_epoch=report["epoch"], since_best=0,
                    best_network={k: v.detach().cpu().clone() for k, v in network.state_dict().items()})


def _require_both_classes(spec, validation, task):
    """AUC is undefined with one class only, so early stopping on it could never see an improvement (as in C#)."""
    labels = np.concatenate([shard[2] for shard in validation.shards])
    if spec.tasks[task]["kind"] == "multiclass":
        if len(np.unique(labels[:, task])) < 2:
            raise ValueError(f"early_stopping watches the AUC of '{spec.tasks[task]['name']}', which is undefined on the validation shards "
                             f"'{validation.directory}': all {len(labels)} samples are class {labels[0, task]:g}. "
                             "Pass validation samples of several classes, or watch log_loss.")
        return
    positives = joint_label(spec, labels, task) > 0.5
    if positives.all() or not positives.any():
        raise ValueError(f"early_stopping watches the AUC of '{spec.tasks[task]['name']}', which is undefined on the validation shards "
                         f"'{validation.directory}': all {len(positives)} samples are {'positive' if positives.all() else 'negative'}. "
                         "Pass validation samples of both classes, or watch log_loss.")


def joint_label(spec, labels, t):
    """A binary task's label times the labels along its Given chain: did the joint event happen."""
    label = labels[:, t].astype(np.float32)
    given = spec.tasks[t]["given"]
    while given >= 0:
        label = label * labels[:, given]
        given = spec.tasks[given]["given"]
    return label


def evaluate(network, shards, spec, batch_size, device, rank, world, collective):
    """Per-task metrics of the network on all rows of ``shards`` (each rank predicts its part), as the C#
    trainer reports them: AUC and log loss of binary tasks (joint along Given chains, plus the conditional
    AUC where the Given event happened), RMSE, mean-baseline RMSE and MAE of regression tasks, accuracy,
    macro one-vs-rest AUC and log loss of multiclass tasks."""
    start, end = shards.part(rank, world)
    predictions, labels = [], []
    for s in range(start, end, batch_size):
        categorical, numeric, label, _ = shards.gather(np.arange(s, min(s + batch_size, end)))
        predictions.append(network.predict(torch.from_numpy(categorical).to(device), torch.from_numpy(numeric).to(device)).cpu().numpy())
        labels.append(label)
    outputs = sum(o.get("width", 1) for o in spec.outputs)
    parts = collective.gather((np.concatenate(predictions) if predictions else np.zeros((0, outputs), np.float32),
                               np.concatenate(labels) if labels else np.zeros((0, len(spec.tasks)), np.float32)))
    predicted = np.concatenate([p for p, _ in parts])
    label = np.concatenate([l for _, l in parts])
    return metrics(spec, predicted, label)


def metrics(spec, predicted, labels):
    tasks = spec.tasks

    # Each output's first served column (ModelSchema.OutputColumns).
    first, column = [], 0
    for out in spec.outputs:
        first.append(column)
        column += out.get("width", 1)

    def output(t, kinds):
        return next((first[o] for o, out in enumerate(spec.outputs) if out["task"] == t and out["kind"] in kinds), -1)

    result = []
    for t, task in enumerate(tasks):
        m = {"task": task["name"], "kind": task["kind"], "count": int(len(labels))}
        if task["kind"] == "multiclass":
            start = output(t, ("class_probabilities",))
            m.update(multiclass_metrics(predicted[:, start:start + task["classes"]], labels[:, t].astype(np.int64)))
            result.append(m)
            continue
        main = predicted[:, output(t, ("probability", "value"))]
        if task["kind"] == "binary":
            truth = joint_label(spec, labels, t)
            p = np.clip(main.astype(np.float64), 1e-7, 1 - 1e-7)
            positive = truth > 0.5
            m.update(auc=auc(main, positive), log_loss=float(-np.where(positive, np.log(p), np.log(1 - p)).mean()))
            if task["given"] >= 0:
                seen = joint_label(spec, labels, task["given"]) > 0.5
                m["conditional_auc"] = auc(predicted[seen, output(t, ("conditional",))], labels[seen, t] > 0.5)
        else:
            error = main.astype(np.float64) - labels[:, t]
            truth = labels[:, t].astype(np.float64)
            m.update(rmse=float(np.sqrt((error ** 2).mean())), mae=float(np.abs(error).mean()),
                     baseline_rmse=float(np.sqrt(max(0.0, (truth ** 2).mean() - truth.mean() ** 2))))
        result.append(m)
    return result


def multiclass_metrics(probabilities, labels):
    """MulticlassMetrics: accuracy (the first most likely class), the macro one-vs-rest AUC over the classes that
    occur and do not make up every label (NaN if a probability is NaN), and the mean −log p(label), clipped at 1e-7."""
    if np.isnan(probabilities).any():
        macro = float("nan")
    else:
        aucs = [a for a in (auc(probabilities[:, c], labels == c) for c in range(probabilities.shape[1])) if not np.isnan(a)]
        macro = float(np.mean(aucs)) if aucs else float("nan")
    p = np.clip(probabilities[np.arange(len(labels)), labels].astype(np.float64), 1e-7, 1 - 1e-7)
    return {"accuracy": float((probabilities.argmax(1) == labels).mean()), "auc": macro, "log_loss": float(-np.log(p).mean())}


def auc(scores, positive):
    """ROC AUC with tied scores sharing their average rank (BinaryMetrics); NaN with one class only."""
    scores = np.asarray(scores)
    if len(scores) == 0 or np.isnan(scores).any():
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    sorted_scores, sorted_positive = scores[order], np.asarray(positive)[order]
    _, starts, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    ranks = np.repeat(starts + (counts + 1) / 2.0, counts)
    positives = float(sorted_positive.sum())
    negatives = len(scores) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    return float((ranks[sorted_positive].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def init_process_group(world, rank, device, timeout):
    """The process group of this rank (env:// rendezvous: MASTER_ADDR, MASTER_PORT)."""
    backend = "nccl" if str(device).startswith("cuda") else "gloo"
    dist.init_process_group(backend, rank=rank, world_size=world, timeout=datetime.timedelta(seconds=timeout))


def worker(args, rank, world, local_rank):
    """One rank's life: join the group, train, leave; a failure is reported naming the rank, then re-raised."""
    _say(f"modeldsl: rank {rank} of {world}, pid {os.getpid()}")
    try:
        if world > 1:
            device = options_of(load_spec(os.path.join(args.bundle, "spec.json")), args).get("device") or "cpu"
            init_process_group(world, rank, device, args.timeout)
        try:
            return run(args, rank, world, local_rank)
        finally:
            if world > 1:
                dist.destroy_process_group()
    except BaseException as e:
        traceback.print_exc()
        _say(f"modeldsl: rank {rank} failed: {type(e).__name__}: {e}")
        raise


def _say(line):
    """One line to stderr in one write, so the lines of ranks sharing a terminal or pipe do not interleave."""
    sys.stderr.flush()
    os.write(2, (line + "\n").encode())


def main(argv=None):
    """torchrun's entry: one process of a group described by the environment."""
    args = parser().parse_args(argv)
    world, rank, local_rank = (int(os.environ.get(k, d)) for k, d in (("WORLD_SIZE", 1), ("RANK", 0), ("LOCAL_RANK", 0)))
    try:
        worker(args, rank, world, local_rank)
    except Exception:
        sys.exit(1)


if __name__ == "__main__":
    main()
