"""Checkpoints of a distributed run, written by rank 0 after an epoch (TrainingOptions.CheckpointEvery):

- ``checkpoint.weights``: the network in ModelDsl's weights format (``write_weights``), which C#'s
  ``Trainer.Load`` reads;
- ``training-state.pt``: everything a resumed run needs to continue exactly: the network's state, the
  optimizer's moments and step counts, the loss weighting's state, the epoch reports and early
  stopping's best epoch (with its weights).

Each file is written atomically (``write_atomically``, as C#'s AtomicFile does), the weights
first: a crash at any point leaves a state file that is whole and consistent with itself, and resuming
needs only that file.
"""

import os

import torch

from .atomic import write_atomically
from .weights import write_weights

WEIGHTS_FILE = "checkpoint.weights"
STATE_FILE = "training-state.pt"
FORMAT = "modeldsl-training-state"
VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint that cannot be resumed from: missing, damaged, or of another spec or run."""


def save(directory, spec, network, state):
    """Writes the weights and the training state ``state`` (a dict) of ``network``."""
    os.makedirs(directory, exist_ok=True)
    write_weights(os.path.join(directory, WEIGHTS_FILE), spec, network.state_dict())
    payload = dict(state, format=FORMAT, version=VERSION, fingerprint=spec.fingerprint, network=network.state_dict())
    write_atomically(os.path.join(directory, STATE_FILE), lambda f: torch.save(payload, f))


def load(directory, spec, strategy):
    """The training state saved in ``directory``, checked against the spec and the run's loss weighting."""
    path = os.path.join(directory, STATE_FILE)
    if not os.path.isfile(path):
        raise CheckpointError(f"There is no checkpoint to resume from: '{path}' does not exist.")
    try:
        payload = torch.load(path, map_location="cpu")
    except Exception as e:  # torch.load raises many kinds for a damaged file
        raise CheckpointError(f"The checkpoint '{path}' is damaged: {e}") from e
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"'{path}' is not a ModelDsl training state.")
    if payload["version"] != VERSION:
        raise CheckpointError(f"The checkpoint '{path}' has format {payload['version']}; this modeldsl reads format {VERSION} only.")
    if payload["fingerprint"] != spec.fingerprint:
        raise CheckpointError(f"The checkpoint '{path}' was saved from a model spec with fingerprint {payload['fingerprint']}, "
                              f"but {spec.model} has fingerprint {spec.fingerprint}: its features, tasks or architecture differ.")
    if payload["strategy"] != strategy:
        raise CheckpointError(f"The checkpoint '{path}' was written with loss weighting '{payload['strategy']}', but this run uses '{strategy}'.")
    return payload


def last_epoch(directory):
    """The epoch of the checkpoint in ``directory``, or None when there is none (for messages)."""
    path = os.path.join(directory, STATE_FILE)
    try:
        return len(torch.load(path, map_location="cpu")["progress"]["epochs"])
    except Exception:
        return None
