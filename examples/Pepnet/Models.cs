using ModelDsl;

namespace PepnetSynthetic;

// The same Shared-Bottom model four times: without PEPNet, with EPNet or PPNet alone, and with both.
// Domain gates the embeddings (EPNet, the paper's domain-side prior); user and item ids gate the towers (PPNet).

/// <summary>The baseline: the domain is one more feature.</summary>
[MultiTaskModel]
[SharedBottom(64, 32)]
public partial class PlainRanker
{
    [Categorical(Vocabulary = MultiDomain.Domains, Dim = 4)] public int Domain { get; init; }
    [Categorical(Vocabulary = MultiDomain.Users, Dim = 8)] public int UserId { get; init; }
    [Categorical(Vocabulary = MultiDomain.Items, Dim = 8)] public int ItemId { get; init; }

    [BinaryTask(Tower = new[] { 16 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 16 })] public bool Like { get; init; }
}

/// <summary>EPNet over the domain.</summary>
[MultiTaskModel]
[SharedBottom(64, 32)]
[EmbeddingPersonalization(nameof(Domain))]
public partial class EpnetRanker
{
    [Categorical(Vocabulary = MultiDomain.Domains, Dim = 4)] public int Domain { get; init; }
    [Categorical(Vocabulary = MultiDomain.Users, Dim = 8)] public int UserId { get; init; }
    [Categorical(Vocabulary = MultiDomain.Items, Dim = 8)] public int ItemId { get; init; }

    [BinaryTask(Tower = new[] { 16 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 16 })] public bool Like { get; init; }
}

/// <summary>PPNet over the user and item ids.</summary>
[MultiTaskModel]
[SharedBottom(64, 32)]
[ParameterPersonalization(nameof(UserId), nameof(ItemId))]
public partial class PpnetRanker
{
    [Categorical(Vocabulary = MultiDomain.Domains, Dim = 4)] public int Domain { get; init; }
    [Categorical(Vocabulary = MultiDomain.Users, Dim = 8)] public int UserId { get; init; }
    [Categorical(Vocabulary = MultiDomain.Items, Dim = 8)] public int ItemId { get; init; }

    [BinaryTask(Tower = new[] { 16 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 16 })] public bool Like { get; init; }
}

/// <summary>PEPNet: both.</summary>
[MultiTaskModel]
[SharedBottom(64, 32)]
[EmbeddingPersonalization(nameof(Domain))]
[ParameterPersonalization(nameof(UserId), nameof(ItemId))]
public partial class PepnetRanker
{
    [Categorical(Vocabulary = MultiDomain.Domains, Dim = 4)] public int Domain { get; init; }
    [Categorical(Vocabulary = MultiDomain.Users, Dim = 8)] public int UserId { get; init; }
    [Categorical(Vocabulary = MultiDomain.Items, Dim = 8)] public int ItemId { get; init; }

    [BinaryTask(Tower = new[] { 16 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 16 })] public bool Like { get; init; }
}
