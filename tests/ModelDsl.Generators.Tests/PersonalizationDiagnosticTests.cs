using System.Globalization;
using Xunit;
using static ModelDsl.Generators.Tests.DiagnosticTests;

namespace ModelDsl.Generators.Tests;

/// <summary>PEPNet's attributes misused: each diagnostic on the prior or argument at fault, and no code.</summary>
public class PersonalizationDiagnosticTests
{
    private const string Members = """
        [Categorical(Vocabulary = 3, Dim = 2)] public int Domain { get; init; }
        [Numeric] public float Price { get; init; }
        [BinaryTask(Tower = new[] { 4 })] public bool Click { get; init; }
        [SampleWeight(For = nameof(Click))] public float Weight { get; init; }
        """;

    [Fact]
    public void Mdsl044UnknownPriorOnTheName()
    {
        var d = Verify(Model(Members, attributes: """
            [SharedBottom(16)]
            [EmbeddingPersonalization(nameof(Domain), {|MDSL044:"Country"|})]
            [ParameterPersonalization({|MDSL044:nameof(Click)|}, {|MDSL044:nameof(Weight)|})]
            """));
        Assert.Equal("Prior 'Country' of [EmbeddingPersonalization] on 'M' is not a member of the model; a prior must be a [Categorical] or [Numeric] member of 'M', e.g. nameof(Domain)",
            d.Find(x => x.GetMessage(CultureInfo.InvariantCulture).Contains("'Country'", System.StringComparison.Ordinal))!.GetMessage(CultureInfo.InvariantCulture));
        Assert.Contains(d, x => x.GetMessage(CultureInfo.InvariantCulture).Contains("'Click' of [ParameterPersonalization] on 'M' is a task's label", System.StringComparison.Ordinal));
    }

    [Fact]
    public void Mdsl045NoPriorOnTheAttribute()
    {
        var d = Verify(Model(Members, attributes: """
            [SharedBottom(16)]
            [{|MDSL045:EmbeddingPersonalization|}]
            """));
        Assert.Equal("[EmbeddingPersonalization] on 'M' names no prior feature; name the features its gate reads, e.g. [EmbeddingPersonalization(nameof(Domain))]",
            d[0].GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl046PriorTwiceOnTheRepeat() =>
        Verify(Model(Members, attributes: """
            [SharedBottom(16)]
            [ParameterPersonalization(nameof(Domain), nameof(Price), {|MDSL046:nameof(Domain)|})]
            """));

    [Fact]
    public void Mdsl047NoTowerLayerOnTheAttribute()
    {
        var d = Verify(Model(Members.Replace("Tower = new[] { 4 }", "", System.StringComparison.Ordinal), attributes: """
            [SharedBottom(16)]
            [{|MDSL047:ParameterPersonalization(nameof(Domain))|}]
            """));
        Assert.StartsWith("[ParameterPersonalization] on 'M' scales tower layers, but no task of 'M' has one", d[0].GetMessage(CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeGateUnitsIsMdsl009OnTheArgument() =>
        Verify(Model(Members, attributes: """
            [SharedBottom(16)]
            [EmbeddingPersonalization(nameof(Domain), {|MDSL009:GateUnits = -1|})]
            """));

    [Fact]
    public void ValidPriorsOfEveryKindGenerate() =>
        Verify(Model(Members, attributes: """
            [SharedBottom(16)]
            [EmbeddingPersonalization(nameof(Domain), nameof(Price))]
            [ParameterPersonalization(nameof(Price), GateUnits = 3)]
            """), generates: 1);
}
