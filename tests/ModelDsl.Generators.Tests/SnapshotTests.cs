using System.Linq;
using System.Text;
using ApprovalTests;
using ApprovalTests.Namers;
using ApprovalTests.Reporters;
using Xunit;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// The generated sources of a reference spec, approved beside this file
/// (<c>Snapshots/*.approved.txt</c>; on a change, review <c>*.received.txt</c> and rename it to approve); any change to the emitted code fails until re-approved.
/// </summary>
[UseReporter(typeof(QuietReporter))]
[UseApprovalSubdirectory("Snapshots")]
public class SnapshotTests
{
    [Fact]
    public void SharedBottomModel() => Verify(ReferenceModels.SharedBottom);

    [Fact]
    public void MmoeModel() => Verify(ReferenceModels.Mmoe);

    [Fact]
    public void PleModel() => Verify(ReferenceModels.Ple);

    [Fact]
    public void FunnelModel() => Verify(ReferenceModels.Funnel);

    [Fact]
    public void FeedModel() => Verify(ReferenceModels.Features);

    [Fact]
    public void AdattModel() => Verify(ReferenceModels.Adatt);

    [Fact]
    public void PepnetModel() => Verify(ReferenceModels.Pepnet);

    [Fact]
    public void EscmModel() => Verify(ReferenceModels.Escm);

    [Fact]
    public void LearnedModel() => Verify(ReferenceModels.Learned);

    [Fact]
    public void GenreModel() => Verify(ReferenceModels.Multiclass);

    private static void Verify(string model)
    {
        var (result, _) = GeneratorHarness.Run(model);
        Assert.Empty(result.Diagnostics);
        var text = new StringBuilder();
        foreach (var source in result.Results.Single().GeneratedSources.OrderBy(s => s.HintName, System.StringComparer.Ordinal))
            text.Append("//// ").Append(source.HintName).Append('\n').Append(source.SourceText.ToString()).Append('\n');
        Approvals.Verify(text.ToString());
    }
}
