using System;

namespace ModelDsl.Distributed;

/// <summary>How <see cref="Shards.Write"/> splits and encodes samples.</summary>
public sealed record ShardOptions
{
    /// <summary>Rows per shard (the last may be shorter). Each rank reads a contiguous part of the rows, whatever the shards.</summary>
    public int RowsPerShard { get; init; } = 1 << 20;

    /// <summary>Samples encoded per chunk while streaming: memory is bounded by a few chunks, not by the data.</summary>
    public int ChunkRows { get; init; } = 65_536;

    internal void Validate()
    {
        if (RowsPerShard <= 0)
            throw new ArgumentOutOfRangeException(nameof(RowsPerShard), RowsPerShard, "RowsPerShard must be positive.");
        if (ChunkRows <= 0)
            throw new ArgumentOutOfRangeException(nameof(ChunkRows), ChunkRows, "ChunkRows must be positive.");
    }
}
