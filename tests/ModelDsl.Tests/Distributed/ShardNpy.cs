using System;
using System.Buffers.Binary;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ModelDsl.Tests.Distributed;

/// <summary>Reads a 2-D <c>.npy</c> file as numpy's format describes it, independently of the writer.</summary>
internal static partial class ShardNpy
{
    public static (T[] Values, long Rows, int Width, string Descriptor) Read<T>(string path)
        where T : unmanaged
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path} is not a .npy file.");
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        var match = HeaderPattern().Match(header);
        if (!match.Success || (10 + headerLength) % 64 != 0)
            throw new InvalidDataException($"{path} has an unexpected header: {header}");
        var values = MemoryMarshal.Cast<byte, T>(bytes.AsSpan(10 + headerLength)).ToArray();
        return (values, long.Parse(match.Groups[2].Value), int.Parse(match.Groups[3].Value), match.Groups[1].Value);
    }

    [GeneratedRegex(@"^\{'descr': '([<>][if][48])', 'fortran_order': False, 'shape': \((\d+), (\d+)\), \} *\n$")]
    private static partial Regex HeaderPattern();
}
