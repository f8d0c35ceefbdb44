using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using ModelDsl.Generators.Diagnostics;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Parsing;

namespace ModelDsl.Generators.Validation;

/// <summary>
/// Rules over a parsed spec's values: at least one feature and one task, sizes positive, weights and
/// rates in range, Given and SampleWeight naming fitting tasks, no name the generated code needs. Each
/// diagnostic points at the offending argument, or at the attribute when the argument is missing.
/// </summary>
internal static class Validator
{
    private const string Positive = "a positive integer";

    private const string Categorical = nameof(Categorical);
    private const string Numeric = nameof(Numeric);
    private const string BinaryTask = nameof(BinaryTask);
    private const string RegressionTask = nameof(RegressionTask);
    private const string MulticlassTask = nameof(MulticlassTask);

    private static readonly string[] SequenceArguments = [nameof(CategoricalAttribute.MaxLength), nameof(CategoricalAttribute.Pooling), nameof(CategoricalAttribute.Truncation)];

    /// <summary>The parser's and the rules' diagnostics, and the spec when none is an error and the compiler rejects nothing.</summary>
    public static ParseResult Validate(ParsedModel? parsed)
    {
        if (parsed is null)
            return ParseResult.None;
        var diagnostics = parsed.Diagnostics.Concat(Rules(parsed.Spec, parsed.Declared, parsed.Locations)).ToEquatableArray();
        var valid = !parsed.HasCompilerErrors && !diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
        return valid ? new ParseResult(parsed.Spec, diagnostics) { Anchors = SizeAnchors.Of(parsed) } : new ParseResult(null, diagnostics);
    }

    private static IEnumerable<Diagnostic> Rules(ModelSpec spec, DeclaredParts declared, SpecLocations at)
    {
        var model = spec.ClassName;
        if (!declared.Architecture)
            yield return Diagnostic.Create(DiagnosticDescriptors.NoArchitecture, at.Model, model);
        if (!declared.Task)
            yield return Diagnostic.Create(DiagnosticDescriptors.NoTask, at.Model, model);
        if (!declared.Feature)
            yield return Diagnostic.Create(DiagnosticDescriptors.NoFeature, at.Model, model);

        var diagnostics = (declared.Architecture ? Architecture(spec.Architecture, model, at) : [])
            .Concat(Features(spec, at))
            .Concat(Tasks(spec, at))
            .Concat(SampleWeights(spec, at))
            .Concat(Columns(spec, at))
            .Concat(Positions(spec, at))
            .Concat(DataArguments(spec, at))
            .Concat(Regularization(spec.Regularization, model, at))
            .Concat(LossWeighting(spec.LossWeighting, model, at))
            .Concat(PersonalizationRules.Check(spec, at))
            .Concat(ReservedNames.CheckSpec(spec, at))
            .Concat(FusionRules.Check(spec, declared, at))
            .Concat(LearnedRules.Check(spec, at));
        foreach (var diagnostic in diagnostics)
            yield return diagnostic;
    }

    private static IEnumerable<Diagnostic> Architecture(ArchitectureSpec architecture, string model, SpecLocations at)
    {
        const string owner = SpecLocations.Architecture;
        var name = architecture.AttributeName;
        if (architecture.Kind == ArchitectureKind.SharedBottom)
            return Widths(architecture.Units, owner, nameof(SharedBottomAttribute.Units), name, model, at, "[SharedBottom(128, 64)]");

        // AdaTT's shared experts are optional: none is AdaTT-sp.
        var fusion = architecture.Kind == ArchitectureKind.AdaptiveTaskToTaskFusion;
        (string Argument, int Value, int Least)[] counts = architecture.Kind == ArchitectureKind.MixtureOfExperts
            ? [(nameof(MixtureOfExpertsAttribute.Experts), architecture.Experts, 1)]
            : [(nameof(ProgressiveLayeredExtractionAttribute.Levels), architecture.Levels, 1), (nameof(ProgressiveLayeredExtractionAttribute.SharedExperts), architecture.SharedExperts, fusion ? 0 : 1), (nameof(ProgressiveLayeredExtractionAttribute.TaskExperts), architecture.TaskExperts, 1)];
        return counts
            .Where(c => c.Value < c.Least)
            .Select(c => NotPositive(at, owner, c.Argument, c.Value, name, model, c.Least == 0 ? "zero or a positive integer" : Positive))
            .Concat(Widths(architecture.ExpertUnits, owner, nameof(MixtureOfExpertsAttribute.ExpertUnits), name, model, at, "ExpertUnits = new[] { 64 }"))
            .Concat(Elements(architecture.GateUnits, owner, nameof(MixtureOfExpertsAttribute.GateUnits), name, model, at));
    }

