using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// A model's fingerprint ties its weights, checkpoints and ONNX files to its spec: a spec whose meaning did not change
/// keeps it, or files written before a release are refused after it. Pinned for members that could be missing before
/// ids and sequences could (float? and string?); the value is what the generator of 039c76e gave.
/// </summary>
public sealed class FingerprintTests
{
    private const string NullableMembers = """
        #nullable enable
        using ModelDsl;

        namespace Shop;

        [MultiTaskModel]
        [SharedBottom(8)]
        public partial class NullableModel
        {
            [Categorical(Vocabulary = 50, Dim = 4)] public long ItemId { get; init; }
            [Categorical(Vocabulary = 20, Dim = 4, Missing = MissingValue.Category)] public string? Country { get; init; }
            [Numeric(Missing = 0.5)] public float? Price { get; init; }
            [BinaryTask] public bool Click { get; init; }
        }
        """;

    [Fact]
    public void NullableFloatAndStringMembersKeepTheirFingerprint()
    {
        var (result, _) = GeneratorHarness.Run(NullableMembers);
        var schema = result.GeneratedTrees.Single(t => t.FilePath.EndsWith("NullableModel.Schema.g.cs", System.StringComparison.Ordinal)).ToString();
        var fingerprint = Regex.Match(schema, "Schema \\{ get; \\} = new\\(\\s*\"[^\"]*\",\\s*\"([0-9a-f]{16})\"").Groups[1].Value;
        Assert.Equal("dffeea19d697d117", fingerprint);
    }
}
