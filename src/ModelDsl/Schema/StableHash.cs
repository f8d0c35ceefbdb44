using System;
#if !MODELDSL_GENERATOR
using System.Buffers;
#endif
using System.Text;

namespace ModelDsl;

/// <summary>
/// The hash that maps strings (and out-of-vocabulary ids under <see cref="OutOfVocabulary.Hash"/>) to
/// embedding rows: 64-bit FNV-1a over the UTF-8 bytes of a string, or over the 8 little-endian bytes
/// of an id, reduced modulo the vocabulary. Unlike <see cref="string.GetHashCode()"/> it is the same in
/// every process, platform and .NET version, so a model trained today serves the same rows tomorrow,
/// and any other host can reproduce it. The generator compiles this file too, for the spec fingerprint.
/// </summary>
#if !MODELDSL_GENERATOR
public
#endif
static class StableHash
{
    private const ulong Basis = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    /// <summary>FNV-1a 64 of the UTF-8 bytes of <paramref name="value"/>.</summary>
    public static ulong Of(string value)
    {
#if MODELDSL_GENERATOR
        // The generator hashes one fingerprint text per build: no spans on netstandard2.0.
        return Of(Encoding.UTF8.GetBytes(value));
#else
        ArgumentNullException.ThrowIfNull(value);
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        var bytes = length <= 512 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            return Of(bytes[..Encoding.UTF8.GetBytes(value, bytes)]);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
#endif
    }

    /// <summary>FNV-1a 64 of the 8 little-endian bytes of <paramref name="id"/>.</summary>
    public static ulong Of(long id)
    {
        var hash = Basis;
        var bits = (ulong)id;
        for (var i = 0; i < 8; i++, bits >>= 8)
            hash = (hash ^ (bits & 0xFF)) * Prime;
        return hash;
    }

    /// <summary>The row in <c>[0, vocabulary)</c> of a string.</summary>
    public static long Index(string value, int vocabulary) => (long)(Of(value) % (ulong)vocabulary);

    /// <summary>The row in <c>[0, vocabulary)</c> of an id.</summary>
    public static long Index(long id, int vocabulary) => (long)(Of(id) % (ulong)vocabulary);

#if MODELDSL_GENERATOR
    private static ulong Of(byte[] bytes)
#else
    private static ulong Of(ReadOnlySpan<byte> bytes)
#endif
    {
        var hash = Basis;
        foreach (var b in bytes)
            hash = (hash ^ b) * Prime;
        return hash;
    }
}