    private static IEnumerable<Diagnostic> Features(ModelSpec spec, SpecLocations at)
    {
        foreach (var feature in spec.Features.Where(f => f.Kind == FeatureKind.Categorical))
        {
            var owner = $"{spec.ClassName}.{feature.Name}";
            if (feature.Vocabulary <= 0 && !feature.IsLearned)
                yield return NotPositive(at, feature.Name, nameof(CategoricalAttribute.Vocabulary), feature.Vocabulary, Categorical, owner, "a positive integer, the number of distinct ids");
            if (feature.Dim <= 0)
                yield return NotPositive(at, feature.Name, nameof(CategoricalAttribute.Dim), feature.Dim, Categorical, owner, "a positive integer, the embedding width");
            if (feature.Vocabulary == int.MaxValue && feature.HasExtraRow && !feature.IsLearned)
                yield return Diagnostic.Create(DiagnosticDescriptors.VocabularyRowsOverflow, ArgumentOf(at, feature.Name, nameof(CategoricalAttribute.Vocabulary)),
                    spec.ClassName, feature.Name, feature.Vocabulary.ToString(CultureInfo.InvariantCulture),
                    feature.OutOfVocabulary == OutOfVocabulary.Reserved ? "OutOfVocabulary = Reserved" : "Missing = Category",
                    ((long)int.MaxValue + 1).ToString("N0", CultureInfo.InvariantCulture));
        }
        foreach (var diagnostic in Sequences(spec, at).Concat(Groups(spec, at)))
            yield return diagnostic;
        foreach (var feature in spec.Features.Where(f => f.Kind == FeatureKind.Numeric))
        {
            if (feature.IsVector && feature.Size <= 0)
                yield return NotPositive(at, feature.Name, nameof(NumericAttribute.Size), feature.Size, Numeric, $"{spec.ClassName}.{feature.Name}", "a positive integer, the number of values of every sample");
            else if (!feature.IsVector && feature.Size != 0)
                yield return Diagnostic.Create(DiagnosticDescriptors.SizeOnScalar, ArgumentOf(at, feature.Name, nameof(NumericAttribute.Size)), spec.ClassName, feature.Name, feature.Type);
        }
    }

    private static IEnumerable<Diagnostic> Sequences(ModelSpec spec, SpecLocations at)
    {
        foreach (var feature in spec.Features.Where(f => f.Kind == FeatureKind.Categorical))
        {
            if (feature.IsSequence && feature.MaxLength <= 0)
                yield return NotPositive(at, feature.Name, nameof(CategoricalAttribute.MaxLength), feature.MaxLength, Categorical, $"{spec.ClassName}.{feature.Name}", "a positive integer, the most values a sample's sequence holds");
            if (!feature.IsSequence)
                foreach (var argument in SequenceArguments.Where(a => at.Has(SpecKey.Argument(feature.Name, a))))
                    yield return Diagnostic.Create(DiagnosticDescriptors.SequenceArgumentOnScalar, ArgumentOf(at, feature.Name, argument), spec.ClassName, feature.Name, argument, feature.Type);
            if (feature.IsHashed && at.Has(SpecKey.Argument(feature.Name, nameof(CategoricalAttribute.OutOfVocabulary))))
                yield return Diagnostic.Create(DiagnosticDescriptors.OutOfVocabularyOnString, ArgumentOf(at, feature.Name, nameof(CategoricalAttribute.OutOfVocabulary)), spec.ClassName, feature.Name, feature.Type);
        }
    }

