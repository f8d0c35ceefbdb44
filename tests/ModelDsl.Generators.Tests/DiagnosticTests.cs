extern alias Generator;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Generator::ModelDsl.Generators.Diagnostics;
using Xunit;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// Each diagnostic id on its own, with the exact span it must underline (<see cref="Markup"/>). Every test
/// also asserts that no other diagnostic is reported and that an invalid spec generates nothing.
/// </summary>
public partial class DiagnosticTests
{
    private const string Feature = "[Numeric] public float Price { get; init; }";
    private const string Task = "[BinaryTask] public bool Click { get; init; }";
    private const string Valid = Feature + "\n" + Task;

    [Fact]
    public void Mdsl001NotPartialOnClassName()
    {
        var d = Verify(Model(Valid, declaration: "public class {|MDSL001:M|}"));
        Assert.Equal("Model class 'M' must be declared partial so the generator can add its Features, Prediction, Network, Trainer and Predictor types", d[0].GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl002NestedOnClassName()
    {
        var d = Verify($$"""
            using ModelDsl;

            public partial class Outer
            {
                [MultiTaskModel]
                [SharedBottom(16)]
                public partial class {|MDSL002:M|}
                {
                    {{Valid}}
                }
            }
            """);
        Assert.Contains("'M' is nested in 'Outer'", d[0].GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl003GenericOnTypeParameters()
    {
        var d = Verify(Model(Valid, declaration: "public partial class M{|MDSL003:<TLabel, TId>|}"));
        Assert.Contains("type parameters <TLabel, TId>", d[0].GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl004NoArchitectureOnClassName() =>
        Verify(Model(Valid, attributes: "", declaration: "public partial class {|MDSL004:M|}"));

    [Fact]
    public void Mdsl005SeveralArchitecturesOnEachExtraAttribute()
    {
        var d = Verify(Model(Valid, attributes: """
            [SharedBottom(16)]
            [{|MDSL005:MixtureOfExperts(Experts = 2, ExpertUnits = new[] { 8 })|}, {|MDSL005:ProgressiveLayeredExtraction(SharedExperts = 1, TaskExperts = 1, ExpertUnits = new[] { 8 })|}]
            """));
        Assert.Equal("Model class 'M' already has the architecture [SharedBottom]; remove [MixtureOfExperts]", d.OrderBy(x => x.Location.SourceSpan.Start).First().GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl006NoTaskOnClassName() =>
        Verify(Model(Feature, declaration: "public partial class {|MDSL006:M|}"));

    [Fact]
    public void Mdsl007NoFeatureOnClassName() =>
        Verify(Model(Task + "\npublic long UserId { get; init; }", declaration: "public partial class {|MDSL007:M|}"));

    [Fact]
    public void Mdsl008UnsupportedTypeOnMemberType()
    {
        var d = Verify(Model("""
            [Categorical(Vocabulary = 10, Dim = 4)] public {|MDSL008:float|} UserId { get; init; }
            [Categorical(Vocabulary = 10, Dim = 4)] public {|MDSL008:decimal|} Country;
            [Numeric] public {|MDSL008:int?|} Price { get; init; }
            [Numeric] public {|MDSL008:long|} Age { get; init; }
            [Numeric] public float Valid { get; init; }
            [BinaryTask] public {|MDSL008:long|} Click { get; init; }
            [RegressionTask] public {|MDSL008:int|} WatchTime { get; init; }
            [BinaryTask] public bool Like { get; init; }
            [SampleWeight(For = nameof(Like))] public {|MDSL008:bool|} Weight { get; init; }
            """));
        Assert.Equal("[Categorical] on 'M.UserId' needs a member of type int, long, string, int[], long[], string[], int? or long?, but 'UserId' is 'float'", d.OrderBy(x => x.Location.SourceSpan.Start).First().GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>A member of an unsupported type still declares a feature or task: no "no feature" or "no task" follows.</summary>
    [Theory]
    [InlineData("[Numeric] public {|MDSL008:int|} Age { get; init; }\n" + Task)]
    [InlineData("[Categorical(Vocabulary = 4, Dim = 2)] public {|MDSL008:System.DayOfWeek|} Day { get; init; }\n" + Task)]
    [InlineData(Feature + "\n[BinaryTask] public {|MDSL008:long|} Click { get; init; }")]
    [InlineData("[Numeric] public static float {|MDSL014:Global|} { get; set; }\n" + Task)]
    public void Mdsl008And014OnTheOnlyFeatureOrTaskStandAlone(string members) => Verify(Model(members));

    [Fact]
    public void Mdsl009NotPositiveOnArgumentOrElement()
    {
        var d = Verify(Model($$"""
            [Categorical({|MDSL009:Vocabulary = 0|}, {|MDSL009:Dim = -1|})] public long UserId { get; init; }
            [{|MDSL009:Categorical(Vocabulary = 10)|}] public int Country { get; init; }
            [BinaryTask(Tower = new[] { 16, {|MDSL009:0|} })] public bool Click { get; init; }
            [RegressionTask(Tower = [{|MDSL009:-4|}])] public float WatchTime { get; init; }
            """, attributes: "[SharedBottom(64, {|MDSL009:0|})]"));
        var messages = d.Select(x => x.GetMessage(CultureInfo.InvariantCulture)).ToList();
        Assert.Contains("Vocabulary of [Categorical] on 'M.UserId' is 0; it must be a positive integer, the number of distinct ids", messages);
        Assert.Contains("Dim of [Categorical] on 'M.Country' is not set; it must be a positive integer, the embedding width", messages);
        Assert.Contains("Units[1] of [SharedBottom] on 'M' is 0; it must be a positive integer", messages);
        Assert.Contains("Tower[1] of [BinaryTask] on 'M.Click' is 0; it must be a positive integer", messages);
    }

    [Theory]
    [InlineData("[{|MDSL009:SharedBottom|}]")]
    [InlineData("[{|MDSL009:SharedBottom()|}]")]
    [InlineData("[SharedBottom({|MDSL009:new int[0]|})]")]
    [InlineData("[SharedBottom(new[] { 8, {|MDSL009:0|} })]")]
    [InlineData("[SharedBottom([{|MDSL009:-1|}, 8])]")]
    [InlineData("[{|MDSL009:MixtureOfExperts(ExpertUnits = new[] { 8 })|}]")]
    [InlineData("[MixtureOfExperts({|MDSL009:Experts = 0|}, ExpertUnits = new[] { 8 }, GateUnits = new[] { {|MDSL009:-8|} })]")]
    [InlineData("[MixtureOfExperts(Experts = 4, {|MDSL009:ExpertUnits = new int[0]|})]")]
    [InlineData("[{|MDSL009:MixtureOfExperts(Experts = 4)|}]")]
    [InlineData("[ProgressiveLayeredExtraction({|MDSL009:Levels = 0|}, SharedExperts = 1, {|MDSL009:TaskExperts = -2|}, ExpertUnits = new[] { 8, {|MDSL009:0|} })]")]
    [InlineData("[{|MDSL009:{|MDSL009:ProgressiveLayeredExtraction(TaskExperts = 1)|}|}]")]
    // The model has one task: AdaTT also warns that it has nothing to fuse (MDSL040).
    [InlineData("[{|MDSL040:AdaptiveTaskToTaskFusion({|MDSL009:SharedExperts = -1|}, {|MDSL009:TaskExperts = 0|}, ExpertUnits = new[] { 8 }, ExpertNormalization = true)|}]")]
    [InlineData("[{|MDSL009:{|MDSL040:AdaptiveTaskToTaskFusion(ExpertUnits = new[] { 8 })|}|}]")]
    public void Mdsl009NotPositiveInArchitectures(string attributes) => Verify(Model(Valid, attributes));

    [Fact]
    public void Mdsl009NotPositiveMessagesForArchitectures()
    {
        var messages = Verify(Model(Valid, "[{|MDSL009:{|MDSL009:MixtureOfExperts(GateUnits = new[] { 4 })|}|}]")).Select(x => x.GetMessage(CultureInfo.InvariantCulture)).ToList();
        Assert.Contains("Experts of [MixtureOfExperts] on 'M' is not set; it must be a positive integer", messages);
        Assert.Contains("ExpertUnits of [MixtureOfExperts] on 'M' is not set; it must be at least one layer width, e.g. ExpertUnits = new[] { 64 }", messages);
        var fusion = Verify(Model(Valid + "\n[RegressionTask] public float Watch { get; init; }", "[AdaptiveTaskToTaskFusion({|MDSL009:SharedExperts = -1|}, TaskExperts = 1, ExpertUnits = new[] { 8 })]"));
        Assert.Equal("SharedExperts of [AdaptiveTaskToTaskFusion] on 'M' is -1; it must be zero or a positive integer", fusion.Single().GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>AdaTT with one task warns on the attribute and still generates; two tasks, or shared experts left out (AdaTT-sp), are fine.</summary>
    [Fact]
    public void Mdsl040FusionOfOneTaskOnTheAttribute()
    {
        var d = Verify(Model(Valid, "[{|MDSL040:AdaptiveTaskToTaskFusion(TaskExperts = 2, ExpertUnits = new[] { 8 })|}]"), generates: 1);
        Assert.Equal(DiagnosticSeverity.Warning, d.Single().Severity);
        Assert.Equal("Model class 'M' has one task, 'Click', so [AdaptiveTaskToTaskFusion] has no other task to fuse: its gate mixes only the task's own experts (and shared ones); " +
            "use [MixtureOfExperts] or [ProgressiveLayeredExtraction] for one task, or add a task", d.Single().GetMessage(CultureInfo.InvariantCulture));
        Verify(Model(Valid + "\n[RegressionTask] public float Watch { get; init; }", "[AdaptiveTaskToTaskFusion(TaskExperts = 1, ExpertUnits = new[] { 8 })]"), generates: 1);
    }

    [Fact]
    public void Mdsl010LossWeightOnArgument()
    {
        var d = Verify(Model("""
            [Numeric] public float Price { get; init; }
            [BinaryTask({|MDSL010:LossWeight = -0.5|})] public bool Click { get; init; }
            [BinaryTask({|MDSL010:LossWeight = double.NaN|})] public bool Like { get; init; }
            [RegressionTask(Tower = new[] { 4 }, {|MDSL010:LossWeight = double.PositiveInfinity|})] public float WatchTime { get; init; }
            [RegressionTask(LossWeight = 0)] public float Rating { get; init; }
            """));
        Assert.Contains("LossWeight of task 'M.Click' is -0.5; it must be a finite number, zero or positive", d.Select(x => x.GetMessage(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Mdsl011RegularizationOnArgument()
    {
        var d = Verify(Model(Valid, """
            [SharedBottom(16)]
            [Regularization({|MDSL011:Dropout = 1|}, {|MDSL011:EmbeddingL2 = -1e-5|}, {|MDSL011:DenseL2 = double.PositiveInfinity|}, {|MDSL028:Activation = (Activation)7|})]
            """));
        var messages = d.Select(x => x.GetMessage(CultureInfo.InvariantCulture)).ToList();
        Assert.Contains("Dropout of [Regularization] on 'M' is 1; it must be at least 0 and less than 1", messages);
        Assert.Contains("Activation of [Regularization] on 'M' is 7; it must be one of Relu, LeakyRelu, Tanh, Gelu, Swish", messages);
    }

    [Fact]
    public void Mdsl012SeveralRolesOnEachExtraAttribute()
    {
        var d = Verify(Model("""
            [Numeric]
            [{|MDSL012:RegressionTask|}]
            public float Price { get; init; }
            [Categorical(Vocabulary = 10, Dim = 2), {|MDSL012:BinaryTask|}] public int Country { get; init; }
            [BinaryTask] public bool Click { get; init; }
            [SampleWeight(For = nameof(Click))] [{|MDSL012:Numeric|}] public float Weight { get; init; }
            """));
        Assert.Contains("'M.Price' is already marked [Numeric]; a member is one feature, one task or one sample weight, remove [RegressionTask]", d.Select(x => x.GetMessage(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Mdsl013ReservedNameOnMemberName()
    {
        var d = Verify(Model($$"""
            {{Valid}}
            public string {|MDSL013:Schema|} { get; init; } = "";
            public sealed class {|MDSL013:Features|} { }
            public void {|MDSL013:ToFeatures|}() { }
            public void ToFeatures(int overload) { }
            [Numeric] public float {|MDSL013:Encode|} { get; init; }
            [Numeric] public double {|MDSL013:categorical|};
            [Categorical(Vocabulary = 3, Dim = 2)] public new int {|MDSL013:GetHashCode|} { get; init; }
            [BinaryTask] public new bool {|MDSL013:ToString|} { get; init; }
            """));
        var messages = d.Select(x => x.GetMessage(CultureInfo.InvariantCulture)).ToList();
        Assert.Contains("Member 'M.Schema' collides with the property 'Schema' that the generator adds to 'M'; rename the member", messages);
        Assert.Contains("Member 'M.categorical' collides with the parameter 'categorical' of 'Features.Encode' that the generator adds to 'M'; rename the member", messages);
    }

    [Fact]
    public void Mdsl013ReservedNameGeneratedPredictionMembers()
    {
        var d = Verify(Model("""
            [Numeric] public float Price { get; init; }
            [BinaryTask] public bool Click { get; init; }
            [BinaryTask(Given = nameof(Click))] public bool Purchase { get; init; }
            [BinaryTask] public bool {|MDSL013:PurchaseGivenClick|} { get; init; }
            [BinaryTask] public bool {|MDSL013:ClickOdds|} { get; init; }
            [SampleWeight(For = nameof(Click), PositivesOnly = true)] public float WatchMinutes { get; init; }
            """));
        Assert.Contains("Member 'M.ClickOdds' collides with the member 'Prediction.ClickOdds' (the odds of task 'Click') that the generator adds to 'M'; rename the member", d.Select(x => x.GetMessage(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Mdsl013ReservedNameInheritedOnBaseType()
    {
        var d = Verify($$"""
            using ModelDsl;

            public class Base { public int Network { get; init; } }

            [MultiTaskModel]
            [SharedBottom(16)]
            public partial class M : {|MDSL013:Base|}
            {
                {{Valid}}
            }
            """);
        Assert.Equal("Member 'Base.Network' collides with the nested type 'Network' that the generator adds to 'M'; rename the member", d[0].GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl013ReservedNameBaseModelOnBaseType() => Verify($$"""
        using ModelDsl;

        [MultiTaskModel]
        [SharedBottom(16)]
        public partial class Base
        {
            {{Valid}}
        }

        [MultiTaskModel]
        [SharedBottom(16)]
        public partial class M : {|MDSL013:Base|}
        {
            [Numeric] public float Age { get; init; }
            [BinaryTask] public bool Like { get; init; }
        }
        """, generates: 1);

    [Fact]
    public void Mdsl029InheritedMemberOnTheBaseList()
    {
        var d = Verify($$"""
            using ModelDsl;

            public class Common
            {
                [Numeric] public float Inherited { get; init; }
                public float Plain { get; init; }
            }

            public class Middle : Common { }

            [MultiTaskModel]
            [SharedBottom(16)]
            public partial class M : {|MDSL029:Middle|}
            {
                {{Valid}}
            }
            """);
        Assert.Equal("'M' inherits the [Numeric] member 'Inherited' from 'Common', but a model reads only the members its own class declares; declare 'Inherited' in 'M'",
            d[0].GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl014NotInstanceMemberOnMemberName()
    {
        var d = Verify(Model($$"""
            {{Valid}}
            [Numeric] public static float {|MDSL014:Global|} { get; set; }
            [Numeric] public const float {|MDSL014:Pi|} = 3.14f;
            [Numeric] public float {|MDSL014:Sink|} { set { } }
            [Numeric] public float {|MDSL014:this|}[int i] => i;
            [Numeric] float IHasScore.{|MDSL014:Score|} => 1;
            """, declaration: "public partial class M : IHasScore") + "\npublic interface IHasScore { float Score { get; } }");
        Assert.Contains("'M.Sink' is write-only; a feature, task or sample weight must be an instance field or a property with a getter", d.Select(x => x.GetMessage(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Mdsl015UnknownGivenOnArgument()
    {
        var d = Verify(Model("""
            [Numeric] public float Price { get; init; }
            [BinaryTask] public bool Click { get; init; }
            [BinaryTask({|MDSL015:Given = "Cart"|})] public bool Purchase { get; init; }
            [BinaryTask({|MDSL015:Given = nameof(Price)|})] public bool Like { get; init; }
            """));
        Assert.Contains("Given of task 'M.Purchase' is 'Cart', which is not a task of 'M'; name a binary task, e.g. Given = nameof(Click)", d.Select(x => x.GetMessage(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Mdsl016GivenNotBinaryOnArgument()
    {
        var d = Verify(Model("""
            [Numeric] public float Price { get; init; }
            [RegressionTask] public float WatchTime { get; init; }
            [BinaryTask({|MDSL016:Given = nameof(WatchTime)|})] public bool Purchase { get; init; }
            """));
        Assert.Equal("Given of task 'M.Purchase' is 'WatchTime', a regression task; 'M' has no other binary task to follow; add one or remove Given", d[0].GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl017GivenCycleOnEachArgumentInTheCycle()
    {
        var d = Verify(Model("""
            [Numeric] public float Price { get; init; }
            [BinaryTask({|MDSL017:Given = nameof(Purchase)|})] public bool Click { get; init; }
            [BinaryTask({|MDSL017:Given = nameof(Click)|})] public bool Purchase { get; init; }
            [BinaryTask({|MDSL017:Given = nameof(Like)|})] public bool Like { get; init; }
            [BinaryTask(Given = nameof(Like))] public bool Share { get; init; }
            """));
        Assert.Contains("Given of task 'M.Click' closes the cycle Click → Purchase → Click; a chain of Given tasks must end at a task without Given", d.Select(x => x.GetMessage(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Mdsl018UnknownWeightedTaskOnArgumentOrAttribute()
    {
        var d = Verify(Model($$"""
            {{Valid}}
            [SampleWeight({|MDSL018:For = "Purchase"|})] public float Weight { get; init; }
            [{|MDSL018:SampleWeight|}] public double Other { get; init; }
            [SampleWeight({|MDSL018:For = nameof(Price)|})] public int Third { get; init; }
            """));
        Assert.Contains("For of [SampleWeight] on 'M.Weight' is 'Purchase', which names no task of 'M'; set it to a task, e.g. For = nameof(Click)", d.Select(x => x.GetMessage(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Mdsl019TaskWeightedTwiceOnSecondArgument()
    {
        var d = Verify(Model($$"""
            {{Valid}}
            [SampleWeight(For = nameof(Click))] public float Weight { get; init; }
            [SampleWeight({|MDSL019:For = nameof(Click)|}, PositivesOnly = true)] public float Minutes { get; init; }
            """));
        Assert.Equal("Task 'M.Click' is already weighted by 'Weight'; remove [SampleWeight] from 'Minutes'", d[0].GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl020PositivesOnlyNotBinaryOnArgument() => Verify(Model("""
        [Numeric] public float Price { get; init; }
        [RegressionTask] public float WatchTime { get; init; }
        [SampleWeight(For = nameof(WatchTime), {|MDSL020:PositivesOnly = true|})] public float Weight { get; init; }
        """));

    [Theory]
    [InlineData("Trainer")]
    [InlineData("Schema")]
    public void Mdsl021ReservedClassNameOnClassName(string name) =>
        Verify(Model(Valid, declaration: $"public partial class {{|MDSL021:{name}|}}"));

    [Fact]
    public void Mdsl011InvalidLossWeightingOnTheArgument()
    {
        var d = Verify(Model(Valid, """
            [SharedBottom(16)]
            [LossWeighting(LossWeightingStrategy.GradNorm, {|MDSL011:Alpha = 0|}, {|MDSL011:Temperature = -2|})]
            """));
        Assert.Contains("Alpha of [LossWeighting] on 'M' is 0; it must be a finite number greater than 0",
            d.Select(x => x.GetMessage(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Mdsl028UndefinedStrategyOnTheArgument() =>
        Verify(Model(Valid, """
            [SharedBottom(16)]
            [LossWeighting({|MDSL028:(LossWeightingStrategy)9|})]
            """));

    [Theory]
    [InlineData("categorical")]
    [InlineData("numeric")]
    public void Mdsl013TaskNamedLikeAnOnnxInputOnTheMember(string name) =>
        Verify(Model($$"""
            {{Feature}}
            [BinaryTask] public bool {|MDSL013:{{name}}|};
            """));

    [Fact]
    public void Mdsl023SizeOnScalarOnTheArgument() =>
        Verify(Model("""
            [Numeric({|MDSL023:Size = 3|})] public float Price { get; init; }
            [BinaryTask] public bool Click { get; init; }
            """));

    [Fact]
    public void Mdsl009SequenceWithoutMaxLengthOnTheAttribute() =>
        Verify(Model("""
            [{|MDSL009:Categorical(Vocabulary = 10, Dim = 4)|}] public long[] Recent { get; init; } = [];
            [Categorical(Vocabulary = 10, Dim = 4, {|MDSL009:MaxLength = 0|})] public string[] Queries { get; init; } = [];
            [BinaryTask] public bool Click { get; init; }
            """));

    [Fact]
    public void Mdsl024SequenceArgumentsOnAScalarOnEachArgument()
    {
        var d = Verify(Model("""
            [Categorical(Vocabulary = 10, Dim = 4, {|MDSL024:MaxLength = 5|}, {|MDSL024:Pooling = Pooling.Sum|})] public long ItemId { get; init; }
            [Categorical(Vocabulary = 10, Dim = 4, {|MDSL024:Truncation = SequenceTruncation.KeepLast|})] public string Country { get; init; } = "";
            [BinaryTask] public bool Click { get; init; }
            """));
        Assert.Equal("MaxLength of [Categorical] on 'M.ItemId' is for int[], long[] and string[] members, but 'ItemId' is 'long'; remove MaxLength or declare an array",
            d.OrderBy(x => x.Location.SourceSpan.Start).First().GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl025GroupMismatchOnTheLaterGroupArgument()
    {
        var d = Verify(Model("""
            [Categorical(Vocabulary = 100, Dim = 8, Group = "item")] public long ItemId { get; init; }
            [Categorical(Vocabulary = 100, Dim = 8, {|MDSL025:Group = "item"|}, MaxLength = 5, OutOfVocabulary = OutOfVocabulary.Reserved)] public long[] Recent { get; init; } = [];
            [Categorical(Vocabulary = 50, Dim = 8, {|MDSL025:Group = "item"|})] public int Similar { get; init; }
            [Categorical(Vocabulary = 100, Dim = 4, {|MDSL025:Group = "item"|})] public string Name { get; init; } = "";
            [Categorical(Vocabulary = 100, Dim = 4, Group = "other")] public int Other { get; init; }
            [BinaryTask] public bool Click { get; init; }
            """));
        Assert.Equal("'M.Similar' is in embedding group 'item' with Vocabulary = 50, but 'M.ItemId' in that group has Vocabulary = 100; features sharing a table need the same Vocabulary, Dim and OutOfVocabulary",
            d.OrderBy(x => x.Location.SourceSpan.Start).Skip(1).First().GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl026OutOfVocabularyOnAStringOnTheArgument() =>
        Verify(Model("""
            [Categorical(Vocabulary = 100, Dim = 8, {|MDSL026:OutOfVocabulary = OutOfVocabulary.Hash|})] public string Country { get; init; } = "";
            [Categorical(Vocabulary = 100, Dim = 8, MaxLength = 3, {|MDSL026:OutOfVocabulary = OutOfVocabulary.Error|})] public string[] Queries { get; init; } = [];
            [Categorical(Vocabulary = 100, Dim = 8, OutOfVocabulary = OutOfVocabulary.Hash)] public long Device { get; init; }
            [BinaryTask] public bool Click { get; init; }
            """));

    [Fact]
    public void Mdsl027EmptyOrRepeatedColumnOnTheColumnAttribute()
    {
        var d = Verify(Model("""
            [Numeric, {|MDSL027:Column("")|}] public float Price { get; init; }
            [Numeric, Column("age")] public float Age { get; init; }
            [Numeric, {|MDSL027:Column("age")|}] public float Age2 { get; init; }
            [Numeric] public float Click2 { get; init; }
            [BinaryTask, {|MDSL027:Column("Click2")|}] public bool Click { get; init; }
            """));
        Assert.Equal("[Column] of 'M.Age2' is 'age', already the column of 'Age'; each column feeds one member",
            d.OrderBy(x => x.Location.SourceSpan.Start).Skip(1).First().GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>A rename onto a later member's own name is the rename's fault, not the later member's.</summary>
    [Fact]
    public void Mdsl027OnTheRenameWhenItTakesALaterMembersName()
    {
        var d = Verify(Model("""
            [Numeric, {|MDSL027:Column("Y")|}] public float Z { get; init; }
            [Numeric] public float Y { get; init; }
            [BinaryTask] public bool Click { get; init; }
            """));
        Assert.Equal("[Column] of 'M.Z' is 'Y', already the column of 'Y'; each column feeds one member", d[0].GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>Field indexes for files without a header: all or none, each once, and not with a name.</summary>
    [Fact]
    public void Mdsl027MisplacedIndexOnTheColumnAttribute()
    {
        var d = Verify(Model("""
            [Numeric, Column(Index = 0)] public float Price { get; init; }
            [Numeric, {|MDSL027:Column(Index = 0)|}] public float Age { get; init; }
            [Numeric, {|MDSL027:Column("size", Index = 2)|}] public float Size { get; init; }
            [Numeric, {|MDSL027:Column(Index = -3)|}] public float Rate { get; init; }
            [BinaryTask, {|MDSL027:Column("clicked")|}] public bool Click { get; init; }
            """));
        var messages = d.OrderBy(x => x.Location.SourceSpan.Start).Select(x => x.GetMessage(CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal("[Column] of 'M.Age' is Index = 0, already the field of 'Price'; each field feeds one member", messages[0]);
        Assert.Equal("[Column] of 'M.Size' is named 'size' and placed at Index = 2; a header names columns and a file without one places them: give the name or the index", messages[1]);
        Assert.Equal("[Column] of 'M.Rate' is Index = -3; a field index is 0 or more", messages[2]);
        Assert.Equal("[Column] of 'M.Click' is not placed, but 'Price' is at Index = 0; without a header, place every member with [Column(Index = n)] or none (declaration order)", messages[3]);
    }

    [Fact]
    public void Mdsl031MissingPolicyAndTextLabelsOnTheArgument()
    {
        var d = Verify("#nullable enable\n" + Model("""
            [Numeric({|MDSL031:Missing = 1|})] public float Price { get; init; }
            [Numeric] public {|MDSL031:float?|} Age { get; init; }
            [Categorical(Vocabulary = 10, Dim = 4, {|MDSL031:Missing = MissingValue.Category|})] public long City { get; init; }
            [Categorical(Vocabulary = 10, Dim = 4, Missing = MissingValue.Category)] public {|MDSL031:string|} Country { get; init; } = "";
            [BinaryTask({|MDSL031:Positive = "yes"|})] public bool Click { get; init; }
            [BinaryTask(Positive = " yes", {|MDSL031:Negative = "yes "|})] public bool Like { get; init; }
            """));
        var messages = d.OrderBy(x => x.Location.SourceSpan.Start).Select(x => x.GetMessage(CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal("Missing of [Numeric] on 'M.Price' applies to float? and double? members, but 'Price' is 'float'; declare the member nullable, or remove Missing", messages[0]);
        Assert.Equal("Missing of [Numeric] on 'M.Age' is not set; a 'float?' member needs the value a missing one stands for, as in [Numeric(Missing = 0)]", messages[1]);
        Assert.Equal("Missing of [Categorical] on 'M.City' applies to members that can be missing, but 'City' is 'long'; declare it 'long?', or remove Missing", messages[2]);
        Assert.Equal("Missing of [Categorical] on 'M.Country' is Category, but the member is declared 'string', which cannot hold a missing value (null); declare it 'string?'", messages[3]);
        Assert.Equal("Positive of [BinaryTask] on 'M.Click' is set without Negative; a label written as text needs both its positive and its negative text, so that any other value fails", messages[4]);
        Assert.Equal("Negative of [BinaryTask] on 'M.Like' is 'yes ', the same text as Positive (spaces around are ignored); give the negative label's text", messages[5]);
    }

    [Fact]
    public void Mdsl031MissingIdsAndSequences()
    {
        var d = Verify("#nullable enable\n" + Model("""
            [Categorical(Vocabulary = 10, Dim = 4)] public {|MDSL031:long?|} UserId { get; init; }
            [Categorical(Vocabulary = 10, Dim = 4, {|MDSL031:MissingId = 10|})] public int? Country { get; init; }
            [Categorical(Vocabulary = 10, Dim = 4, Missing = MissingValue.Category, {|MDSL031:MissingId = 0|})] public long? City { get; init; }
            [Categorical(Vocabulary = 10, Dim = 4, {|MDSL031:MissingId = 0|})] public long Device { get; init; }
            [Categorical(Vocabulary = 10, Dim = 4, {|MDSL031:Missing = MissingValue.Empty|})] public long? Region { get; init; }
            [Categorical(Vocabulary = 10, Dim = 4, MaxLength = 3, {|MDSL031:MissingId = 1|})] public long[]? Recent { get; init; }
            [Categorical(Vocabulary = 10, Dim = 4, MaxLength = 3, Missing = MissingValue.Empty)] public {|MDSL031:int[]|} Tags { get; init; } = [];
            [Categorical(Vocabulary = 10, Dim = 4, MaxLength = 3, Missing = MissingValue.Category)] public string[]? Queries { get; init; }
            [Categorical(Vocabulary = 10, Dim = 4, MissingId = 9)] public int? Hour { get; init; }
            [BinaryTask] public bool Click { get; init; }
            """));
        var messages = d.OrderBy(x => x.Location.SourceSpan.Start).Select(x => x.GetMessage(CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal([
            "Missing of [Categorical] on 'M.UserId' is not set; a 'long?' member needs what a missing id is: Missing = MissingValue.Category (a row of its own) or MissingId = n (a fill)",
            "MissingId of [Categorical] on 'M.Country' is 10, outside the vocabulary [0, 10); give an id of the vocabulary, or Missing = Category for a row of its own",
            "MissingId of [Categorical] on 'M.City' is set with Missing = Category; give one policy: the missing row (Category) or a fill id (MissingId)",
            "MissingId of [Categorical] on 'M.Device' applies to int? and long? members, but 'Device' is 'long'; declare it 'long?'",
            "Missing of [Categorical] on 'M.Region' is Empty, which applies to sequences, but 'Region' is 'long?'; use Category, its own row, or MissingId, a fill",
            "MissingId of [Categorical] on 'M.Recent' applies to int? and long? members, but 'Recent' is 'long[]'; use Missing = Category or Empty",
            "Missing of [Categorical] on 'M.Tags' is Empty, but the member is declared 'int[]', which cannot hold a missing value (null); declare it 'int[]?'",
        ], messages);
    }

    [Fact]
    public void Mdsl052LearnedVocabularyOnASequenceOnTheArgument()
    {
        var d = Verify(Model("""
            [Categorical(Dim = 4, MaxLength = 3, {|MDSL052:Learned = true|}, MaxSize = 10)] public long[] Recent { get; init; } = [];
            [BinaryTask] public bool Click { get; init; }
            """));
        Assert.Equal("Learned of [Categorical] on 'M.Recent' applies to int, long and string members, but 'Recent' is 'long[]'; remove Learned, or declare a single id or string",
            Assert.Single(d).GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl053LearnedVocabularySizeOnTheArgumentOrTheAttribute()
    {
        var d = Verify(Model("""
            [Categorical({|MDSL053:Vocabulary = 10|}, Dim = 4, Learned = true, MaxSize = 10)] public long UserId { get; init; }
            [{|MDSL053:Categorical(Dim = 4, Learned = true)|}] public long ItemId { get; init; }
            [Categorical(Dim = 4, Learned = true, MaxSize = 10, {|MDSL053:MinCount = 0|})] public string Country { get; init; } = "";
            [Categorical(Dim = 4, Learned = true, {|MDSL053:MaxSize = int.MaxValue|})] public int City { get; init; }
            [BinaryTask] public bool Click { get; init; }
            """));
        var messages = d.OrderBy(x => x.Location.SourceSpan.Start).Select(x => x.GetMessage(CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal("The learned vocabulary of 'M.UserId' is invalid: Vocabulary is set too; a learned vocabulary's table is sized by MaxSize alone; remove Vocabulary", messages[0]);
        Assert.Equal("The learned vocabulary of 'M.ItemId' is invalid: MaxSize is not set; set MaxSize to a positive integer, the most values kept, as in MaxSize = 100_000", messages[1]);
        Assert.Equal("The learned vocabulary of 'M.Country' is invalid: MinCount is 0; set MinCount to 1 or more, the least count of a value kept", messages[2]);
        Assert.Equal("The learned vocabulary of 'M.City' is invalid: MaxSize is 2147483647, and the out-of-vocabulary row after it would be row 2^31, more than an int row count holds; lower MaxSize to at most 2,147,483,646", messages[3]);
    }

    [Fact]
    public void Mdsl054ArgumentsALearnedVocabularyReplacesOnTheArgument()
    {
        var d = Verify(Model("""
            [Categorical(Dim = 4, Learned = true, MaxSize = 10, {|MDSL054:OutOfVocabulary = OutOfVocabulary.Reserved|}, {|MDSL054:Group = "g"|})] public int City { get; init; }
            [Categorical(Dim = 4, Learned = true, MaxSize = 10, {|MDSL054:Missing = MissingValue.Category|})] public string? Country { get; init; }
            [BinaryTask] public bool Click { get; init; }
            """));
        var messages = d.OrderBy(x => x.Location.SourceSpan.Start).Select(x => x.GetMessage(CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal("OutOfVocabulary of [Categorical] on 'M.City' does not apply to a learned vocabulary, which maps every value it did not keep to its own out-of-vocabulary row and has a table of its own; remove OutOfVocabulary", messages[0]);
        Assert.StartsWith("Group of [Categorical] on 'M.City' does not apply to a learned vocabulary", messages[1], StringComparison.Ordinal);
        Assert.StartsWith("Missing of [Categorical] on 'M.Country' does not apply to a learned vocabulary", messages[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Mdsl055LearnedVocabularyArgumentsWithoutLearnedOnTheArgument()
    {
        var d = Verify(Model("""
            [Categorical(Vocabulary = 10, Dim = 4, {|MDSL055:MinCount = 3|}, {|MDSL055:MaxSize = 9|})] public int Slot { get; init; }
            [BinaryTask] public bool Click { get; init; }
            """));
        var messages = d.OrderBy(x => x.Location.SourceSpan.Start).Select(x => x.GetMessage(CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal("MinCount of [Categorical] on 'M.Slot' applies only to a learned vocabulary; set Learned = true, or remove MinCount", messages[0]);
        Assert.Equal("MaxSize of [Categorical] on 'M.Slot' applies only to a learned vocabulary; set Learned = true, or remove MaxSize", messages[1]);
    }

    [Fact]
    public void Mdsl028UndefinedEnumValueOnTheArgument()
    {
        var d = Verify(Model("""
            [Categorical(Vocabulary = 10, Dim = 4, MaxLength = 3, {|MDSL028:Pooling = (Pooling)7|}, {|MDSL028:Truncation = (SequenceTruncation)9|})] public int[] Tags { get; init; } = [];
            [Categorical(Vocabulary = 10, Dim = 4, {|MDSL028:OutOfVocabulary = (OutOfVocabulary)5|})] public int City { get; init; }
            [Numeric({|MDSL028:Transform = (NumericTransform)12|})] public float Price { get; init; }
            [BinaryTask] public bool Click { get; init; }
            """));
        Assert.Equal("Pooling of [Categorical] on 'M.Tags' is 7; it must be one of Mean, Sum, Max",
            d.OrderBy(x => x.Location.SourceSpan.Start).First().GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal("Transform of [Numeric] on 'M.Price' is 12; it must be a combination of None, Log1p, Standardize",
            d.OrderBy(x => x.Location.SourceSpan.Start).Last().GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl009ArrayWithoutSizeOnTheAttribute() =>
        Verify(Model("""
            [{|MDSL009:Numeric|}] public float[] Embedding { get; init; } = [];
            [BinaryTask] public bool Click { get; init; }
            """));

    /// <summary>Reported with the model's other diagnostics, once per model, instead of errors in generated code.</summary>
    [Theory]
    [InlineData(LanguageVersion.CSharp9, "9.0")]
    [InlineData(LanguageVersion.CSharp8, "8.0")]
    public void Mdsl030LanguageVersionBelow10OnClassName(LanguageVersion version, string display)
    {
        var d = Verify("""
            using ModelDsl;

            namespace Shop
            {
                [MultiTaskModel]
                [SharedBottom(16)]
                public partial class {|MDSL030:M|}
                {
                    [Numeric] public float Price { get; set; }
                    [BinaryTask] public bool Click { get; set; }
                }

                [MultiTaskModel]
                public partial class {|MDSL004:{|MDSL030:N|}|}
                {
                    [Numeric] public float Price { get; set; }
                    [BinaryTask] public bool Click { get; set; }
                }
            }
            """, language: version);
        Assert.Equal($"Model class 'M' is generated as C# 10 (file-scoped namespaces, record structs), but the project compiles C# {display}; set <LangVersion>10</LangVersion> or later in the project file",
            d.First(x => x.Id == "MDSL030").GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl036InvalidClassesOnArgumentOrAttribute()
    {
        var d = Verify(Model("""
            public enum Kind { Drama, Comedy, Action }
            [Numeric] public float Price { get; init; }
            [{|MDSL036:MulticlassTask|}] public int Rating { get; init; }
            [MulticlassTask({|MDSL036:Classes = 1|})] public int Stars { get; init; }
            [MulticlassTask({|MDSL036:Classes = 4|})] public Kind Genre { get; init; }
            [MulticlassTask(Classes = 3)] public Kind Second { get; init; }
            [MulticlassTask(Classes = 2)] public int Valid { get; init; }
            """));
        var messages = d.OrderBy(x => x.Location.SourceSpan.Start).Select(x => x.GetMessage(CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([
            "Classes of [MulticlassTask] on 'M.Rating' is not set; it must be at least 2: the number of classes, whose labels are 0 to Classes − 1",
            "Classes of [MulticlassTask] on 'M.Stars' is 1; it must be at least 2: the number of classes, whose labels are 0 to Classes − 1",
            "Classes of [MulticlassTask] on 'M.Genre' is 4; it must be the 3 members of the label's enum 'Kind'; remove Classes, which then defaults to them"], messages);
    }

    [Fact]
    public void Mdsl037LabelEnumNotNumberedFromZeroOnMemberType()
    {
        var d = Verify(Model("""
            public enum Sparse { A = 1, B = 2, C = 4 }
            public enum Lonely { Only }
            public enum Twice : byte { A, B, C = 1 }
            [Numeric] public float Price { get; init; }
            [MulticlassTask] public {|MDSL037:Sparse|} First { get; init; }
            [MulticlassTask] public {|MDSL037:Lonely|} Second { get; init; }
            [MulticlassTask] public {|MDSL037:Twice|} Third { get; init; }
            [BinaryTask] public bool Click { get; init; }
            """));
        Assert.Equal("The label 'M.First' of [MulticlassTask] is the enum 'Sparse', whose members have the values 1, 2, 4; a label enum's members must be numbered 0, 1, …, n − 1, with n at least 2, as class indices",
            d.OrderBy(x => x.Location.SourceSpan.Start).First().GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl008MulticlassLabelOfAnotherTypeOnMemberType()
    {
        var d = Verify(Model("""
            [Numeric] public float Price { get; init; }
            [MulticlassTask(Classes = 3)] public {|MDSL008:long|} Rating { get; init; }
            [MulticlassTask(Classes = 3)] public {|MDSL008:float|} Stars { get; init; }
            """));
        Assert.Equal("[MulticlassTask] on 'M.Rating' needs a member of type int or an enum, but 'Rating' is 'long'", d.OrderBy(x => x.Location.SourceSpan.Start).First().GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>A multiclass task has no event a binary task could follow (ESMM multiplies probabilities of events).</summary>
    [Fact]
    public void Mdsl016GivenNamesAMulticlassTaskOnArgument()
    {
        var d = Verify(Model("""
            [Numeric] public float Price { get; init; }
            [MulticlassTask(Classes = 3)] public int Rating { get; init; }
            [BinaryTask] public bool Click { get; init; }
            [BinaryTask({|MDSL016:Given = nameof(Rating)|})] public bool Purchase { get; init; }
            """));
        Assert.Equal("Given of task 'M.Purchase' is 'Rating', a multiclass task; name a binary task, e.g. Given = nameof(Click)", d[0].GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mdsl020PositivesOnlyOnAMulticlassTaskOnArgument()
    {
        var d = Verify(Model("""
            [Numeric] public float Price { get; init; }
            [MulticlassTask(Classes = 3)] public int Rating { get; init; }
            [SampleWeight(For = nameof(Rating), {|MDSL020:PositivesOnly = true|})] public float Weight { get; init; }
            """));
        Assert.Equal("[SampleWeight(PositivesOnly = true)] on 'M.Weight' weights multiclass task 'Rating', which has no positives; remove PositivesOnly", d[0].GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>A multiclass task's Prediction holds its most likely class under its own name and the probabilities as <c>{Task}Probabilities</c>.</summary>
    [Fact]
    public void Mdsl013ReservedNameMulticlassPredictionMembers()
    {
        var d = Verify(Model("""
            [Numeric] public float Price { get; init; }
            [MulticlassTask(Classes = 3)] public int Rating { get; init; }
            [BinaryTask] public bool {|MDSL013:RatingProbabilities|} { get; init; }
            [MulticlassTask(Classes = 2)] public int {|MDSL013:Equals|} { get; init; }
            """));
        Assert.Equal("Member 'M.RatingProbabilities' collides with the member 'Prediction.RatingProbabilities' (the class probabilities of task 'Rating') that the generator adds to 'M'; rename the member",
            d.OrderBy(x => x.Location.SourceSpan.Start).First().GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void EveryDescriptorHasATest()
    {
        var tested = new[] { typeof(DiagnosticTests), typeof(SizeDiagnosticTests), typeof(PersonalizationDiagnosticTests) }.SelectMany(t => t.GetMethods()).Where(m => m.Name.StartsWith("Mdsl", StringComparison.Ordinal))
            .Select(m => m.Name[..7].ToUpperInvariant()).ToHashSet();
        var ids = typeof(DiagnosticDescriptors).GetFields().Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id).ToList();
        Assert.Equal(ids.Order(), tested.Order());
    }

    /// <summary>Each help link lands on an entry of docs/diagnostics.md with the descriptor's title.</summary>
    [Fact]
    public void EveryDescriptorIsDocumented()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory.FullName, "docs", "diagnostics.md")))
            directory = directory.Parent ?? throw new FileNotFoundException("docs/diagnostics.md not found above " + AppContext.BaseDirectory);
        var docs = File.ReadAllText(Path.Combine(directory.FullName, "docs", "diagnostics.md"));
        Assert.All(typeof(DiagnosticDescriptors).GetFields().Select(f => (DiagnosticDescriptor)f.GetValue(null)!), d =>
        {
            var anchor = d.HelpLinkUri[(d.HelpLinkUri.IndexOf('#', StringComparison.Ordinal) + 1)..];
            Assert.Equal(d.Id.ToLowerInvariant(), anchor);
            Assert.Contains($"<a id=\"{anchor}\"></a>\n## {d.Id}: {d.Title}\n", docs.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        });
    }

    /// <summary>A model in namespace Shop with the given members, architecture attributes and declaration line.</summary>
    internal static string Model(string members, string attributes = "[SharedBottom(16)]", string declaration = "public partial class M") => $$"""
        using ModelDsl;

        namespace Shop;

        [MultiTaskModel]
        {{attributes}}
        {{declaration}}
        {
            {{members.Replace("\n", "\n    ")}}
        }
        """;

    /// <summary>
    /// Runs the generator over <paramref name="markup"/>: the generator's diagnostics must be exactly the
    /// marked ones, and only <paramref name="generates"/> models may generate code.
    /// </summary>
    internal static List<Diagnostic> Verify(string markup, int generates = 0, LanguageVersion language = LanguageVersion.Latest)
    {
        var (source, expected) = Markup.Parse(markup);
        var (result, output) = GeneratorHarness.Run(language, source);
        var run = result.Results.Single();
        Assert.Null(run.Exception);
        Assert.Equal(
            expected.Select(e => Describe(e.Id, e.Span, source)).Order(),
            result.Diagnostics.Select(d => Describe(d.Id, d.Location.SourceSpan, source)).Order());
        Assert.Equal(generates, run.GeneratedSources.Select(s => s.HintName[..s.HintName.LastIndexOf('.', s.HintName.Length - ".g.cs".Length - 1)]).Distinct().Count());
        // The user's code itself is fine: the only errors are the generator's.
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && !d.Id.StartsWith("MDSL", StringComparison.Ordinal)).Select(d => d.ToString()));
        return result.Diagnostics.ToList();
    }

    private static string Describe(string id, TextSpan span, string source) => $"{id} at {span}: {source.Substring(span.Start, span.Length)}";
}
