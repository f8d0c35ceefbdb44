"""ModelDsl weights files, read and written byte for byte as C# does (src/ModelDsl/IO/ChecksummedFile.cs
and src/ModelDsl/Training/Checkpoint.cs):

    magic      .NET string "MODELDSL-WEIGHTS" (7-bit encoded byte length, then UTF-8)
    version    int32, little-endian
    fingerprint  .NET string: the spec's fingerprint
    vocabularies  format 3 only (a spec with learned vocabularies): int32 length, then that many bytes, which
               the bundle spec's ``vocabularies`` holds (base64); read, compared and written back unchanged
    state      TorchSharp's Module.save: entry count (LEB128), then per entry its name (.NET string),
               dtype (LEB128 of c10's ScalarType), rank (LEB128), each dimension (LEB128) and the
               raw little-endian elements
    checksum   SHA-256 of every byte before it

A file is checked whole (magic, version, checksum) before any of it is used. ``_FORMATS`` maps a
version to the reader of its content, so a new version is one more entry.
"""

import hashlib
import mmap
import os
import struct
from collections import OrderedDict

import numpy as np
import torch

from .atomic import write_atomically

MAGIC = "MODELDSL-WEIGHTS"
VERSION = 2
VOCABULARIES_VERSION = 3
NOUN = "weights file"
_CHECKSUM = hashlib.sha256().digest_size

# c10::ScalarType codes as TorchSharp writes them, with the element type of each.
_SCALAR_TYPES = {
    4: ("int64", torch.int64, np.dtype("<i8")),
    6: ("float32", torch.float32, np.dtype("<f4")),
    7: ("float64", torch.float64, np.dtype("<f8")),
    11: ("bool", torch.bool, np.dtype("?")),
}
_CODES = {name: code for code, (name, _, _) in _SCALAR_TYPES.items()}


class WeightsFileError(Exception):
    """A weights file that cannot be used: missing, of another kind, format or spec, truncated or damaged."""