    /// <summary>Features of one <c>Group</c> share a table segment, so its shape and id mapping must agree.</summary>
    private static IEnumerable<Diagnostic> Groups(ModelSpec spec, SpecLocations at)
    {
        var first = new Dictionary<string, FeatureSpec>();
        foreach (var feature in spec.Features.Where(f => f.Kind == FeatureKind.Categorical && f.Group.Length > 0))
        {
            if (!first.TryGetValue(feature.Group, out var leader))
            {
                first[feature.Group] = feature;
                continue;
            }
            var difference = new (string Argument, object Mine, object Theirs)[]
            {
                (nameof(CategoricalAttribute.Vocabulary), feature.Vocabulary, leader.Vocabulary),
                (nameof(CategoricalAttribute.Dim), feature.Dim, leader.Dim),
                (nameof(CategoricalAttribute.OutOfVocabulary), IdPolicy(feature), IdPolicy(leader)),
            }.FirstOrDefault(d => !Equals(d.Mine, d.Theirs));
            if (difference.Argument is not null)
                yield return Diagnostic.Create(DiagnosticDescriptors.GroupMismatch, ArgumentOf(at, feature.Name, nameof(CategoricalAttribute.Group)),
                    spec.ClassName, feature.Name, feature.Group, difference.Argument, difference.Mine, leader.Name, difference.Theirs);
        }
    }

    /// <summary>How a feature maps ids to rows: strings are always hashed.</summary>
    private static OutOfVocabulary IdPolicy(FeatureSpec feature) => feature.IsHashed ? OutOfVocabulary.Hash : feature.OutOfVocabulary;

    private static IEnumerable<Diagnostic> Columns(ModelSpec spec, SpecLocations at)
    {
        bool Renamed(string member) => at.Has(SpecKey.Column(member));
        Location ColumnOf(string member) => at.Get(SpecKey.Column(member), SpecKey.Member(member));
        var owners = new Dictionary<string, string>();
        foreach (var column in spec.DataColumns)
        {
            if (column.Column.Trim().Length == 0)
                yield return Diagnostic.Create(DiagnosticDescriptors.InvalidColumn, ColumnOf(column.Member), spec.ClassName, column.Member, "empty", "give the name of the member's column in data files");
            else if (owners.TryGetValue(column.Column, out var owner))
            {
                // Member names are unique (the parser reads one of each), so a [Column] rename collides: this
                // member's, or else the earlier member's, which took this member's own name.
                var (renamed, other) = Renamed(column.Member) ? (column.Member, owner) : (owner, column.Member);
                yield return Diagnostic.Create(DiagnosticDescriptors.InvalidColumn, ColumnOf(renamed), spec.ClassName, renamed,
                    $"'{column.Column}', already the column of '{other}'", "each column feeds one member");
            }
            else
                owners[column.Column] = column.Member;
        }
    }

