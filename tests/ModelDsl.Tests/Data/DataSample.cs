using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Serialization;
using ModelDsl.Data;
using Xunit;

namespace ModelDsl.Tests.Data;

/// <summary>
/// A row with every type the readers support, read the way generated code reads it: a column list and a
/// row function taking indices into it. <see cref="Unused"/> is in the files but not read.
/// </summary>
public sealed class DataSample
{
    /// <summary>The columns read, deliberately in another order than the files have them.</summary>
    public static readonly string[] Columns = ["Words", "user_id", "ItemId", "Price", "Score", "Click", "Name", "Recent", "Tags", "Weights", "Embedding"];

    private static readonly string[] Texts =
        ["plain", "with, comma", "with \"quotes\"", "line\nbreak", "ünïcödé", "日本語", "emoji 🎉", " padded ", "semi;colon", "pipe|inside", ""];

    private static readonly string[] WordPool = ["a", "b c", "x,y", "q\"uote", "日本", "🎉"];

    public int Unused { get; set; }
    [JsonPropertyName("user_id")] public long UserId { get; set; }
    public int ItemId { get; set; }
    public float Price { get; set; }
    public double Score { get; set; }
    public bool Click { get; set; }
    public string Name { get; set; } = "";
    public long[] Recent { get; set; } = [];
    public int[] Tags { get; set; } = [];
    public float[] Weights { get; set; } = [];
    public double[] Embedding { get; set; } = [];
    public string[] Words { get; set; } = [];

    public static DataSample Read(DataRow row) => new()
    {
        Words = row.GetStringArray(0),
        UserId = row.GetInt64(1),
        ItemId = row.GetInt32(2),
        Price = row.GetSingle(3),
        Score = row.GetDouble(4),
        Click = row.GetBoolean(5),
        Name = row.GetString(6),
        Recent = row.GetInt64Array(7),
        Tags = row.GetInt32Array(8),
        Weights = row.GetSingleArray(9),
        Embedding = row.GetDoubleArray(10),
    };

    /// <summary>Random rows that include the extremes of each type, empty arrays and awkward strings.</summary>
    public static List<DataSample> Generate(int count, int seed)
    {
        var random = new Random(seed);
        float[] floats = [float.MaxValue, float.MinValue, float.Epsilon, 1e-30f, 0f, -1.5f, 0.1f];
        double[] doubles = [double.MaxValue, double.MinValue, double.Epsilon, 1e-300, 0d, -2.25, 0.1];
        T Pick<T>(T[] values, Func<T> otherwise) => random.Next(3) == 0 ? values[random.Next(values.Length)] : otherwise();
        T[] Array<T>(Func<T> element) => Enumerable.Range(0, random.Next(5)).Select(_ => element()).ToArray();
        return Enumerable.Range(0, count).Select(i => new DataSample
        {
            Unused = i,
            UserId = Pick([long.MinValue, long.MaxValue, 0L], () => random.NextInt64(-1_000_000, 1_000_000)),
            ItemId = Pick([int.MinValue, int.MaxValue], () => random.Next(100_000)),
            Price = Pick(floats, () => (float)(random.NextDouble() * 100)),
            Score = Pick(doubles, () => random.NextDouble() - 0.5),
            Click = random.Next(2) == 1,
            Name = Texts[random.Next(Texts.Length)],
            Recent = Array(() => random.NextInt64(long.MinValue, long.MaxValue)),
            Tags = Array(() => random.Next(int.MinValue, int.MaxValue)),
            Weights = Array(() => Pick(floats, () => (float)random.NextDouble())),
            Embedding = Array(() => Pick(doubles, random.NextDouble)),
            Words = Array(() => WordPool[random.Next(WordPool.Length)]),
        }).ToList();
    }

    /// <summary>Compares every member exactly (floats bit for bit, so a lossy text form would show).</summary>
    public static void AssertEqual(IReadOnlyList<DataSample> expected, IReadOnlyList<DataSample> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            DataSample e = expected[i], a = actual[i];
            Assert.Equal(e.UserId, a.UserId);
            Assert.Equal(e.ItemId, a.ItemId);
            Assert.Equal(Bits(e.Price), Bits(a.Price));
            Assert.Equal(Bits(e.Score), Bits(a.Score));
            Assert.Equal(e.Click, a.Click);
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.Recent, a.Recent);
            Assert.Equal(e.Tags, a.Tags);
            Assert.Equal(e.Weights.Select(Bits), a.Weights.Select(Bits));
            Assert.Equal(e.Embedding.Select(Bits), a.Embedding.Select(Bits));
            Assert.Equal(e.Words, a.Words);
        }
    }

    /// <summary>The CSV cell of an array, elements joined by <paramref name="separator"/>.</summary>
    public static string Join<T>(IEnumerable<T> values, char separator) where T : IFormattable =>
        string.Join(separator, values.Select(v => v.ToString(null, CultureInfo.InvariantCulture)));

    private static int Bits(float value) => BitConverter.SingleToInt32Bits(value);

    private static long Bits(double value) => BitConverter.DoubleToInt64Bits(value);
}
