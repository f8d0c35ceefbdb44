using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using CsCheck;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// Random model classes for <see cref="PropertyTests"/>: half valid by construction
/// (<see cref="RandomValidModels.NearlyValid"/>, now and then with a reserved name), half "wild": every
/// DSL attribute with random arguments on random members (PEPNet's gates naming any member or none), where any choice may be invalid. The C#
/// itself always compiles (no duplicate attribute or member, no unknown argument), so every error in a
/// case is one the generator must catch.
/// </summary>
internal static partial class RandomModels
{
    /// <summary>Member names by role: features, tasks, sample weights.</summary>
    private static readonly string[][] Names = [["UserId", "ItemId", "Country", "Price", "Age"], ["Click", "Like", "Purchase", "WatchTime"], ["Minutes", "Weight"]];

    // After the name arrays: static fields initialize in order.
    public static readonly Gen<Model> Model = Gen.Frequency((1, RandomValidModels.NearlyValid), (1, Wild()));

    private static Gen<Model> Wild()
    {
        // The invalid choice one time in seven.
        static Gen<T> Mostly<T>(Gen<T> valid, Gen<T> invalid) => Gen.Frequency((6, valid), (1, invalid));

        var size = Mostly(Gen.Int[1, 64], Gen.Int[-2, 0]).Select(i => i.ToString(CultureInfo.InvariantCulture));
        var widths = size.Array[0, 3].Select(w => w.Length == 0 ? "new int[0]" : $"new[] {{ {string.Join(", ", w)} }}");
        var someWidths = Mostly(size.Array[1, 3], size.Array[0, 0]).Select(w => w.Length == 0 ? "new int[0]" : $"new[] {{ {string.Join(", ", w)} }}");
        // Arguments without a valid default: mostly there.
        Gen<string?> Required(string argument, Gen<string> value) => Argument(argument, value, 6);

        var architecture = Gen.OneOf(
            Mostly(size.Array[1, 3], size.Array[0, 0]).Select(units => $"SharedBottom({string.Join(", ", units)})"),
            Attribute("MixtureOfExperts",
                Required("Experts", size), Required("ExpertUnits", someWidths),
                Argument("GateUnits", widths, 1), Argument("SharedGate", Gen.OneOf("true", "false"), 1), Argument("ExpertNormalization", Gen.OneOf("true", "false"), 1)),
            Attribute("ProgressiveLayeredExtraction",
                Argument("Levels", size, 1), Required("SharedExperts", size), Required("TaskExperts", size),
                Required("ExpertUnits", someWidths), Argument("GateUnits", widths, 1), Argument("ExpertNormalization", Gen.OneOf("true", "false"), 1)),
            Attribute("AdaptiveTaskToTaskFusion",
                Argument("Levels", size, 1), Argument("SharedExperts", Mostly(Gen.Int[0, 3], Gen.Int[-2, -1]).Select(i => i.ToString(CultureInfo.InvariantCulture)), 1),
                Required("TaskExperts", size), Required("ExpertUnits", someWidths), Argument("GateUnits", widths, 1), Argument("ExpertNormalization", Gen.OneOf("true", "false"), 1)));
        var lossWeighting = Attribute("LossWeighting",
            Mostly(Gen.OneOf("Static", "Uncertainty", "GradNorm", "DynamicWeightAverage").Select(s => $"LossWeightingStrategy.{s}"), Gen.Const("(LossWeightingStrategy)9")).Select(s => (string?)s),
            Argument("Alpha", Mostly(Gen.OneOf("0.5", "1.5"), Gen.OneOf("0", "double.NaN")), 1),
            Argument("Temperature", Mostly(Gen.OneOf("1", "2"), Gen.OneOf("-1", "double.PositiveInfinity")), 1));
        var architectures = Mostly(Gen.Int[1, 1], Gen.OneOf(0, 2)).SelectMany(n => architecture.Array[n]);

        var regularization = Attribute("Regularization",
            Argument("Dropout", Mostly(Gen.OneOf("0", "0.1", "0.5"), Gen.OneOf("1", "-0.1", "double.NaN"))),
            Argument("EmbeddingL2", Mostly(Gen.OneOf("0", "1e-5"), Gen.OneOf("-1", "double.PositiveInfinity"))),
            Argument("DenseL2", Mostly(Gen.OneOf("0", "1e-6"), Gen.OneOf("-1e-6", "double.NaN"))),
            Argument("Activation", Mostly(Gen.OneOf("Activation.Relu", "Activation.LeakyRelu", "Activation.Tanh", "Activation.Gelu", "Activation.Swish"), Gen.Const("(Activation)7"))));

        var lossWeight = Mostly(Gen.OneOf("0.5", "1", "0", "2"), Gen.OneOf("-1", "double.NaN"));
        // Given and For name a task, mostly, or any member, resolved once the members are known (see Resolve).
        var reference = Mostly(Gen.Int[0, 9].Select(i => $"\"@task{i}\""), Gen.OneOf(Gen.Int[0, 9].Select(i => $"\"@member{i}\""), Gen.Const("\"Cart\"")));
        Gen<string?> Enum(string argument, string type, string[] members, int undefined, int absent = 2) =>
            Argument(argument, Mostly(Gen.OneOf(members).Select(m => $"{type}.{m}"), Gen.Const($"({type}){undefined}")), 1, absent);
        // Role attributes: Categorical, Numeric, BinaryTask, RegressionTask, SampleWeight, MulticlassTask, with the member types each reads.
        var roles = new (string[] Types, Gen<string> Gen)[]
        {
            (["int", "long", "string", "int[]", "long[]", "string[]", "long?", "int[]?"], Attribute("Categorical", Required("Vocabulary", size), Required("Dim", size),
                // Mostly one group: its members rarely agree.
                Argument("Group", Gen.Frequency((4, Gen.Const("\"a\"")), (1, Gen.Const("\"b\""))), 2), Enum("OutOfVocabulary", "OutOfVocabulary", ["Error", "Hash", "Reserved"], 9, 1),
                Argument("MaxLength", size, 1), Enum("Pooling", "Pooling", ["Mean", "Sum", "Max"], 7), Enum("Truncation", "SequenceTruncation", ["Error", "KeepFirst", "KeepLast"], 5),
                Enum("Missing", "MissingValue", ["Error", "Category", "Empty"], 6, 3), Argument("MissingId", Mostly(Gen.OneOf("0", "1"), Gen.OneOf("-5", "1000")), 1, 4))),
            (["float", "double", "float[]", "double[]"], Attribute("Numeric", Argument("Size", size, 1),
                Argument("Transform", Mostly(Gen.OneOf("None", "Log1p", "Standardize", "Log1p | NumericTransform.Standardize").Select(t => $"NumericTransform.{t}"), Gen.Const("(NumericTransform)8")), 1, 2))),
            (["bool", "int", "float", "double"], Attribute("BinaryTask", Argument("Tower", widths, 1), Argument("LossWeight", lossWeight, 1), Argument("Given", reference, 2, 5),
                Enum("Counterfactual", "CounterfactualRegularizer", ["None", "InversePropensity", "DoublyRobust"], 6, 4),
                Argument("CounterfactualWeight", Mostly(Gen.OneOf("0", "0.5"), Gen.OneOf("-1", "double.NaN")), 1, 6),
                Argument("PropensityFloor", Mostly(Gen.OneOf("0.05", "1"), Gen.OneOf("0", "1.5")), 1, 6))),
            (["float", "double"], Attribute("RegressionTask", Argument("Tower", widths, 1), Argument("LossWeight", lossWeight, 1))),
            (["float", "double", "int"], Attribute("SampleWeight", Required("For", reference), Argument("PositivesOnly", Gen.OneOf("true", "false"), 1))),
            (["int", RandomValidModels.ClassEnum], Attribute("MulticlassTask", Argument("Classes", size, 2), Argument("Tower", widths, 1), Argument("LossWeight", lossWeight, 1))),
        };
        // The name pool of each role: features, tasks or sample weights.
        int[] pools = [0, 0, 1, 1, 2, 1];

        var anyType = Gen.OneOf("int", "long", "float", "double", "bool", "string", "int[]", "double[]", "string[]", "bool[]");
        var anyName = Gen.OneOf(Names.SelectMany(n => n).Concat(RandomValidModels.Reserved).ToArray());
        Gen<string> Name(string[] names) => Gen.Frequency((6, Gen.OneOf(names)), (1, anyName));
        var isStatic = Mostly(Gen.Const(false), Gen.Const(true));
        // A renamed column, empty or taken by another member one time in seven.
        var column = Gen.Frequency((3, Gen.Const((string?)null)),
            (1, Mostly(Gen.OneOf("\"c1\"", "\"c2\"", "\"c 3\""), Gen.OneOf("\"\"", "\" \"", "\"Click\"")).Select(c => (string?)$"Column({c})")));
        Gen<Member> Role(int role) => Gen.Select(Name(Names[pools[role]]), Mostly(Gen.OneOf(roles[role].Types), anyType), Gen.Bool, isStatic, roles[role].Gen, column,
            (n, type, field, @static, attribute, renamed) => new Member(n, type, field, @static, renamed is null ? [attribute] : [attribute, renamed]));
        // A second role on a member, or a plain member.
        var wild = Gen.Select(anyName, anyType, Gen.Bool, Gen.Int[0, roles.Length - 1].ArrayUnique[0, 2],
            (n, type, field, kinds) => (n, type, field, kinds)).SelectMany(m => All(m.kinds.Select(k => roles[k].Gen))
            .Select(attributes => new Member(m.n, m.type, m.field, false, attributes)));

        var members = Gen.Select(
            Gen.OneOf(Role(0), Role(0), Role(1)).Array[0, 4],
            Gen.OneOf(Role(2), Role(2), Role(3), Role(5)).Array[0, 3],
            Role(4).Array[0, 2],
            wild.Array[0, 2],
            (features, tasks, weights, others) => features.Concat(tasks).Concat(weights).Concat(others).ToArray());

        // PEPNet's gates: priors name a member (any role), mostly, or an unknown name; none, or one twice, now and then.
        var prior = Mostly(Gen.Int[0, 9].Select(i => $"\"@member{i}\""), Gen.Const("\"Country\""));
        Gen<string?> Gate(string attribute) => Gen.Frequency((3, Gen.Const((string?)null)), (1, Gen.Select(
            Gen.Frequency((4, prior.Array[1, 3]), (1, Gen.Const(Array.Empty<string>())), (1, prior.Select(p => new[] { p, p }))),
            Argument("GateUnits", Mostly(Gen.OneOf("0", "3"), Gen.Const("-1")), 1, 2),
            (priors, units) => (string?)$"{attribute}({string.Join(", ", priors.Append(units).OfType<string>())})")));

        return Gen.Select(
            Mostly(Gen.OneOf("M", "Ranker"), Gen.OneOf("Trainer", "Schema")),
            Mostly(Gen.Const(Shape.Plain), Gen.OneOf(Shape.NotPartial, Shape.Nested, Shape.Generic, Shape.Record)),
            architectures,
            Gen.Frequency((1, regularization.Select(r => (string?)r)), (1, Gen.Const((string?)null))),
            Gen.Frequency((1, lossWeighting.Select(r => (string?)r)), (1, Gen.Const((string?)null))),
            Gen.Select(Gate("EmbeddingPersonalization"), Gate("ParameterPersonalization"), (ep, pp) => new[] { ep, pp }),
            members,
            (className, shape, archs, reg, weighting, gates, all) =>
            {
                var resolved = Resolve(all.DistinctBy(m => m.Name).Where(m => m.Name != className).ToArray());
                // Gates name members only once there are some.
                var named = gates.OfType<string>().Where(g => resolved.Length > 0 || !g.Contains("@member", StringComparison.Ordinal))
                    .Select(g => Resolve(g, resolved, resolved));
                return new Model(className, shape, archs.DistinctBy(a => a[..a.IndexOf('(')]).Concat(new[] { reg, weighting }.OfType<string>()).Concat(named).ToArray(), resolved);
            });
    }

