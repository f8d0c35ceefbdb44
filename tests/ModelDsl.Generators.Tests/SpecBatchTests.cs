using System;
using Xunit;
using Xunit.Sdk;

namespace ModelDsl.Generators.Tests;

/// <summary>A batch of specs compiled together still names the spec that breaks it, by its source.</summary>
public class SpecBatchTests
{
    private const string Valid = """
        using ModelDsl;

        namespace Spec0;

        [MultiTaskModel]
        [SharedBottom(2)]
        public partial class M
        {
            [Categorical(Vocabulary = 3, Dim = 2)] public int UserId { get; init; }
            [BinaryTask] public bool Click { get; init; }
        }
        """;

    [Theory]
    // A generator diagnostic, and a compiler warning in the spec's own file.
    [InlineData("[Categorical(Vocabulary = 0, Dim = 2)] public int UserId { get; init; }", "MDSL009")]
    [InlineData("[Categorical(Vocabulary = 3, Dim = 2)] public int UserId { get; init; } private int _unused;", "CS0169")]
    public void AFailingSpecIsReportedWithItsSource(string feature, string id)
    {
        var broken = Valid.Replace("Spec0", "Spec1", StringComparison.Ordinal)
            .Replace("[Categorical(Vocabulary = 3, Dim = 2)] public int UserId { get; init; }", feature, StringComparison.Ordinal);
        var failure = Assert.Throws<XunitException>(() => SpecBatch.Compile([Valid, broken]).Dispose());
        Assert.StartsWith("1 of 2 specs do not compile cleanly.\nSpec 1:\n" + broken, failure.Message, StringComparison.Ordinal);
        Assert.Contains(id, failure.Message, StringComparison.Ordinal);
    }
}
