"""Shards written by C#'s ``ModelDsl.Distributed.Shards.Write``, read with numpy alone and memory-mapped, so
shards larger than memory work: per shard int64 categorical [rows, C], float32 numeric [rows, N], float32
labels and sample weights [rows, tasks], described by ``manifest.json``.

Epochs follow the C# trainer: each epoch's order is a permutation seeded by seed·1,000,003 + epoch (the
whole set, or with ``stream_chunk_rows`` each chunk of that many rows on its own, chunk c seeded
epoch seed + 7,919·c), cut into batches of ``batch_size`` rows. The permutation is numpy's, not .NET's:
the same kind of order, not the same one. Under data parallelism every rank computes the same order and
takes its own part of each batch, so a step sees the same rows as one process would.
"""

import json
import os

import numpy as np

FORMAT = "ModelDsl shards"
VERSION = 1


class ShardError(ValueError):
    """Shards that cannot be used with this spec: another model, another layout, missing or damaged files."""


class ShardSet:
    """The shards of one directory, checked against ``spec``; rows are numbered across shards in order."""

    def __init__(self, directory, spec):
        self.directory = os.fspath(directory)
        manifest_path = os.path.join(self.directory, "manifest.json")
        try:
            with open(manifest_path, "r", encoding="utf-8") as f:
                manifest = json.load(f)
        except OSError as e:
            raise ShardError(f"'{self.directory}' is not a ModelDsl shard directory: {manifest_path} cannot be read ({e.strerror or e}).") from e
        except ValueError as e:
            raise ShardError(f"The shard manifest '{manifest_path}' is damaged: {e}.") from e
        if manifest.get("format") != FORMAT:
            raise ShardError(f"'{manifest_path}' is not a ModelDsl shard manifest.")
        if manifest.get("version") != VERSION:
            raise ShardError(f"The shards '{self.directory}' have format {manifest.get('version')}; this modeldsl reads format {VERSION} only.")
        if manifest["fingerprint"] != spec.fingerprint:
            raise ShardError(f"The shards '{self.directory}' were encoded for {manifest['model']} (spec fingerprint {manifest['fingerprint']}), "
                             f"but the bundle is {spec.model} (fingerprint {spec.fingerprint}): write the shards with this model's trainer.")
        expected = {"categorical": spec.categorical_columns, "numeric": spec.numeric_columns, "tasks": len(spec.tasks)}
        for key, width in expected.items():
            if manifest["columns"][key] != width:
                raise ShardError(f"The shards '{self.directory}' have {manifest['columns'][key]} {key} columns, but {spec.model} has {width}.")
        self.manifest = manifest
        self.statistics = manifest.get("statistics")
        self.shards = [self._open(shard, expected) for shard in manifest["shards"]]
        self.offsets = np.cumsum([0] + [s[0].shape[0] for s in self.shards])
        self.rows = int(self.offsets[-1])
        if self.rows != manifest["rows"]:
            raise ShardError(f"The shards '{self.directory}' hold {self.rows} rows, but their manifest says {manifest['rows']}.")

    def _open(self, shard, expected):
        arrays = []
        for key, width, dtype in (("categorical", expected["categorical"], np.int64), ("numeric", expected["numeric"], np.float32),
                                  ("labels", expected["tasks"], np.float32), ("weights", expected["tasks"], np.float32)):
            path = os.path.join(self.directory, shard[key])
            try:
                # A file without data cannot be mapped (no numeric features, say): its header says all there is.
                array = np.load(path, mmap_mode="r") if width > 0 else np.load(path)
            except (OSError, ValueError) as e:
                raise ShardError(f"The shard file '{path}' cannot be read: {e}.") from e
            if array.ndim != 2 or array.shape[1] != width:
                raise ShardError(f"The shard file '{path}' has {array.shape[1] if array.ndim == 2 else array.ndim} columns "
                                 f"({'×'.join(map(str, array.shape))}), but {key} takes {width}.")
            if array.shape[0] != shard["rows"] or array.dtype != np.dtype(dtype):
                raise ShardError(f"The shard file '{path}' holds {array.shape[0]} rows of {array.dtype}, but its manifest says "
                                 f"{shard['rows']} rows of {np.dtype(dtype)}.")
            arrays.append(array)
        return arrays

    def gather(self, rows):
        """The four arrays (copies) of the given global rows, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        shard_of = np.searchsorted(self.offsets, rows, side="right") - 1
        out = [np.empty((len(rows), a.shape[1]), a.dtype) for a in self.shards[0]]
        for s in np.unique(shard_of):
            where = np.nonzero(shard_of == s)[0]
            local = rows[where] - self.offsets[s]
            # Reading in file order keeps a cold memory map's page faults sequential.
            order = np.argsort(local, kind="stable")
            for target, array in zip(out, self.shards[s]):
                target[where[order]] = array[local[order]]
        return out

    def part(self, rank, world):
        """This rank's contiguous part of the rows (for evaluation): [start, end)."""
        return self.rows * rank // world, self.rows * (rank + 1) // world


def epoch_seed(seed, epoch):
    """The C# trainer's per-epoch seed (unchecked int32 arithmetic)."""
    return _int32(seed * 1_000_003 + epoch)


def epoch_order(rows, seed, epoch, chunk_rows=None):
    """The row order of an epoch: one permutation, or one per chunk of ``chunk_rows`` rows."""
    base = epoch_seed(seed, epoch)
    if chunk_rows is None:
        return np.random.default_rng(base & 0xFFFFFFFF).permutation(rows)
    parts = []
    for c, start in enumerate(range(0, rows, chunk_rows)):
        count = min(chunk_rows, rows - start)
        parts.append(start + np.random.default_rng(_int32(base + 7_919 * c) & 0xFFFFFFFF).permutation(count))
    return np.concatenate(parts)


def batches(order, batch_size, chunk_rows=None):
    """Global batches of an epoch's order: whole chunks hold whole batches, so only a chunk's last batch is short."""
    step = chunk_rows or len(order)
    for chunk in range(0, len(order), step):
        end = min(chunk + step, len(order))
        for start in range(chunk, end, batch_size):
            yield order[start:min(start + batch_size, end)]


def rank_part(batch, rank, world):
    """This rank's rows of a global batch: near-equal contiguous parts."""
    n = len(batch)
    return batch[n * rank // world:n * (rank + 1) // world]


def _int32(value):
    return (value + 2 ** 31) % 2 ** 32 - 2 ** 31
