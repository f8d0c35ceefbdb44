using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace ModelDsl.Distributed;

/// <summary>
/// One 2-D little-endian <c>.npy</c> array written row block by row block, for numpy's
/// <c>np.load(path, mmap_mode="r")</c>. The row count is known only at the end of a stream, so the
/// header has a fixed size and is rewritten with the final shape when the file is closed.
/// </summary>
internal sealed class ShardNpyFile<T> : IDisposable
    where T : unmanaged
{
    // Magic, version 1.0, a 2-byte header length, then the header padded to a multiple of 64 bytes.
    private const int HeaderSize = 128;
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    private readonly FileStream _stream;
    private readonly int _width;
    private readonly string _descriptor;

    public ShardNpyFile(string path, int width)
    {
        _width = width;
        _descriptor = typeof(T) == typeof(long) ? "<i8" : typeof(T) == typeof(float) ? "<f4"
            : throw new NotSupportedException($"No .npy type for {typeof(T)}.");
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        WriteHeader(0);
    }

    public long Rows { get; private set; }

    /// <summary>Appends <paramref name="rows"/> rows of <c>width</c> values each.</summary>
    public void Append(ReadOnlySpan<T> values, int rows)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Shards are written little-endian, on little-endian machines only.");
        _stream.Write(MemoryMarshal.AsBytes(values[..(rows * _width)]));
        Rows += rows;
    }

    /// <summary>Writes the final shape and flushes the file to disk.</summary>
    public void Complete()
    {
        _stream.Flush();
        _stream.Position = 0;
        WriteHeader(Rows);
        _stream.Flush(flushToDisk: true);
    }

    private void WriteHeader(long rows)
    {
        var dictionary = string.Create(CultureInfo.InvariantCulture,
            $"{{'descr': '{_descriptor}', 'fortran_order': False, 'shape': ({rows}, {_width}), }}");
        var header = new byte[HeaderSize];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), HeaderSize - 10);
        header.AsSpan(10).Fill((byte)' ');
        Encoding.ASCII.GetBytes(dictionary).CopyTo(header, 10);
        header[^1] = (byte)'\n';
        _stream.Write(header);
    }

    public void Dispose() => _stream.Dispose();
}