    /// <summary>Replaces each <c>@task</c>i or <c>@member</c>i with the name of task or member i (modulo their number).</summary>
    private static Member[] Resolve(Member[] members)
    {
        var tasks = members.Where(m => m.Attributes.Any(a => a.Contains("Task", StringComparison.Ordinal))).ToArray();
        return members.Select(m => m with { Attributes = m.Attributes.Select(a => Resolve(a, members, tasks)).ToArray() }).ToArray();
    }

    private static string Resolve(string attribute, Member[] members, Member[] tasks) => ReferencePattern().Replace(attribute, r =>
    {
        var among = r.Groups[1].Value == "task" && tasks.Length > 0 ? tasks : members;
        return among[int.Parse(r.Groups[2].Value, CultureInfo.InvariantCulture) % among.Length].Name;
    });

    [GeneratedRegex("@(task|member)(\\d+)")]
    private static partial Regex ReferencePattern();

    /// <summary>A named argument, present <paramref name="present"/> times to <paramref name="absent"/>.</summary>
    private static Gen<string?> Argument(string name, Gen<string> value, int present = 3, int absent = 1) =>
        Gen.Frequency((present, value.Select(v => (string?)$"{name} = {v}")), (absent, Gen.Const((string?)null)));

    private static Gen<string> Attribute(string name, params Gen<string?>[] arguments) =>
        All(arguments).Select(a => $"{name}({string.Join(", ", a.Where(x => x is not null))})");

