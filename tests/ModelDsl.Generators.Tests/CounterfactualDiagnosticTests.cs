using System.Globalization;
using System.Linq;
using Xunit;

namespace ModelDsl.Generators.Tests;

/// <summary>ESCM²'s Counterfactual on a binary task (MDSL048, MDSL049, its ranges under MDSL011), and the extra row past an int Vocabulary (MDSL050).</summary>
public partial class DiagnosticTests
{
    [Fact]
    public void Mdsl048CounterfactualWithoutGivenOnTheArgument()
    {
        var d = Verify(Model("""
            [Numeric] public float Price { get; init; }
            [BinaryTask] public bool Click { get; init; }
            [BinaryTask({|MDSL048:Counterfactual = CounterfactualRegularizer.InversePropensity|})] public bool Purchase { get; init; }
            """));
        Assert.Equal("Counterfactual of [BinaryTask] on 'M.Purchase' is InversePropensity, but 'Purchase' has no Given: the regularizer weighs the error of 'Purchase' " +
            "given another task by that task's predicted probability; set Given = nameof(Click), or remove Counterfactual", d[0].GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl048OnTheOnlyTaskSaysToAddTheTaskItFollows()
    {
        var d = Verify(Model("""
            [Numeric] public float Price { get; init; }
            [BinaryTask({|MDSL048:Counterfactual = CounterfactualRegularizer.DoublyRobust|})] public bool Purchase { get; init; }
            """));
        Assert.EndsWith("add the binary task it follows (a click) with Given, or remove Counterfactual", d[0].GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl049CounterfactualArgumentsWithoutARegularizerOnEachArgument()
    {
        var d = Verify(Model("""
            [Numeric] public float Price { get; init; }
            [BinaryTask] public bool Click { get; init; }
            [BinaryTask(Given = nameof(Click), {|MDSL049:CounterfactualWeight = 0.3|}, {|MDSL049:PropensityFloor = 0.05|})] public bool Purchase { get; init; }
            [BinaryTask(Given = nameof(Click), Counterfactual = CounterfactualRegularizer.None, {|MDSL049:PropensityFloor = 0.2|})] public bool Cart { get; init; }
            """));
        Assert.Equal("CounterfactualWeight of [BinaryTask] on 'M.Purchase' applies only with a Counterfactual regularizer, and 'Purchase' has none; " +
            "set Counterfactual = CounterfactualRegularizer.InversePropensity or DoublyRobust, or remove CounterfactualWeight",
            d.OrderBy(x => x.Location.SourceSpan.Start).First().GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl011CounterfactualWeightAndPropensityFloorOutOfRangeOnTheArgument()
    {
        var d = Verify(Model("""
            [Numeric] public float Price { get; init; }
            [BinaryTask] public bool Click { get; init; }
            [BinaryTask(Given = nameof(Click), Counterfactual = CounterfactualRegularizer.InversePropensity, {|MDSL011:CounterfactualWeight = -0.5|}, {|MDSL011:PropensityFloor = 0|})] public bool Purchase { get; init; }
            [BinaryTask(Given = nameof(Click), Counterfactual = CounterfactualRegularizer.DoublyRobust, {|MDSL011:CounterfactualWeight = double.NaN|}, {|MDSL011:PropensityFloor = 1.5|})] public bool Cart { get; init; }
            [BinaryTask(Given = nameof(Click), Counterfactual = CounterfactualRegularizer.DoublyRobust, CounterfactualWeight = 0, PropensityFloor = 1)] public bool Like { get; init; }
            """));
        Assert.Equal(["CounterfactualWeight of [BinaryTask] on 'M.Purchase' is -0.5; it must be a finite number, zero or positive",
            "PropensityFloor of [BinaryTask] on 'M.Purchase' is 0; it must be greater than 0 and at most 1 (a probability)"],
            d.OrderBy(x => x.Location.SourceSpan.Start).Take(2).Select(x => x.GetMessage(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Mdsl028UndefinedCounterfactualRegularizer() =>
        Verify(Model("""
            [Numeric] public float Price { get; init; }
            [BinaryTask] public bool Click { get; init; }
            [BinaryTask(Given = nameof(Click), {|MDSL028:Counterfactual = (CounterfactualRegularizer)5|})] public bool Purchase { get; init; }
            """));

    /// <summary>The reserved or missing row sits at index Vocabulary: at int.MaxValue the row count overflowed an int (the table got a negative size).</summary>
    [Fact]
    public void Mdsl050VocabularyWithAnExtraRowPastIntOnTheVocabulary()
    {
        var d = Verify(Model("""
            [Categorical({|MDSL050:Vocabulary = int.MaxValue|}, Dim = 1, OutOfVocabulary = OutOfVocabulary.Reserved)] public long UserId { get; init; }
            [Categorical({|MDSL050:Vocabulary = 2147483647|}, Dim = 2, Missing = MissingValue.Category)] public string? Query { get; init; }
            [Categorical(Vocabulary = int.MaxValue - 1, Dim = 4, OutOfVocabulary = OutOfVocabulary.Reserved)] public long ItemId { get; init; }
            [BinaryTask] public bool Click { get; init; }
            """));
        Assert.Equal(["Vocabulary of [Categorical] on 'M.UserId' is 2147483647, and OutOfVocabulary = Reserved adds a row at index 2147483647: its table segment would need " +
            "2,147,483,648 rows, more than the 2,147,483,647 an int row count holds; lower Vocabulary to at most 2,147,483,646",
            "Vocabulary of [Categorical] on 'M.Query' is 2147483647, and Missing = Category adds a row at index 2147483647: its table segment would need " +
            "2,147,483,648 rows, more than the 2,147,483,647 an int row count holds; lower Vocabulary to at most 2,147,483,646"],
            d.OrderBy(x => x.Location.SourceSpan.Start).Select(x => x.GetMessage(CultureInfo.InvariantCulture)));
    }
}
