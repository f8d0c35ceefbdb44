"""The spec of a training bundle (``spec.json``), written by C#'s ``TrainingBundle.Write``.

``load_spec(path)`` reads and checks it; a file of another format version, or missing or mistyped
fields, fails with a ``SpecError`` naming the file and the field. The C# records in
src/ModelDsl/Distributed/BundleSpec.cs are the one definition of its fields.
"""

import base64
import binascii
import json

FORMAT = "modeldsl-training-bundle"
VERSION = 1

_ARCHITECTURES = ("shared_bottom", "mixture_of_experts", "progressive_layered_extraction", "adaptive_task_to_task_fusion")
_ACTIVATIONS = ("relu", "leaky_relu", "tanh", "gelu", "swish")
_DTYPES = ("float32", "float64", "int64", "bool")


class SpecError(ValueError):
    """A spec file that cannot be used: unreadable, of another format, or with a bad field."""


class Spec:
    """A checked bundle spec. Fields are the JSON's, as attributes (``spec.tasks``, ``spec.architecture``);
    nested objects stay dicts. ``spec.raw`` is the whole JSON object."""

    def __init__(self, raw, path="spec.json"):
        self.raw = raw
        self.path = path
        _check(raw, path)

    def __getattr__(self, name):
        try:
            return self.__dict__["raw"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def vocabulary_block(self):
        """The learned vocabularies as weights files of format 3 hold them (bytes), or None when the spec has none."""
        text = self.raw.get("vocabularies")
        return None if text is None else base64.b64decode(text, validate=True)

    @property
    def state_names(self):
        """Names of the state dict's entries (parameters and persistent buffers), in TorchSharp's order."""
        return [entry["name"] for entry in self.raw["state"]]


def load_spec(path):
    """Reads and checks a bundle's spec JSON; raises ``SpecError`` naming the file and the field at fault."""
    try:
        with open(path, "r", encoding="utf-8") as f:
            raw = json.load(f)
    except OSError as e:
        raise SpecError(f"The training bundle spec '{path}' cannot be read: {e.strerror or e}.") from e
    except ValueError as e:
        raise SpecError(f"The training bundle spec '{path}' is not valid JSON: {e}.") from e
    return Spec(raw, str(path))


def _check(raw, path):
    def fail(field, problem):
        raise SpecError(f"The training bundle spec '{path}': field '{field}' {problem}.")

    def get(obj, key, kind, where, optional=False):
        field = f"{where}.{key}" if where else key
        if not isinstance(obj, dict) or key not in obj:
            if optional:
                return None
            fail(field, "is missing")
        value = obj[key]
        if value is None and optional:
            return None
        if kind is int and (not isinstance(value, int) or isinstance(value, bool)):
            fail(field, f"must be an integer, not {json.dumps(value)}")
        if kind is float and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            fail(field, f"must be a number, not {json.dumps(value)}")
        if kind in (str, bool, list, dict) and not isinstance(value, kind):
            fail(field, f"must be a {kind.__name__}, not {json.dumps(value)[:80]}")
        return value

    def ints(obj, key, where, minimum=1):
        values = get(obj, key, list, where)
        for i, v in enumerate(values):
            if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
                fail(f"{where}.{key}[{i}]", f"must be an integer of at least {minimum}, not {json.dumps(v)}")
        return values

    def one_of(obj, key, choices, where):
        value = get(obj, key, str, where)
        if value not in choices:
            fail(f"{where}.{key}" if where else key, f"must be one of {', '.join(choices)}, not '{value}'")
        return value

    if not isinstance(raw, dict):
        raise SpecError(f"The training bundle spec '{path}' is not a JSON object.")
    if raw.get("format") != FORMAT:
        fail("format", f"must be '{FORMAT}', not {json.dumps(raw.get('format'))}: this is not a ModelDsl training bundle spec")
    version = get(raw, "version", int, "")
    if version != VERSION:
        fail("version", f"is {version}; this modeldsl package reads version {VERSION} only (write the bundle again with the same ModelDsl)")
    get(raw, "model", str, "")
    get(raw, "fingerprint", str, "")
    categorical = get(raw, "categorical_columns", int, "")
    numeric = get(raw, "numeric_columns", int, "")

    column = 0
    for g, group in enumerate(get(raw, "embeddings", list, "")):
        where = f"embeddings[{g}]"
        get(group, "name", str, where)
        if get(group, "first_column", int, where) != column:
            fail(f"{where}.first_column", f"must be {column}: groups take consecutive categorical columns")
        get(group, "dim", int, where)
        segments = ints(group, "segments", where)
        for s, slot in enumerate(get(group, "slots", list, where)):
            at = f"{where}.slots[{s}]"
            if not 0 <= get(slot, "segment", int, at) < len(segments):
                fail(f"{at}.segment", f"must index one of the {len(segments)} segments")
            length = get(slot, "length", int, at)
            pooling = get(slot, "pooling", str, at, optional=True)
            if pooling is not None and pooling not in ("mean", "sum", "max"):
                fail(f"{at}.pooling", f"must be mean, sum, max or null, not '{pooling}'")
            column += length
    if column != categorical:
        fail("embeddings", f"cover {column} categorical columns, but categorical_columns is {categorical}")

    transforms = get(raw, "numeric_transforms", dict, "", optional=True)
    if transforms is not None:
        get(transforms, "name", str, "numeric_transforms")
        for key in ("log1p", "standardize"):
            flags = get(transforms, key, list, "numeric_transforms")
            if len(flags) != numeric or not all(isinstance(f, bool) for f in flags):
                fail(f"numeric_transforms.{key}", f"must hold {numeric} booleans, one per numeric column")

    architecture = get(raw, "architecture", dict, "")
    kind = one_of(architecture, "kind", _ARCHITECTURES, "architecture")
    if kind == "shared_bottom":
        ints(architecture, "units", "architecture")
    else:
        ints(architecture, "expert_units", "architecture")
        ints(architecture, "gate_units", "architecture")
        get(architecture, "expert_normalization", bool, "architecture", optional=True)
        if kind == "mixture_of_experts":
            get(architecture, "experts", int, "architecture")
            get(architecture, "gates", int, "architecture")
        else:
            get(architecture, "levels", int, "architecture")
            get(architecture, "shared_experts", int, "architecture")
            get(architecture, "task_experts", int, "architecture")

    # PEPNet's gates (EPNet, PPNet): absent when the model has none.
    for key in ("embedding_gate", "tower_gates"):
        gate = get(raw, key, dict, "", optional=True)
        if gate is not None:
            get(gate, "module", str, key)
            ints(gate, "prior_columns", key, minimum=0)
            if not ints(gate, "units", key):
                fail(f"{key}.units", "must list at least one gate's units")

    tasks = get(raw, "tasks", list, "")
    if not tasks:
        fail("tasks", "must list at least one task")
    for t, task in enumerate(tasks):
        where = f"tasks[{t}]"
        get(task, "name", str, where)
        kind = one_of(task, "kind", ("binary", "regression", "multiclass"), where)
        classes = task.get("classes", 0)
        if kind == "multiclass" and (not isinstance(classes, int) or classes < 2):
            fail(f"{where}.classes", "must be an integer of at least 2 for a multiclass task")
        get(task, "loss_weight", float, where)
        given = get(task, "given", int, where)
        if given >= 0 and (given >= len(tasks) or tasks[given].get("kind") != "binary"):
            fail(f"{where}.given", "must be -1 or the index of a binary task")
        one_of(task, "sample_weighting", ("none", "all", "positives_only"), where)
        tower = get(task, "tower", dict, where)
        get(tower, "module", str, f"{where}.tower")
        ints(tower, "units", f"{where}.tower")
        # ESCM²'s regularizer of a Given binary task (CounterfactualSettings); DoublyRobust's imputation tower, absent otherwise.
        counterfactual = get(task, "counterfactual", dict, where, optional=True)
        regularizer = None
        if counterfactual is not None:
            at = f"{where}.counterfactual"
            if given < 0 or kind != "binary":
                fail(at, "is set, but only a binary task with a given task has a counterfactual regularizer")
            regularizer = one_of(counterfactual, "regularizer", ("inverse_propensity", "doubly_robust"), at)
            if not 0 <= get(counterfactual, "weight", float, at) < float("inf"):
                fail(f"{at}.weight", f"must be a finite number, zero or positive, not {counterfactual['weight']}")
            if not 0 < get(counterfactual, "propensity_floor", float, at) <= 1:
                fail(f"{at}.propensity_floor", f"must be in (0, 1], not {counterfactual['propensity_floor']}")
        imputation = get(task, "imputation", dict, where, optional=True)
        if (imputation is not None) != (regularizer == "doubly_robust"):
            fail(f"{where}.imputation", "must be present exactly when the counterfactual regularizer is doubly_robust")
        if imputation is not None:
            get(imputation, "module", str, f"{where}.imputation")
            ints(imputation, "units", f"{where}.imputation")

    for o, output in enumerate(get(raw, "outputs", list, "")):
        where = f"outputs[{o}]"
        get(output, "name", str, where)
        if not 0 <= get(output, "task", int, where) < len(tasks):
            fail(f"{where}.task", f"must index one of the {len(tasks)} tasks")
        one_of(output, "kind", ("probability", "value", "conditional", "odds", "class_probabilities"), where)

    regularization = get(raw, "regularization", dict, "")
    for key in ("embedding_l2", "dense_l2", "dropout"):
        get(regularization, key, float, "regularization")
    one_of(regularization, "activation", _ACTIVATIONS, "regularization")

    weighting = get(raw, "loss_weighting", dict, "")
    one_of(weighting, "strategy", ("static", "uncertainty", "grad_norm", "dynamic_weight_average"), "loss_weighting")
    get(raw, "training", dict, "")

    vocabularies = get(raw, "vocabularies", str, "", optional=True)
    if vocabularies is not None:
        try:
            base64.b64decode(vocabularies, validate=True)
        except binascii.Error:
            fail("vocabularies", "must be base64")

    for i, entry in enumerate(get(raw, "state", list, "")):
        where = f"state[{i}]"
        get(entry, "name", str, where)
        ints(entry, "shape", where, minimum=0)
        one_of(entry, "dtype", _DTYPES, where)
        get(entry, "parameter", bool, where)
