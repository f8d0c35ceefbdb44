using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelDsl.Tests.Models;

// One multiclass spec per architecture over the same members, so MulticlassData feeds them all: an enum label
// (Classes from the enum), an int label with Classes and a sample weight, and a binary task beside them.

/// <summary>An item's genre, the enum label.</summary>
public enum Genre
{
    Drama,
    Comedy,
    Action,
    Documentary,
}

/// <summary>Shared-Bottom with uncertainty loss weighting.</summary>
[MultiTaskModel]
[SharedBottom(32, 16)]
[LossWeighting(LossWeightingStrategy.Uncertainty)]
public partial class MulticlassBottomModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public int UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [MulticlassTask(Tower = new[] { 8 })] public Genre Genre { get; init; }
    [MulticlassTask(Classes = 3, LossWeight = 0.5)] public int PriceBand { get; init; }
    [SampleWeight(For = nameof(PriceBand))] public float Weight { get; init; } = 1;
    [BinaryTask] public bool Click { get; init; }
}

/// <summary>MMoE.</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 3, ExpertUnits = new[] { 32 }, GateUnits = new[] { 8 })]
public partial class MulticlassMmoeModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public int UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [MulticlassTask(Tower = new[] { 8 })] public Genre Genre { get; init; }
    [MulticlassTask(Classes = 3, LossWeight = 0.5)] public int PriceBand { get; init; }
    [SampleWeight(For = nameof(PriceBand))] public float Weight { get; init; } = 1;
    [BinaryTask] public bool Click { get; init; }
}

/// <summary>OMoE: one gate shared by the tasks.</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 3, ExpertUnits = new[] { 32 }, SharedGate = true)]
public partial class MulticlassOmoeModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public int UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [MulticlassTask(Tower = new[] { 8 })] public Genre Genre { get; init; }
    [MulticlassTask(Classes = 3, LossWeight = 0.5)] public int PriceBand { get; init; }
    [SampleWeight(For = nameof(PriceBand))] public float Weight { get; init; } = 1;
    [BinaryTask] public bool Click { get; init; }
}

/// <summary>PLE with two levels.</summary>
[MultiTaskModel]
[ProgressiveLayeredExtraction(Levels = 2, SharedExperts = 1, TaskExperts = 1, ExpertUnits = new[] { 16 })]
public partial class MulticlassPleModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public int UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [MulticlassTask(Tower = new[] { 8 })] public Genre Genre { get; init; }
    [MulticlassTask(Classes = 3, LossWeight = 0.5)] public int PriceBand { get; init; }
    [SampleWeight(For = nameof(PriceBand))] public float Weight { get; init; } = 1;
    [BinaryTask] public bool Click { get; init; }
}

/// <summary>One synthetic row with a known structure.</summary>
/// <param name="User">The user id.</param>
/// <param name="Item">The item id.</param>
/// <param name="Price">The price, in [0, 3).</param>
/// <param name="Genre">The item's genre, 80 % of the time; a uniformly random genre otherwise.</param>
/// <param name="PriceBand">⌊price⌋, 90 % of the time; a uniformly random band otherwise.</param>
/// <param name="Weight">The band's sample weight, 0.5 to 2.</param>
/// <param name="Click">Clicked, more likely for users of an even id.</param>
public sealed record MulticlassRow(int User, int Item, float Price, Genre Genre, int PriceBand, float Weight, bool Click);

/// <summary>
/// Rows whose labels follow the features with known noise: the genre is the item's own (a fixed random
/// map of 100 items onto 4 genres, skewed so that Drama is the majority) with probability 0.8, the price band
/// is ⌊price⌋ with probability 0.9. The best accuracies are 0.85 and 0.93; predicting the majority class
/// scores the class's share, and predicting the label frequencies scores their entropy as log loss.
/// </summary>
public sealed class MulticlassData
{
    private readonly Genre[] _genreOf;

    public MulticlassData(int seed)
    {
        var random = new Random(seed);
        // 40 % Drama, 20 % each of the others.
        _genreOf = Enumerable.Range(0, 100).Select(_ => random.Next(5) switch { 0 or 1 => Genre.Drama, 2 => Genre.Comedy, 3 => Genre.Action, _ => Genre.Documentary }).ToArray();
    }

    public List<MulticlassRow> Rows(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<MulticlassRow>(count);
        for (var i = 0; i < count; i++)
        {
            var (user, item, price) = (random.Next(200), random.Next(100), (float)(random.NextDouble() * 3));
            var genre = random.NextDouble() < 0.8 ? _genreOf[item] : (Genre)random.Next(4);
            var band = random.NextDouble() < 0.9 ? (int)price : random.Next(3);
            var click = random.NextDouble() < (user % 2 == 0 ? 0.7 : 0.2);
            rows.Add(new MulticlassRow(user, item, price, genre, band, 0.5f + (float)random.NextDouble() * 1.5f, click));
        }
        return rows;
    }
}
