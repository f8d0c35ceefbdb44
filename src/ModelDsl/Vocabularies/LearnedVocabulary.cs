using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace ModelDsl;

/// <summary>
/// The values a learned vocabulary kept (<c>[Categorical(Learned = true)]</c>), most frequent first: the value at
/// index i has embedding row i, and every other value the out-of-vocabulary row, <see cref="OutOfVocabularyRow"/>
/// (the feature's <c>MaxSize</c>). Strings are kept without their surrounding white space, and looked up so.
/// </summary>
public sealed class LearnedVocabulary
{
    private readonly Dictionary<long, int>? _ids;
    private readonly Dictionary<string, int>? _strings;

    private LearnedVocabulary(string feature, int outOfVocabularyRow, long[]? ids, string[]? strings)
    {
        (Feature, OutOfVocabularyRow, Ids, Strings) = (feature, outOfVocabularyRow, ids ?? [], strings ?? []);
        if (ids is not null)
            _ids = ids.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row);
        else
            _strings = strings!.Select((value, row) => (value, row)).ToDictionary(p => p.value, p => p.row, StringComparer.Ordinal);
    }

    /// <summary>The feature's member name.</summary>
    public string Feature { get; }

    /// <summary>The row of every value not kept: the feature's <c>MaxSize</c>.</summary>
    public int OutOfVocabularyRow { get; }

    /// <summary>Whether the values are strings (else integer ids).</summary>
    public bool IsStrings => _strings is not null;

    /// <summary>Values kept.</summary>
    public int Count => IsStrings ? Strings.Count : Ids.Count;

    /// <summary>The ids kept, row by row (empty for strings).</summary>
    public IReadOnlyList<long> Ids { get; }

    /// <summary>The strings kept, row by row (empty for ids).</summary>
    public IReadOnlyList<string> Strings { get; }

    /// <summary>The row of an id: its index, or <see cref="OutOfVocabularyRow"/>.</summary>
    public long Row(long id) => _ids!.TryGetValue(id, out var row) ? row : OutOfVocabularyRow;

    /// <summary>The row of a string without its surrounding white space: its index, or <see cref="OutOfVocabularyRow"/>.</summary>
    /// <exception cref="ModelDataException">The value is null.</exception>
    public long Row(string value) => _strings!.TryGetValue(FeatureValues.LearnedString(value, Feature), out var row) ? row : OutOfVocabularyRow;

    /// <summary>The vocabulary of counted ids (see <see cref="Kept"/>).</summary>
    internal static LearnedVocabulary OfIds(string feature, Dictionary<long, long> counts, int minCount, int maxSize) =>
        new(feature, maxSize, Kept(feature, counts, minCount, maxSize, Comparer<long>.Default), null);

    /// <summary>The vocabulary of counted strings (see <see cref="Kept"/>).</summary>
    internal static LearnedVocabulary OfStrings(string feature, Dictionary<string, long> counts, int minCount, int maxSize) =>
        new(feature, maxSize, null, Kept(feature, counts, minCount, maxSize, StringComparer.Ordinal));

    /// <summary>
    /// The values counted at least <paramref name="minCount"/> times, by count, most first, equal counts in ascending
    /// order of the value (ordinal for strings), so the same data give the same rows; at most <paramref name="maxSize"/>.
    /// </summary>
    private static T[] Kept<T>(string feature, Dictionary<T, long> counts, int minCount, int maxSize, IComparer<T> order) where T : notnull
    {
        var kept = counts.Where(c => c.Value >= minCount)
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key, order)
            .Take(maxSize).Select(c => c.Key).ToArray();
        return kept.Length > 0 ? kept : throw new ModelDataException(string.Create(CultureInfo.InvariantCulture,
            $"No value of {feature} occurs MinCount = {minCount} times in the training samples ({counts.Count} distinct values): its learned vocabulary would be empty; lower MinCount."));
    }

    internal void Write(BinaryWriter writer)
    {
        writer.Write(Feature);
        writer.Write(IsStrings);
        writer.Write(Count);
        foreach (var id in Ids)
            writer.Write(id);
        foreach (var value in Strings)
            writer.Write(value);
    }

    /// <summary>Reads a vocabulary written for <paramref name="feature"/>, checking it fits the feature.</summary>
    /// <exception cref="InvalidDataException">It belongs to another feature, holds another kind of value, too many values or one twice.</exception>
    internal static LearnedVocabulary Read(BinaryReader reader, FeatureInfo feature)
    {
        var (name, strings, count) = (reader.ReadString(), reader.ReadBoolean(), reader.ReadInt32());
        if (name != feature.Name || strings != feature.Learned!.Strings)
            throw new InvalidDataException($"it holds a learned vocabulary of {name} ({(strings ? "strings" : "ids")}) where {feature.Name} ({(feature.Learned!.Strings ? "strings" : "ids")}) belongs.");
        if (count <= 0 || count > feature.Vocabulary)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"the learned vocabulary of {name} holds {count} values; its MaxSize is {feature.Vocabulary}."));
        try
        {
            return strings
                ? new(name, feature.Vocabulary, null, Enumerable.Range(0, count).Select(_ => reader.ReadString()).ToArray())
                : new(name, feature.Vocabulary, Enumerable.Range(0, count).Select(_ => reader.ReadInt64()).ToArray(), null);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"the learned vocabulary of {name} holds a value twice.", e);
        }
    }
}
