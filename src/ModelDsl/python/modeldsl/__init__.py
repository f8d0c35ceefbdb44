"""ModelDsl's Python runtime: the network of a ModelDsl model spec in PyTorch, driven by the spec JSON
of a training bundle (written in C# by ``ModelDsl.Distributed.TrainingBundle.Write``).

The public API used by the trainer:

- ``load_spec(path) -> Spec``: reads and checks a bundle's ``spec.json``.
- ``build_network(spec) -> torch.nn.Module``: the network, with TorchSharp's parameter and buffer names.
- ``read_weights(path, spec) -> OrderedDict``: a ModelDsl weights file as a state dict.
- ``write_weights(path, spec, state_dict)``: writes one that ``Trainer.Load`` reads, atomically.
"""

from .spec import Spec, SpecError, load_spec
from .network import MultiTaskNetwork, build_network
from .weights import WeightsFileError, read_weights, write_weights

__all__ = [
    "Spec", "SpecError", "load_spec",
    "MultiTaskNetwork", "build_network",
    "WeightsFileError", "read_weights", "write_weights",
]
