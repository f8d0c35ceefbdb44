using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace ModelDsl.Training;

/// <summary>
/// Encodes a sample sequence into chunk tables on a background thread while the caller trains on the
/// previous chunk. Three tables are reused in turn (one being trained on, two being filled or ready),
/// so memory is bounded by the chunk size, not by the data, and nothing large is allocated per chunk.
/// </summary>
internal static class SampleStream
{
    private const int Tables = 3;

    /// <summary>The chunks of one pass over <paramref name="samples"/>; each is valid until the next is requested.</summary>
    public static IEnumerable<SampleTable> Chunks<TSample>(IEnumerable<TSample> samples, ModelSchema schema, SampleEncoder<TSample> encode, string dataName, int chunkRows)
    {
        using var free = new BlockingCollection<SampleTable>();
        using var full = new BlockingCollection<SampleTable>();
        for (var i = 0; i < Tables; i++)
            free.Add(new SampleTable(schema, chunkRows));
        using var stop = new CancellationTokenSource();
        ExceptionDispatchInfo? failure = null;
        var producer = new Thread(() =>
        {
            try
            {
                long index = 0;
                var table = free.Take(stop.Token);
                table.Clear();
                foreach (var sample in samples)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    table.Add(sample, encode, dataName, index++);
                    if (table.Rows < chunkRows)
                        continue;
                    full.Add(table);
                    table = free.Take(stop.Token);
                    table.Clear();
                }
                if (table.Rows > 0)
                    full.Add(table);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                full.CompleteAdding();
            }
        })
        { IsBackground = true, Name = "ModelDsl sample encoder" };
        producer.Start();
        try
        {
            SampleTable? current = null;
            foreach (var table in full.GetConsumingEnumerable())
            {
                if (current is not null)
                    free.Add(current);
                current = table;
                yield return table;
            }
            failure?.Throw();
        }
        finally
        {
            stop.Cancel();
            producer.Join();
        }
    }
}