    /// <summary>One value from each generator, in order.</summary>
    private static Gen<T[]> All<T>(IEnumerable<Gen<T>> generators) =>
        generators.Aggregate(Gen.Const(Array.Empty<T>()), (all, next) => Gen.Select(all, next, (values, value) => values.Append(value).ToArray()));
}

internal enum Shape
{
    Plain,
    NotPartial,
    Nested,
    Generic,
    Record,
}

internal sealed record Member(string Name, string Type, bool IsField, bool IsStatic, string[] Attributes)
{
    public override string ToString()
    {
        var attributes = string.Concat(Attributes.Select(a => $"[{a}] "));
        // Hiding object.ToString needs 'new': the C# must be warning-free on its own.
        var modifiers = "public " + (IsStatic ? "static " : "") + (Name == "ToString" ? "new " : "");
        // Non-nullable strings and arrays need a value: the C# must be warning-free on its own.
        var initializer = Type == "string" ? " = \"\";" : Type.EndsWith("[]", StringComparison.Ordinal) ? " = [];" : "";
        return IsField
            ? $"{attributes}{modifiers}{Type} {Name}{(initializer.Length > 0 ? initializer : ";")}"
            : $"{attributes}{modifiers}{Type} {Name} {{ get; {(IsStatic ? "set" : "init")}; }}{initializer}";
    }
}

