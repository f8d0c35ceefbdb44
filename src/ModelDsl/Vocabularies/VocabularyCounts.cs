using System.Collections.Generic;
using System.ComponentModel;

namespace ModelDsl;

/// <summary>
/// How often each value of each learned feature occurs in the training samples: the first pass of <c>Fit</c>
/// adds every sample's values (the generated <c>Trainer.Count</c>), then each learned vocabulary keeps the most frequent.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class VocabularyCounts
{
    private readonly ModelSchema _schema;
    private readonly Dictionary<int, Dictionary<long, long>> _ids = [];
    private readonly Dictionary<int, Dictionary<string, long>> _strings = [];

    internal VocabularyCounts(ModelSchema schema) => _schema = schema;

    /// <summary>Counts an id of the learned feature at index <paramref name="feature"/> of the schema's features.</summary>
    public void Add(int feature, long id) => Increment(Counts(_ids, feature), id);

    /// <summary>Counts a string, without its surrounding white space, of the learned feature at index <paramref name="feature"/>.</summary>
    /// <exception cref="ModelDataException">The value is null.</exception>
    public void Add(int feature, string? value, string member) =>
        Increment(Counts(_strings, feature), FeatureValues.LearnedString(value, member));

    /// <summary>The learned vocabulary of a feature's counts (none counted: empty, which fails).</summary>
    internal LearnedVocabulary Vocabulary(int feature)
    {
        var info = _schema.Features[feature];
        var (minCount, maxSize) = (info.Learned!.MinCount, info.Vocabulary);
        return info.Learned.Strings
            ? LearnedVocabulary.OfStrings(info.Name, _strings.GetValueOrDefault(feature) ?? [], minCount, maxSize)
            : LearnedVocabulary.OfIds(info.Name, _ids.GetValueOrDefault(feature) ?? [], minCount, maxSize);
    }

    private static Dictionary<T, long> Counts<T>(Dictionary<int, Dictionary<T, long>> all, int feature) where T : notnull =>
        all.TryGetValue(feature, out var counts) ? counts : all[feature] = [];

    private static void Increment<T>(Dictionary<T, long> counts, T value) where T : notnull =>
        counts[value] = counts.GetValueOrDefault(value) + 1;
}