def read_weights(path, spec):
    """The state dict (``OrderedDict`` name -> CPU tensor, in the file's order) of a weights file saved
    by C# (``Trainer.Save``, a checkpoint) or by ``write_weights``, for the spec ``spec``. Raises
    ``WeightsFileError`` when the file is missing, not a weights file, of another format version, cut
    short or altered (checksum), of another spec (fingerprint), or its entries differ from the spec's."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise WeightsFileError(f"The {NOUN} '{path}' does not exist.")
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            raise WeightsFileError(f"'{path}' is not a ModelDsl {NOUN} (its header is unreadable).")
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            reader = _Reader(memoryview(data), path)
            try:
                return _read(reader, path, spec)
            finally:
                reader.data.release()


def _read(reader, path, spec):
    data = reader.data
    try:
        magic, version = reader.string(), reader.int32()
    except (EOFError, UnicodeDecodeError) as e:
        raise WeightsFileError(f"'{path}' is not a ModelDsl {NOUN} (its header is unreadable).") from e
    if magic != MAGIC:
        raise WeightsFileError(f"'{path}' is not a ModelDsl {NOUN}.")
    if version not in _FORMATS:
        raise WeightsFileError(f"The {NOUN} '{path}' has format {version}; this modeldsl reads format "
                               f"{', '.join(map(str, _FORMATS))} only.")
    end = len(data) - _CHECKSUM
    if end < reader.position or _sha256(data[:end]) != data[end:].tobytes():
        raise WeightsFileError(_damaged(path, "its checksum does not match its content."))
    try:
        state = _FORMATS[version](reader, spec)
    except (EOFError, UnicodeDecodeError, ValueError) as e:
        raise WeightsFileError(_damaged(path, str(e))) from e
    if reader.position != end:
        raise WeightsFileError(_damaged(path, "reading its content did not end where its checksum begins."))
    return state


def write_weights(path, spec, state_dict):
    """Writes ``state_dict`` (a network's, or ``read_weights``'s) as a weights file of ``spec`` that C#'s
    ``Trainer.Load`` reads: entries in the spec's order, each with the spec's shape and dtype (a
    ``ValueError`` names the first that differs). Atomic (``write_atomically``): a failure leaves an
    earlier file as it was."""
    tensors = _in_spec_order(spec, state_dict)
    vocabularies = spec.vocabulary_block
    header = _string(MAGIC) + struct.pack("<i", VERSION if vocabularies is None else VOCABULARIES_VERSION) + _string(spec.fingerprint)
    if vocabularies is not None:
        header += struct.pack("<i", len(vocabularies)) + vocabularies

    def write(f):
        hashing = _HashingWriter(f)
        hashing.write(header + _leb128(len(tensors)))
        for entry, tensor in tensors:
            code = _CODES[_dtype_name(tensor.dtype)]
            hashing.write(_string(entry) + _leb128(code) + _leb128(tensor.dim()) + b"".join(_leb128(d) for d in tensor.shape))
            array = tensor.detach().cpu().contiguous().numpy()
            hashing.write(memoryview(array.astype(_SCALAR_TYPES[code][2], copy=False)).cast("B"))
        f.write(hashing.digest())

    write_atomically(path, write)


def _read_format_2(reader, spec):
    _read_fingerprint(reader, spec)
    if spec.vocabulary_block is not None:
        raise WeightsFileError(f"The {NOUN} '{reader.path}' has format 2, which holds no learned vocabularies, but "
                               f"{spec.model} learns some: use the weights the bundle was written with.")
    return _read_entries(reader, spec)


def _read_format_3(reader, spec):
    _read_fingerprint(reader, spec)
    length = reader.int32()
    if length < 0:
        raise ValueError("its learned vocabularies have a negative length.")
    with reader.take(length) as raw:
        vocabularies = bytes(raw)
    if vocabularies != (spec.vocabulary_block or b""):
        raise WeightsFileError(f"The {NOUN} '{reader.path}' holds other learned vocabularies than the bundle of "
                               f"{spec.model}: its rows mean other values.")
    return _read_entries(reader, spec)


def _read_fingerprint(reader, spec):
    fingerprint = reader.string()
    if fingerprint != spec.fingerprint:
        raise WeightsFileError(
            f"The {NOUN} '{reader.path}' was saved from a model spec with fingerprint {fingerprint}, but "
            f"{spec.model} has fingerprint {spec.fingerprint}: its features, tasks or architecture differ.")


def _read_entries(reader, spec):
    expected = {e["name"]: e for e in spec.state}
    count = reader.leb128()
    if count != len(expected):
        raise ValueError(f"it holds {count} entries; {spec.model} has {len(expected)}.")
    state = OrderedDict()
    for _ in range(count):
        name = reader.string()
        if name not in expected or name in state:
            raise ValueError(f"it holds an unexpected entry '{name}'.")
        code = reader.leb128()
        if code not in _SCALAR_TYPES:
            raise ValueError(f"entry '{name}' has element type {code}, which ModelDsl does not write.")
        dtype_name, torch_dtype, np_dtype = _SCALAR_TYPES[code]
        shape = [reader.leb128() for _ in range(reader.leb128())]
        if dtype_name != expected[name]["dtype"] or shape != expected[name]["shape"]:
            raise ValueError(f"entry '{name}' is {shape} {dtype_name}; the spec has {expected[name]['shape']} {expected[name]['dtype']}.")
        # The view is released at once: an error's traceback must not keep the file's mapping exported.
        with reader.take(int(np.prod(shape, dtype=np.int64)) * np_dtype.itemsize) as raw:
            array = np.frombuffer(raw, dtype=np_dtype).reshape(shape).copy()
        state[name] = torch.from_numpy(array)
    return state


_FORMATS = {2: _read_format_2, 3: _read_format_3}


def _sha256(view):
    sha = hashlib.sha256()
    for start in range(0, len(view), 1 << 24):
        sha.update(view[start:start + (1 << 24)])
    return sha.digest()


def _in_spec_order(spec, state_dict):
    names = spec.state_names
    missing = [n for n in names if n not in state_dict]
    extra = [n for n in state_dict if n not in set(names)]
    if missing or extra:
        raise ValueError(f"The state dict does not match the spec of {spec.model}: missing {missing or 'nothing'}, "
                         f"unexpected {extra or 'nothing'}.")
    result = []
    for entry in spec.state:
        tensor = state_dict[entry["name"]]
        if list(tensor.shape) != entry["shape"] or _dtype_name(tensor.dtype) != entry["dtype"]:
            raise ValueError(f"State entry '{entry['name']}' is {list(tensor.shape)} {tensor.dtype}; the spec of "
                             f"{spec.model} has {entry['shape']} {entry['dtype']}.")
        result.append((entry["name"], tensor))
    return result


def _dtype_name(dtype):
    for name, torch_dtype, _ in _SCALAR_TYPES.values():
        if dtype == torch_dtype:
            return name
    raise ValueError(f"ModelDsl weights hold no {dtype} tensors.")


def _damaged(path, reason):
    return f"The {NOUN} '{path}' is truncated or damaged: {reason}"


def _leb128(value):
    """TorchSharp's LEB128Codec.Encode (non-negative values); also .NET's 7-bit encoded string length."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        if value == 0:
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def _string(text):
    """.NET BinaryWriter.Write(string)."""
    data = text.encode("utf-8")
    return _leb128(len(data)) + data


class _Reader:
    def __init__(self, data, path):
        self.data, self.path, self.position = data, path, 0

    def take(self, size):
        """The next ``size`` bytes, as a view of the file (release it, or let it go, before the file closes)."""
        if self.position + size > len(self.data):
            raise EOFError("the file ends inside its content.")
        view = self.data[self.position:self.position + size]
        self.position += size
        return view

    def leb128(self):
        value = shift = 0
        while True:
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7
            if shift > 63:
                raise ValueError("a length or shape is malformed.")

    def int32(self):
        return struct.unpack("<i", self.take(4))[0]

    def string(self):
        return bytes(self.take(self.leb128())).decode("utf-8")


class _HashingWriter:
    def __init__(self, f):
        self.f, self.sha = f, hashlib.sha256()

    def write(self, data):
        self.sha.update(data)
        self.f.write(data)

    def digest(self):
        return self.sha.digest()