    /// <summary>
    /// <c>[Column(Index = n)]</c>, for files without a header: all members placed or none (declaration order),
    /// each at its own field, and an index instead of a name, not both.
    /// </summary>
    private static IEnumerable<Diagnostic> Positions(ModelSpec spec, SpecLocations at)
    {
        Location ColumnOf(string member) => at.Get(SpecKey.Column(member), SpecKey.Member(member));
        var placed = spec.DataColumns.Where(c => c.Index != -1).ToList();
        var owners = new Dictionary<int, string>();
        foreach (var column in placed)
        {
            if (column.Index < 0)
                yield return Diagnostic.Create(DiagnosticDescriptors.InvalidColumn, ColumnOf(column.Member), spec.ClassName, column.Member, $"Index = {column.Index}", "a field index is 0 or more");
            else if (column.IsNamed)
                yield return Diagnostic.Create(DiagnosticDescriptors.InvalidColumn, ColumnOf(column.Member), spec.ClassName, column.Member, $"named '{column.Column}' and placed at Index = {column.Index}",
                    "a header names columns and a file without one places them: give the name or the index");
            else if (owners.TryGetValue(column.Index, out var owner))
                yield return Diagnostic.Create(DiagnosticDescriptors.InvalidColumn, ColumnOf(column.Member), spec.ClassName, column.Member, $"Index = {column.Index}, already the field of '{owner}'", "each field feeds one member");
            else
                owners[column.Index] = column.Member;
        }
        if (placed.Count > 0)
        {
            foreach (var column in spec.DataColumns.Where(c => c.Index == -1))
                yield return Diagnostic.Create(DiagnosticDescriptors.InvalidColumn, ColumnOf(column.Member), spec.ClassName, column.Member, $"not placed, but '{placed[0].Member}' is at Index = {placed[0].Index}",
                    "without a header, place every member with [Column(Index = n)] or none (declaration order)");
        }
    }

    /// <summary>Missing-value policies and text labels: each on the member type it applies to, with what it needs.</summary>
    private static IEnumerable<Diagnostic> DataArguments(ModelSpec spec, SpecLocations at)
    {
        Diagnostic Invalid(string owner, string argument, string role, string problem, string fix) =>
            Diagnostic.Create(DiagnosticDescriptors.InvalidDataArgument, ArgumentOf(at, owner, argument), argument, role, spec.ClassName, owner, problem, fix);
        foreach (var feature in spec.Features)
        {
            foreach (var problem in MissingRules.Check(feature, spec.ClassName, at))
                yield return problem;
            if (feature.Kind != FeatureKind.Numeric)
                continue;
            var fill = nameof(NumericAttribute.Missing);
            if (feature.Type.IsNullable && double.IsNaN(feature.MissingFill))
                yield return Diagnostic.Create(DiagnosticDescriptors.InvalidDataArgument, at.Get(SpecKey.TypeOf(feature.Name), SpecKey.Member(feature.Name)), fill, Numeric, spec.ClassName, feature.Name,
                    "is not set", $"a '{feature.Type}' member needs the value a missing one stands for, as in [Numeric(Missing = 0)]");
            else if (feature.Type.IsNullable && double.IsInfinity(feature.MissingFill))
                yield return Invalid(feature.Name, fill, Numeric, "is not finite", "give a finite value for a missing one to stand for");
            else if (!feature.Type.IsNullable && !double.IsNaN(feature.MissingFill))
                yield return Invalid(feature.Name, fill, Numeric, $"applies to float? and double? members, but '{feature.Name}' is '{feature.Type}'", "declare the member nullable, or remove Missing");
        }
        foreach (var task in spec.Tasks.Where(t => t.Kind == TaskKind.Binary))
        {
            if ((task.Positive.Length == 0) != (task.Negative.Length == 0))
                yield return Invalid(task.Name, task.Positive.Length == 0 ? nameof(BinaryTaskAttribute.Negative) : nameof(BinaryTaskAttribute.Positive), "BinaryTask",
                    $"is set without {(task.Positive.Length == 0 ? nameof(BinaryTaskAttribute.Positive) : nameof(BinaryTaskAttribute.Negative))}", "a label written as text needs both its positive and its negative text, so that any other value fails");
            else if (task.Positive.Length > 0 && task.Positive.Trim(' ') == task.Negative.Trim(' '))
                yield return Invalid(task.Name, nameof(BinaryTaskAttribute.Negative), "BinaryTask", $"is '{task.Negative}', the same text as Positive (spaces around are ignored)", "give the negative label's text");
        }
    }

