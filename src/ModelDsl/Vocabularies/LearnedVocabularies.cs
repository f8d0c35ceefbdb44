using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Linq;

namespace ModelDsl;

/// <summary>
/// The learned vocabularies of a network (<c>[Categorical(Learned = true)]</c>), one per learned feature, indexed by
/// the feature's position in <see cref="ModelSchema.Features"/>. Empty until the first <c>Fit</c>, <c>DescribeData</c>
/// or training <c>Shards.Write</c> learns them from the training samples, or <c>Load</c> or a resumed checkpoint
/// restores them; later runs keep them. They are saved in weights files and checkpoints and exported into the ONNX model.
/// </summary>
public sealed class LearnedVocabularies
{
    private readonly ModelSchema _schema;
    private readonly LearnedVocabulary?[] _vocabularies;

    internal LearnedVocabularies(ModelSchema schema)
    {
        _schema = schema;
        _vocabularies = new LearnedVocabulary?[schema.Features.Count];
    }

    /// <summary>Whether the spec has a learned vocabulary.</summary>
    public bool Any => Features.Any();

    /// <summary>Whether every learned vocabulary of the spec is learned (or the spec has none).</summary>
    public bool IsLearned => Features.All(i => _vocabularies[i] is not null);

    /// <summary>The learned vocabulary of a feature, or null while it is not learned.</summary>
    /// <exception cref="ArgumentException">The spec has no feature of that name with a learned vocabulary.</exception>
    public LearnedVocabulary? this[string feature]
    {
        get
        {
            foreach (var i in Features)
                if (_schema.Features[i].Name == feature)
                    return _vocabularies[i];
            throw new ArgumentException($"{_schema.Name} has no feature '{feature}' with a learned vocabulary.", nameof(feature));
        }
    }

    /// <summary>The learned vocabularies, in feature order (empty while not learned).</summary>
    public IEnumerable<LearnedVocabulary> All => _vocabularies.OfType<LearnedVocabulary>();

    /// <summary>The row of an id of the learned feature at <paramref name="feature"/>; generated encoders call it.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public long Row(int feature, long id) => Of(feature).Row(id);

    /// <summary>The row of a string of the learned feature at <paramref name="feature"/>; generated encoders call it.</summary>
    /// <exception cref="ModelDataException">The value is null.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public long Row(int feature, string? value, string member) =>
        Of(feature).Row(value ?? throw FeatureValues.NullString(member));

    /// <summary>Indices of the learned features.</summary>
    internal IEnumerable<int> Features => Enumerable.Range(0, _schema.Features.Count).Where(i => _schema.Features[i].Learned is not null);

    /// <summary>Learns every vocabulary from one pass over the training samples, which <paramref name="count"/> adds to the counts.</summary>
    /// <exception cref="ModelDataException">A sample's value cannot be counted (a null string; the message names the sample), or a vocabulary would be empty.</exception>
    internal void Learn<TSample>(IEnumerable<TSample> samples, Action<TSample, VocabularyCounts> count, string argument)
    {
        var counts = new VocabularyCounts(_schema);
        long index = 0;
        foreach (var sample in samples)
        {
            try
            {
                count(sample, counts);
            }
            catch (ModelDataException e)
            {
                throw e.At($"training sample at index {index}");
            }
            index++;
        }
        if (index == 0)
            throw Training.SampleTable.Empty("training sample", argument);
        // All or none: a vocabulary that would be empty fails before any is set.
        Set(Features.Select(counts.Vocabulary).ToArray());
    }

    /// <summary>
    /// The vocabularies as weights files, checkpoints and a bundle's spec hold them: a count, then each one's feature name,
    /// whether it holds strings, its size and its values (.NET <see cref="BinaryWriter"/> encoding).
    /// </summary>
    /// <exception cref="InvalidOperationException">They are not learned yet.</exception>
    internal byte[] ToBytes()
    {
        if (!IsLearned)
            throw NotLearned();
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(All.Count());
            foreach (var vocabulary in All)
                vocabulary.Write(writer);
        }
        return stream.ToArray();
    }

    /// <summary>Writes <see cref="ToBytes"/>, preceded by its length, as weights files and checkpoints hold it.</summary>
    internal void Write(BinaryWriter writer)
    {
        var bytes = ToBytes();
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>Reads vocabularies <see cref="Write"/> wrote, for this spec; nothing changes until <see cref="Set"/>.</summary>
    /// <exception cref="InvalidDataException">They do not fit the spec's learned features, or their length field is wrong.</exception>
    internal LearnedVocabulary[] Read(BinaryReader reader)
    {
        var bytes = IO.ChecksummedFile.ReadBlock(reader, reader.ReadInt32());
        using var block = new BinaryReader(new MemoryStream(bytes), System.Text.Encoding.UTF8);
        var features = Features.ToArray();
        var count = block.ReadInt32();
        if (count != features.Length)
            throw new InvalidDataException($"it holds {count} learned vocabularies; {_schema.Name} has {features.Length}.");
        var vocabularies = features.Select(i => LearnedVocabulary.Read(block, _schema.Features[i])).ToArray();
        return block.BaseStream.Position == bytes.Length ? vocabularies
            : throw new InvalidDataException("its learned vocabularies do not end where their length says.");
    }

    /// <summary>Replaces the vocabularies by ones <see cref="Read"/> returned.</summary>
    internal void Set(LearnedVocabulary[] vocabularies)
    {
        foreach (var (i, vocabulary) in Features.Zip(vocabularies))
            _vocabularies[i] = vocabulary;
    }

    /// <summary>The vocabulary of a learned feature, which must be learned.</summary>
    internal LearnedVocabulary Of(int feature) => _vocabularies[feature] ?? throw NotLearned();

    private InvalidOperationException NotLearned() =>
        new($"The learned vocabularies of {_schema.Name} ({string.Join(", ", Features.Where(i => _vocabularies[i] is null).Select(i => _schema.Features[i].Name))}) are not learned yet: "
            + "Fit or DescribeData (or Shards.Write of training samples) learns them from the training samples, and Load or a resumed checkpoint restores them.");
}
