using System;

namespace ModelDsl;

/// <summary>
/// A categorical feature looked up in an embedding table of <see cref="Vocabulary"/> rows:
/// an <c>int</c> or <c>long</c> id in <c>[0, Vocabulary)</c>; a <c>string</c>, hashed into that range
/// with <see cref="StableHash"/>; or an <c>int[]</c>, <c>long[]</c> or <c>string[]</c> sequence of up to
/// <see cref="MaxLength"/> such values whose embeddings are pooled into one vector.
/// Features of one <see cref="Dim"/> share one concatenated table, gathered with one lookup.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
sealed partial class CategoricalAttribute : Attribute
{
    /// <summary>Number of distinct ids; valid ids are <c>0 … Vocabulary − 1</c> (the hash range of strings).</summary>
    public int Vocabulary { get; set; }

    /// <summary>Embedding width.</summary>
    public int Dim { get; set; }

    /// <summary>
    /// Name of an embedding table shared with other features of the same group (item id and recently
    /// watched items, say); all of them must have the same <see cref="Vocabulary"/>, <see cref="Dim"/>
    /// and <see cref="OutOfVocabulary"/>. Unset: the feature has its own table.
    /// </summary>
    public string? Group { get; set; }

    /// <summary>What an integer id outside <c>[0, Vocabulary)</c> becomes; <see cref="ModelDsl.OutOfVocabulary.Error"/> by default.</summary>
    public OutOfVocabulary OutOfVocabulary { get; set; }

    /// <summary>
    /// What a missing value (null) of a <c>string?</c>, <c>int?</c> or <c>long?</c> member or of a sequence is:
    /// <see cref="MissingValue.Error"/> (the default); <see cref="MissingValue.Category"/>, an extra row at index
    /// <c>Vocabulary</c> that learns "missing" (a missing sequence holds that one value); or, for sequences,
    /// <see cref="MissingValue.Empty"/>. Training and the predictor encode null alike; a file's missing-value
    /// marker (a Parquet null) reads as null.
    /// </summary>
    public MissingValue Missing { get; set; }

    /// <summary>
    /// The id a missing value (null) of an <c>int?</c> or <c>long?</c> member stands for, in <c>[0, Vocabulary)</c>:
    /// a fill, as <c>[Numeric(Missing = x)]</c> is for numbers; −1 (unset) by default. Such a member needs this or
    /// <see cref="Missing"/> = <see cref="MissingValue.Category"/>.
    /// </summary>
    public int MissingId { get; set; } = -1;

    /// <summary>Most values a sequence holds; shorter ones are padded (padding adds nothing to the pooled vector). Sequences only.</summary>
    public int MaxLength { get; set; }

    /// <summary>How a sequence's embeddings become one vector; <see cref="ModelDsl.Pooling.Mean"/> by default. Sequences only.</summary>
    public Pooling Pooling { get; set; }

    /// <summary>What a sequence longer than <see cref="MaxLength"/> does; <see cref="SequenceTruncation.Error"/> by default. Sequences only.</summary>
    public SequenceTruncation Truncation { get; set; }
}

/// <summary>What an integer id outside its feature's vocabulary becomes.</summary>
#if !MODELDSL_GENERATOR
public
#endif
enum OutOfVocabulary
{
    /// <summary>It is bad data: encoding fails with a <see cref="ModelDataException"/> naming the member, the value and the row.</summary>
    Error,

    /// <summary>It is hashed into the vocabulary with <see cref="StableHash"/>, sharing a row with some valid id.</summary>
    Hash,

    /// <summary>Every such id maps to one extra row, index <c>Vocabulary</c>, which learns "unknown".</summary>
    Reserved,
}

/// <summary>What a missing value of a categorical feature is.</summary>
#if !MODELDSL_GENERATOR
public
#endif
enum MissingValue
{
    /// <summary>It is bad data: reading or encoding it fails naming the member (and the file, row and column).</summary>
    Error,

    /// <summary>It is one more category, with its own row at index <c>Vocabulary</c>; a missing sequence holds that one value.</summary>
    Category,

    /// <summary>A missing sequence is an empty one: it pools to zeros. Sequences only.</summary>
    Empty,
}

/// <summary>How a sequence feature's embeddings are pooled; empty sequences pool to zeros.</summary>
#if !MODELDSL_GENERATOR
public
#endif
enum Pooling
{
    /// <summary>Mean of the embeddings of its values.</summary>
    Mean,

    /// <summary>Sum of the embeddings of its values.</summary>
    Sum,

    /// <summary>Element-wise maximum of the embeddings of its values.</summary>
    Max,
}

/// <summary>What a sequence longer than its <c>MaxLength</c> does.</summary>
#if !MODELDSL_GENERATOR
public
#endif
enum SequenceTruncation
{
    /// <summary>It is bad data: encoding fails with a <see cref="ModelDataException"/> naming the member and the length.</summary>
    Error,

    /// <summary>Its first <c>MaxLength</c> values are kept.</summary>
    KeepFirst,

    /// <summary>Its last <c>MaxLength</c> values are kept (the most recent, for histories in time order).</summary>
    KeepLast,
}