    private static IEnumerable<Diagnostic> Tasks(ModelSpec spec, SpecLocations at)
    {
        foreach (var task in spec.Tasks)
        {
            var attribute = task.Kind switch { TaskKind.Binary => BinaryTask, TaskKind.Multiclass => MulticlassTask, _ => RegressionTask };
            foreach (var diagnostic in Elements(task.Tower, task.Name, nameof(BinaryTaskAttribute.Tower), attribute, $"{spec.ClassName}.{task.Name}", at))
                yield return diagnostic;
            if (!(task.LossWeight >= 0 && task.LossWeight <= double.MaxValue))
                yield return Diagnostic.Create(DiagnosticDescriptors.NegativeLossWeight, ArgumentOf(at, task.Name, nameof(BinaryTaskAttribute.LossWeight)),
                    spec.ClassName, task.Name, Format(task.LossWeight));
            if (task.Given.Length > 0 && GivenRules.Check(spec, task, ArgumentOf(at, task.Name, nameof(BinaryTaskAttribute.Given))) is { } given)
                yield return given;
            foreach (var diagnostic in CounterfactualRules.Check(spec, task, at))
                yield return diagnostic;
            if (task.Kind == TaskKind.Multiclass && Classes(spec, task, at) is { } classes)
                yield return classes;
        }
    }

    /// <summary>MDSL036: an int label needs Classes of at least 2; an enum label's Classes, when set, is its members' count.</summary>
    private static Diagnostic? Classes(ModelSpec spec, TaskSpec task, SpecLocations at)
    {
        var written = at.Has(SpecKey.Argument(task.Name, nameof(MulticlassTaskAttribute.Classes)));
        var value = written ? task.Classes.ToString(CultureInfo.InvariantCulture) : "not set";
        var problem = task.EnumType.Length == 0
            ? task.Classes >= 2 ? null : $"it must be at least 2: the number of classes, whose labels are 0 to Classes − 1"
            : task.Classes == 0 && !written || task.Classes == task.EnumMembers ? null
            : $"it must be the {task.EnumMembers} members of the label's enum '{task.EnumType.Substring(task.EnumType.LastIndexOf('.') + 1)}'; remove Classes, which then defaults to them";
        return problem is null ? null
            : Diagnostic.Create(DiagnosticDescriptors.InvalidClasses, ArgumentOf(at, task.Name, nameof(MulticlassTaskAttribute.Classes)), spec.ClassName, task.Name, value, problem);
    }

    private static IEnumerable<Diagnostic> SampleWeights(ModelSpec spec, SpecLocations at)
    {
        var model = spec.ClassName;
        var weighted = new Dictionary<string, string>();
        foreach (var weight in spec.SampleWeights)
        {
            var location = ArgumentOf(at, weight.Name, nameof(SampleWeightAttribute.For));
            var task = spec.Tasks.FirstOrDefault(t => t.Name == weight.For);
            if (task is null)
                yield return Diagnostic.Create(DiagnosticDescriptors.UnknownWeightedTask, location, model, weight.Name, weight.For.Length == 0 ? "not set" : $"'{weight.For}'",
                    spec.Tasks.Count == 0 ? "first mark a task with [BinaryTask], [RegressionTask] or [MulticlassTask]" : $"set it to a task, e.g. For = nameof({spec.Tasks[0].Name})");
            else if (weighted.TryGetValue(task.Name, out var first))
                yield return Diagnostic.Create(DiagnosticDescriptors.TaskWeightedTwice, location, model, task.Name, first, weight.Name);
            else
            {
                weighted[task.Name] = weight.Name;
                if (weight.PositivesOnly && task.Kind != TaskKind.Binary)
                    yield return Diagnostic.Create(DiagnosticDescriptors.PositivesOnlyNotBinary, ArgumentOf(at, weight.Name, nameof(SampleWeightAttribute.PositivesOnly)), model, weight.Name, KindName(task.Kind), task.Name);
            }
        }
    }