internal sealed record Model(string Name, Shape Shape, string[] ClassAttributes, Member[] Members)
{
    /// <summary>The namespace of the class; models compiled together need distinct ones.</summary>
    public string Namespace { get; init; } = "Shop";

    public string Source
    {
        get
        {
            var declaration = Shape switch
            {
                Shape.NotPartial => $"public class {Name}",
                Shape.Generic => $"public partial class {Name}<T>",
                Shape.Record => $"public partial record {Name}",
                _ => $"public partial class {Name}",
            };
            var lines = new List<string> { "using ModelDsl;", "", $"namespace {Namespace};", "" };
            if (Shape == Shape.Nested)
                lines.AddRange(["public partial class Outer", "{"]);
            lines.Add("[MultiTaskModel]");
            lines.AddRange(ClassAttributes.Select(a => $"[{a}]"));
            lines.AddRange([declaration, "{"]);
            lines.AddRange(Members.Select(m => $"    {m}"));
            lines.Add("}");
            if (Shape == Shape.Nested)
                lines.Add("}");
            if (Members.Any(m => m.Type == RandomValidModels.ClassEnum))
                lines.Add($"public enum {RandomValidModels.ClassEnum} {{ {string.Join(", ", RandomValidModels.ClassEnumMembers)} }}");
            return string.Join("\n", lines) + "\n";
        }
    }
}
