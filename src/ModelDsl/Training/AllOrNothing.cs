using System;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelDsl.IO;
using ModelDsl.Layers;
using static TorchSharp.torch;

namespace ModelDsl.Training;

/// <summary>
/// Loads a network's state all or nothing, without a copy of the weights (a 2.56 GB table once took 2× its size to
/// load). TorchSharp's <c>load</c> writes each tensor as it reads it, so first the state dictionary's layout in the file
/// is checked against the network (entry count, names, dtypes, shapes, and that every tensor's bytes are there), and
/// what follows it (a checkpoint's optimizer and weighting state) is read and the content's end checked; only then are
/// the tensors read in place. By then the file's checksum has held and its layout fits, so nothing but an I/O error
/// while reading can stop the load midway.
/// </summary>
internal static class AllOrNothing
{
    /// <summary>Loads the state dictionary at the reader's position into <paramref name="network"/>; <paramref name="readRest"/> reads what follows it.</summary>
    /// <exception cref="InvalidDataException">The state does not fit the network, or the content does not end at the checksum; the network is then unchanged.</exception>
    public static void Load(BinaryReader reader, MultiTaskNetwork network, Action? readRest = null)
    {
        var start = reader.BaseStream.Position;
        SkipState(reader, network);
        readRest?.Invoke();
        ChecksummedFile.RequireEnd(reader);
        var end = reader.BaseStream.Position;
        reader.BaseStream.Position = start;
        network.load(reader);
        reader.BaseStream.Position = end;
    }

    /// <summary>
    /// Reads TorchSharp's layout of a state dictionary without its data: the entry count, then per entry the name, the
    /// dtype, the rank, each dimension (LEB128 integers), and the raw bytes, which are skipped.
    /// </summary>
    private static void SkipState(BinaryReader reader, MultiTaskNetwork network)
    {
        var expected = network.state_dict();
        var model = network.Schema.Name;
        var count = Decode(reader);
        if (count != expected.Count)
            throw new InvalidDataException(Invariant($"it holds {count} tensors, but {model} has {expected.Count}."));
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            if (!expected.TryGetValue(name, out var tensor))
                throw new InvalidDataException($"it holds a tensor '{name}', which {model} does not have.");
            var dtype = (ScalarType)Decode(reader);
            var rank = Decode(reader);
            if (rank != tensor.shape.Length)
                throw new InvalidDataException(Invariant($"its tensor '{name}' has {rank} dimensions, but {model}'s has {tensor.shape.Length}."));
            var shape = Enumerable.Range(0, (int)rank).Select(_ => Decode(reader)).ToArray();
            if (dtype != tensor.dtype || !shape.SequenceEqual(tensor.shape))
                throw new InvalidDataException(
                    $"its tensor '{name}' is {dtype} [{string.Join(", ", shape)}], but {model}'s is {tensor.dtype} [{string.Join(", ", tensor.shape)}].");
            var bytes = tensor.NumberOfElements * tensor.ElementSize;
            var left = ChecksummedFile.ContentLeft(reader);
            if (bytes > left)
                throw new InvalidDataException(Invariant($"its tensor '{name}' takes {bytes:N0} bytes, but {left:N0} remain before the checksum."));
            reader.BaseStream.Seek(bytes, SeekOrigin.Current);
        }
    }

    /// <summary>An unsigned LEB128 integer, as TorchSharp writes counts, dtypes and dimensions.</summary>
    private static long Decode(BinaryReader reader)
    {
        var value = 0L;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = reader.ReadByte();
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
        throw new InvalidDataException("an integer of its state dictionary runs over 64 bits.");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