    private static IEnumerable<Diagnostic> Regularization(RegularizationSpec regularization, string model, SpecLocations at)
    {
        // Written so that NaN fails every range; infinities are no valid C# literal for the generated code.
        if (!(regularization.Dropout >= 0 && regularization.Dropout < 1))
            yield return OutOfRange(at, SpecLocations.Regularization, nameof(RegularizationAttribute.Dropout), model, regularization.Dropout, "at least 0 and less than 1");
        if (!(regularization.EmbeddingL2 >= 0 && regularization.EmbeddingL2 <= double.MaxValue))
            yield return OutOfRange(at, SpecLocations.Regularization, nameof(RegularizationAttribute.EmbeddingL2), model, regularization.EmbeddingL2, "a finite number, zero or positive");
        if (!(regularization.DenseL2 >= 0 && regularization.DenseL2 <= double.MaxValue))
            yield return OutOfRange(at, SpecLocations.Regularization, nameof(RegularizationAttribute.DenseL2), model, regularization.DenseL2, "a finite number, zero or positive");
    }

    private static IEnumerable<Diagnostic> LossWeighting(LossWeightingSpec weighting, string model, SpecLocations at)
    {
        foreach (var (argument, value) in new[] { (nameof(LossWeightingAttribute.Alpha), weighting.Alpha), (nameof(LossWeightingAttribute.Temperature), weighting.Temperature) })
            if (!(value > 0 && value <= double.MaxValue))
                yield return OutOfRange(at, SpecLocations.LossWeighting, argument, model, value, "a finite number greater than 0");
    }

    /// <summary>A list of layer widths that needs at least one element.</summary>
    private static IEnumerable<Diagnostic> Widths(EquatableArray<int> widths, string owner, string argument, string attribute, string model, SpecLocations at, string example) =>
        widths.Count == 0
            ? [Diagnostic.Create(DiagnosticDescriptors.NotPositive, ArgumentOf(at, owner, argument),
                argument, attribute, model, at.Has(SpecKey.Argument(owner, argument)) ? "empty" : "not set", $"at least one layer width, e.g. {example}")]
            : Elements(widths, owner, argument, attribute, model, at);

    private static IEnumerable<Diagnostic> Elements(EquatableArray<int> widths, string owner, string argument, string attribute, string ownerName, SpecLocations at)
    {
        for (var i = 0; i < widths.Count; i++)
            if (widths[i] <= 0)
                yield return Diagnostic.Create(DiagnosticDescriptors.NotPositive,
                    at.Get(SpecKey.Element(owner, argument, i), SpecKey.Argument(owner, argument), SpecKey.Attribute(owner)),
                    $"{argument}[{i}]", attribute, ownerName, widths[i], Positive);
    }

    private static Diagnostic NotPositive(SpecLocations at, string owner, string argument, int value, string attribute, string ownerName, string valid) =>
        Diagnostic.Create(DiagnosticDescriptors.NotPositive, ArgumentOf(at, owner, argument),
            argument, attribute, ownerName, at.Has(SpecKey.Argument(owner, argument)) ? value.ToString(CultureInfo.InvariantCulture) : "not set", valid);

    /// <summary>MDSL011 on a class-level attribute's argument (<see cref="SpecLocations.Regularization"/> or <see cref="SpecLocations.LossWeighting"/>).</summary>
    private static Diagnostic OutOfRange(SpecLocations at, string owner, string argument, string model, double value, string valid) =>
        Diagnostic.Create(DiagnosticDescriptors.ValueOutOfRange, ArgumentOf(at, owner, argument), argument, SpecLocations.AttributeName(owner), model, Format(value), valid);

    /// <summary>The argument, else its attribute (the argument was left out), else the member.</summary>
    internal static Location ArgumentOf(SpecLocations at, string owner, string argument) =>
        at.Get(SpecKey.Argument(owner, argument), SpecKey.Attribute(owner), SpecKey.Member(owner));

    /// <summary>A task kind as messages name it: binary, regression, multiclass.</summary>
    public static string KindName(TaskKind kind) => kind.ToString().ToLowerInvariant();

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
