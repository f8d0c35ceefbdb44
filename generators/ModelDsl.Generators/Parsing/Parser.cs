using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelDsl.Generators.Diagnostics;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Validation;

namespace ModelDsl.Generators.Parsing;

/// <summary>
/// Reads an annotated class into a <see cref="ModelSpec"/>: the class shape, its architecture and
/// regularization attributes, and one feature, task or sample weight per annotated member. Problems
/// that make a part unreadable (wrong member type, two roles) are reported here; rules over values are
/// the <see cref="Validator"/>'s, which <see cref="ModelGenerator"/> runs next. Never throws on bad input: what the compiler already rejects yields
/// no spec and no second diagnostic.
/// </summary>
internal static class Parser
{
    /// <summary>Dotted and unescaped (<c>A.class</c>, not <c>A.@class</c>), as the spec keeps names.</summary>
    private static readonly SymbolDisplayFormat UnescapedName = new(typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces);

    /// <summary>The class as a spec, with what the validator needs beside it; null where the compiler already reports the declaration.</summary>
    public static ParsedModel? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var syntax = (TypeDeclarationSyntax)context.TargetNode;
        // [MultiTaskModel] on a struct or an interface is the compiler's CS0592, and on two parts of one
        // class its CS0579: that class still gets one spec, from the first part.
        if (type.TypeKind != TypeKind.Class || !IsFirstModelDeclaration(type, context))
            return null;

        var state = new ParseState(type, context.SemanticModel, new SpecLocations(syntax.Identifier.GetLocation()), cancellationToken);
        state.HasCompilerErrors = context.Attributes.Any(a => state.HasErrors(state.SyntaxOf(a)));
        CheckShape(syntax, state);
        state.Diagnostics.AddRange(ReservedNames.CheckMembers(type, context.SemanticModel.Compilation, state.Locations, cancellationToken));
        var architecture = ReadArchitecture(state);
        var regularization = ReadRegularization(state);
        var weighting = ReadLossWeighting(state);
        var members = new Members();
        foreach (var member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadMember(member, members, state);
        }
        ReportInheritedMembers(state);

        var spec = new ModelSpec(
            type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString(UnescapedName),
            type.Name,
            SyntaxFacts.GetText(type.DeclaredAccessibility),
            type.IsRecord,
            members.Features.ToEquatableArray(),
            members.Tasks.ToEquatableArray(),
            members.SampleWeights.ToEquatableArray(),
            architecture ?? new ArchitectureSpec(ArchitectureKind.SharedBottom, EquatableArray<int>.Empty),
            regularization,
            weighting)
        {
            DataColumns = members.Columns.ToEquatableArray(),
            IsConstructible = IsConstructible(type, members),
            EmbeddingPersonalization = ReadPersonalization(state, KnownAttributes.EmbeddingPersonalization, SpecLocations.EmbeddingPersonalization),
            ParameterPersonalization = ReadPersonalization(state, KnownAttributes.ParameterPersonalization, SpecLocations.ParameterPersonalization),
        };
        var declared = new DeclaredParts(architecture is not null, members.DeclaresFeature, members.DeclaresTask);
        return new ParsedModel(spec, declared, state.Locations, state.Diagnostics, state.HasCompilerErrors);
    }

    private sealed class Members
    {
        public List<FeatureSpec> Features { get; } = [];
        public List<TaskSpec> Tasks { get; } = [];
        public List<SampleWeightSpec> SampleWeights { get; } = [];
        public List<DataColumnSpec> Columns { get; } = [];
        public HashSet<string> Names { get; } = [];
        public bool Settable { get; set; } = true;
        public bool DeclaresFeature { get; set; }
        public bool DeclaresTask { get; set; }
    }

    private static bool IsFirstModelDeclaration(INamedTypeSymbol type, GeneratorAttributeSyntaxContext context)
    {
        var first = type.GetAttributes().FirstOrDefault(a => NameOf(a) == KnownAttributes.MultiTaskModel)?.ApplicationSyntaxReference;
        return first is null || first.SyntaxTree == context.TargetNode.SyntaxTree && context.TargetNode.Span.Contains(first.Span);
    }

    private static void CheckShape(TypeDeclarationSyntax syntax, ParseState state)
    {
        var type = state.Type;
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            state.Report(DiagnosticDescriptors.NotPartial, state.Locations.Model, type.Name);
        if (type.ContainingType is { } outer)
            state.Report(DiagnosticDescriptors.Nested, state.Locations.Model, type.Name, outer.Name);
        if (type.TypeParameters.Length > 0)
            state.Report(DiagnosticDescriptors.Generic, syntax.TypeParameterList?.GetLocation() ?? state.Locations.Model,
                type.Name, syntax.TypeParameterList?.ToString() ?? "");
        if (ReservedNames.IsGeneratedInModel(type.Name))
            state.Report(DiagnosticDescriptors.ReservedClassName, state.Locations.Model, type.Name, ReservedNames.GeneratedInModel);
        // The generated files are parsed with the project's options, which its files share: reading them from the
        // model's file keeps the check in the cached parse step (a new LangVersion reparses every file).
        if (syntax.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: < LanguageVersion.CSharp10 } options)
            state.Report(DiagnosticDescriptors.LanguageVersionTooLow, state.Locations.Model, type.Name, options.LanguageVersion.ToDisplayString());
    }

    private static readonly Dictionary<string, ArchitectureKind> Architectures = new()
    {
        [KnownAttributes.SharedBottom] = ArchitectureKind.SharedBottom,
        [KnownAttributes.MixtureOfExperts] = ArchitectureKind.MixtureOfExperts,
        [KnownAttributes.ProgressiveLayeredExtraction] = ArchitectureKind.ProgressiveLayeredExtraction,
        [KnownAttributes.AdaptiveTaskToTaskFusion] = ArchitectureKind.AdaptiveTaskToTaskFusion,
    };

    private static ArchitectureSpec? ReadArchitecture(ParseState state)
    {
        var found = state.Type.GetAttributes().Where(a => Architectures.ContainsKey(NameOf(a))).ToList();
        if (found.Count == 0)
            return null;
        var attribute = found[0];
        var kind = Architectures[NameOf(attribute)];
        foreach (var extra in found.Skip(1))
            state.Report(DiagnosticDescriptors.SeveralArchitectures, state.LocationOf(extra),
                state.Model, kind.ToString(), Architectures[NameOf(extra)].ToString());

        state.Locations.AddAttribute(state.SyntaxOf(attribute), SpecLocations.Architecture, positional: nameof(SharedBottomAttribute.Units));
        var reader = state.Reader(attribute);
        var one = ImmutableArray.Create(1);
        var architecture = kind == ArchitectureKind.SharedBottom
            ? new ArchitectureSpec(kind, reader.ConstructorInts(neutral: one).ToEquatableArray())
            : new ArchitectureSpec(kind, EquatableArray<int>.Empty,
                Experts: reader.Int(nameof(MixtureOfExpertsAttribute.Experts), Defaults.MixtureOfExperts.Experts, neutral: 1),
                ExpertUnits: reader.Ints(nameof(MixtureOfExpertsAttribute.ExpertUnits), neutral: one).ToEquatableArray(),
                GateUnits: reader.Ints(nameof(MixtureOfExpertsAttribute.GateUnits), neutral: ImmutableArray<int>.Empty).ToEquatableArray(),
                SharedGate: reader.Bool(nameof(MixtureOfExpertsAttribute.SharedGate)),
                Levels: reader.Int(nameof(ProgressiveLayeredExtractionAttribute.Levels), Defaults.ProgressiveLayeredExtraction.Levels, neutral: 1),
                SharedExperts: reader.Int(nameof(ProgressiveLayeredExtractionAttribute.SharedExperts), Defaults.ProgressiveLayeredExtraction.SharedExperts, neutral: 1),
                TaskExperts: reader.Int(nameof(ProgressiveLayeredExtractionAttribute.TaskExperts), Defaults.ProgressiveLayeredExtraction.TaskExperts, neutral: 1),
                ExpertNormalization: reader.Bool(nameof(MixtureOfExpertsAttribute.ExpertNormalization)));
        state.Read(reader);
        return architecture;
    }

    private static RegularizationSpec ReadRegularization(ParseState state)
    {
        var attribute = state.Type.GetAttributes().FirstOrDefault(a => NameOf(a) == KnownAttributes.Regularization);
        if (attribute is null)
            return RegularizationSpec.Default;
        state.Locations.AddAttribute(state.SyntaxOf(attribute), SpecLocations.Regularization);
        var reader = state.Reader(attribute);
        var defaults = RegularizationSpec.Default;
        var regularization = new RegularizationSpec(
            reader.Double(nameof(RegularizationAttribute.EmbeddingL2), defaults.EmbeddingL2, neutral: defaults.EmbeddingL2),
            reader.Double(nameof(RegularizationAttribute.DenseL2), defaults.DenseL2, neutral: defaults.DenseL2),
            reader.Double(nameof(RegularizationAttribute.Dropout), defaults.Dropout, neutral: defaults.Dropout),
            ReadEnum<Activation>(attribute, reader, nameof(RegularizationAttribute.Activation), SpecLocations.Regularization, state.Model, state) ?? defaults.Activation);
        state.Read(reader);
        return regularization;
    }

    private static LossWeightingSpec ReadLossWeighting(ParseState state)
    {
        var attribute = state.Type.GetAttributes().FirstOrDefault(a => NameOf(a) == KnownAttributes.LossWeighting);
        if (attribute is null)
            return LossWeightingSpec.Default;
        const string strategyName = nameof(LossWeightingAttribute.Strategy);
        state.Locations.AddAttribute(state.SyntaxOf(attribute), SpecLocations.LossWeighting, positional: strategyName);
        var reader = state.Reader(attribute);
        var strategy = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int value
            ? Defined<LossWeightingStrategy>(value, attribute, strategyName, state.Model,
                state.Locations.Get(SpecKey.Element(SpecLocations.LossWeighting, strategyName, 0), SpecKey.Attribute(SpecLocations.LossWeighting)), state)
            : null;
        var defaults = LossWeightingSpec.Default;
        var spec = new LossWeightingSpec(strategy ?? defaults.Strategy,
            reader.Double(nameof(LossWeightingAttribute.Alpha), defaults.Alpha, neutral: defaults.Alpha),
            reader.Double(nameof(LossWeightingAttribute.Temperature), defaults.Temperature, neutral: defaults.Temperature));
        state.Read(reader);
        return spec;
    }

    /// <summary>A PEPNet attribute (<c>[EmbeddingPersonalization]</c>, <c>[ParameterPersonalization]</c>), or null when absent.</summary>
    private static PersonalizationSpec? ReadPersonalization(ParseState state, string attributeName, string owner)
    {
        var attribute = state.Type.GetAttributes().FirstOrDefault(a => NameOf(a) == attributeName);
        if (attribute is null)
            return null;
        const string priors = nameof(EmbeddingPersonalizationAttribute.Priors);
        state.Locations.AddAttribute(state.SyntaxOf(attribute), owner, positional: priors);
        var reader = state.Reader(attribute);
        var spec = new PersonalizationSpec(reader.ConstructorStrings(neutral: ImmutableArray<string>.Empty).ToEquatableArray(),
            reader.Int(nameof(EmbeddingPersonalizationAttribute.GateUnits), 0, neutral: 0));
        state.Read(reader);
        // Unreadable arguments are the compiler's error alone: no gate to check, and no code.
        return reader.HasErrors ? null : spec;
    }

    private enum RoleKind
    {
        Categorical,
        Numeric,
        BinaryTask,
        RegressionTask,
        MulticlassTask,
        SampleWeight,
    }

    /// <summary>A member's role: its attribute (named as the user writes it) and the member types it takes.</summary>
    private sealed record Role(RoleKind Kind, MemberType[] Types)
    {
        public string Name => Kind.ToString();
    }

    private static readonly MemberType Int = new(ElementType.Int), Long = new(ElementType.Long), String = new(ElementType.String),
        Float = new(ElementType.Float), Double = new(ElementType.Double);

    private static readonly Dictionary<string, Role> Roles = new()
    {
        [KnownAttributes.Categorical] = new(RoleKind.Categorical, [Int, Long, String, new(ElementType.Int, true), new(ElementType.Long, true), new(ElementType.String, true),
            new(ElementType.Int, IsNullable: true), new(ElementType.Long, IsNullable: true)]),
        [KnownAttributes.Numeric] = new(RoleKind.Numeric, [Float, Double, new(ElementType.Float, true), new(ElementType.Double, true),
            new(ElementType.Float, IsNullable: true), new(ElementType.Double, IsNullable: true)]),
        [KnownAttributes.BinaryTask] = new(RoleKind.BinaryTask, [new(ElementType.Bool), Int, Float, Double]),
        [KnownAttributes.RegressionTask] = new(RoleKind.RegressionTask, [Float, Double]),
        // Or an enum, read as its number (ClassEnum).
        [KnownAttributes.MulticlassTask] = new(RoleKind.MulticlassTask, [Int]),
        [KnownAttributes.SampleWeight] = new(RoleKind.SampleWeight, [Float, Double, Int]),
    };

    private static void ReadMember(ISymbol member, Members members, ParseState state)
    {
        if (member is not (IPropertySymbol or IFieldSymbol) || member.IsImplicitlyDeclared)
            return;
        var roles = member.GetAttributes().Where(a => Roles.ContainsKey(NameOf(a))).ToList();
        if (roles.Count == 0)
            return;
        var attribute = roles[0];
        var role = Roles[NameOf(attribute)];
        var name = member.Name;
        members.DeclaresFeature |= role.Kind is RoleKind.Categorical or RoleKind.Numeric;
        members.DeclaresTask |= role.Kind is RoleKind.BinaryTask or RoleKind.RegressionTask or RoleKind.MulticlassTask;
        if (!members.Names.Add(name))
        {
            // A second member of one name is the compiler's CS0102: read the first only.
            state.HasCompilerErrors = true;
            return;
        }
        state.Locations.Add(SpecKey.Member(name), member.Locations.FirstOrDefault());
        var declaration = member.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(state.CancellationToken);
        state.Locations.Add(SpecKey.TypeOf(name), DeclaredType(declaration)?.GetLocation());
        state.Locations.AddAttribute(state.SyntaxOf(attribute), name);
        foreach (var extra in roles.Skip(1))
            state.Report(DiagnosticDescriptors.SeveralRoles, state.LocationOf(extra), state.Model, name, role.Name, Roles[NameOf(extra)].Name);

        if (NotInstance(member) is { } problem)
        {
            state.Report(DiagnosticDescriptors.NotInstanceMember, state.Locations.Get(SpecKey.Member(name)), state.Model, name, problem);
            return;
        }
        var memberType = member is IPropertySymbol p ? p.Type : ((IFieldSymbol)member).Type;
        MemberType keyword;
        var classEnum = (Type: "", Members: 0);
        if (memberType.TypeKind == TypeKind.Error || (declaration is VariableDeclaratorSyntax ? declaration.Parent! : declaration)?.ContainsDiagnostics == true)
        {
            // The compiler reports the unknown type or the syntax error; keep the member, with a type no rule
            // objects to, so no "no feature" follows (and no code: the spec is not used).
            state.HasCompilerErrors = true;
            keyword = role.Types[0];
        }
        else if (MemberType.Of(memberType) is { } k && role.Types.Contains(k))
            keyword = k;
        else if (role.Kind == RoleKind.MulticlassTask && memberType is INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType)
        {
            if (ClassEnum(enumType, name, state) is not { } count)
                return;
            (keyword, classEnum) = (Int, (enumType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), count));
        }
        else
        {
            state.Report(DiagnosticDescriptors.UnsupportedType, state.Locations.Get(SpecKey.TypeOf(name), SpecKey.Member(name)),
                role.Name, state.Model, name, Alternatives(role.Types) + (role.Kind == RoleKind.MulticlassTask ? " or an enum" : ""), memberType.ToDisplayString());
            return;
        }

        var reader = state.Reader(attribute);
        switch (role.Kind)
        {
            case RoleKind.Categorical:
                var categorical = Defaults.Categorical;
                var learned = reader.Bool(nameof(CategoricalAttribute.Learned));
                // A learned vocabulary's table is sized by MaxSize; the rules treat the two arguments apart (LearnedRules).
                var vocabulary = learned
                    ? reader.Int(nameof(CategoricalAttribute.MaxSize), categorical.MaxSize, neutral: 1)
                    : reader.Int(nameof(CategoricalAttribute.Vocabulary), categorical.Vocabulary, neutral: 1);
                members.Features.Add(new FeatureSpec(name, FeatureKind.Categorical, keyword, vocabulary,
                    reader.Int(nameof(CategoricalAttribute.Dim), categorical.Dim, neutral: 1))
                {
                    IsLearned = learned,
                    MinCount = reader.Int(nameof(CategoricalAttribute.MinCount), categorical.MinCount, neutral: 1),
                    Group = reader.String(nameof(CategoricalAttribute.Group), neutral: "")!,
                    OutOfVocabulary = ReadEnum<OutOfVocabulary>(attribute, reader, nameof(CategoricalAttribute.OutOfVocabulary), name, $"{state.Model}.{name}", state) ?? categorical.OutOfVocabulary,
                    MaxLength = reader.Int(nameof(CategoricalAttribute.MaxLength), categorical.MaxLength, neutral: 1),
                    Pooling = ReadEnum<Pooling>(attribute, reader, nameof(CategoricalAttribute.Pooling), name, $"{state.Model}.{name}", state) ?? categorical.Pooling,
                    Truncation = ReadEnum<SequenceTruncation>(attribute, reader, nameof(CategoricalAttribute.Truncation), name, $"{state.Model}.{name}", state) ?? categorical.Truncation,
                    Missing = ReadEnum<MissingValue>(attribute, reader, nameof(CategoricalAttribute.Missing), name, $"{state.Model}.{name}", state) ?? categorical.Missing,
                    MissingId = reader.Int(nameof(CategoricalAttribute.MissingId), categorical.MissingId, neutral: -1),
                });
                break;
            case RoleKind.Numeric:
                members.Features.Add(new FeatureSpec(name, FeatureKind.Numeric, keyword, 0, 0,
                    reader.Int(nameof(NumericAttribute.Size), Defaults.Numeric.Size, neutral: 0))
                {
                    Transform = ReadEnum<NumericTransform>(attribute, reader, nameof(NumericAttribute.Transform), name, $"{state.Model}.{name}", state) ?? Defaults.Numeric.Transform,
                    MissingFill = reader.Double(nameof(NumericAttribute.Missing), Defaults.Numeric.Missing, neutral: double.NaN),
                });
                break;
            case RoleKind.SampleWeight:
                // An unreadable For names no task we could check; the compiler's error stands alone.
                if (reader.String(nameof(SampleWeightAttribute.For), neutral: null) is { } task)
                    members.SampleWeights.Add(new SampleWeightSpec(name, keyword, task, reader.Bool(nameof(SampleWeightAttribute.PositivesOnly))));
                break;
            case RoleKind.BinaryTask:
                members.Tasks.Add(new TaskSpec(name, TaskKind.Binary, keyword,
                    reader.Ints(nameof(BinaryTaskAttribute.Tower), neutral: ImmutableArray<int>.Empty).ToEquatableArray(),
                    reader.Double(nameof(BinaryTaskAttribute.LossWeight), Defaults.BinaryTask.LossWeight, neutral: Defaults.BinaryTask.LossWeight),
                    reader.String(nameof(BinaryTaskAttribute.Given), neutral: "")!)
                {
                    // Absent reads as empty: a label written as text needs both (an empty label is not useful text).
                    Positive = reader.String(nameof(BinaryTaskAttribute.Positive), neutral: "")!,
                    Negative = reader.String(nameof(BinaryTaskAttribute.Negative), neutral: "")!,
                    Counterfactual = ReadEnum<CounterfactualRegularizer>(attribute, reader, nameof(BinaryTaskAttribute.Counterfactual), name, $"{state.Model}.{name}", state) ?? Defaults.BinaryTask.Counterfactual,
                    CounterfactualWeight = reader.Double(nameof(BinaryTaskAttribute.CounterfactualWeight), Defaults.BinaryTask.CounterfactualWeight, neutral: Defaults.BinaryTask.CounterfactualWeight),
                    PropensityFloor = reader.Double(nameof(BinaryTaskAttribute.PropensityFloor), Defaults.BinaryTask.PropensityFloor, neutral: Defaults.BinaryTask.PropensityFloor),
                });
                break;
            case RoleKind.MulticlassTask:
                members.Tasks.Add(new TaskSpec(name, TaskKind.Multiclass, keyword,
                    reader.Ints(nameof(MulticlassTaskAttribute.Tower), neutral: ImmutableArray<int>.Empty).ToEquatableArray(),
                    reader.Double(nameof(MulticlassTaskAttribute.LossWeight), Defaults.MulticlassTask.LossWeight, neutral: Defaults.MulticlassTask.LossWeight),
                    "")
                {
                    // Unreadable, it reads as a count no rule rejects: the enum's, or 2.
                    Classes = reader.Int(nameof(MulticlassTaskAttribute.Classes), Defaults.MulticlassTask.Classes, neutral: classEnum.Members > 0 ? classEnum.Members : 2),
                    EnumType = classEnum.Type,
                    EnumMembers = classEnum.Members,
                });
                break;
            default:
                members.Tasks.Add(new TaskSpec(name, TaskKind.Regression, keyword,
                    reader.Ints(nameof(RegressionTaskAttribute.Tower), neutral: ImmutableArray<int>.Empty).ToEquatableArray(),
                    reader.Double(nameof(RegressionTaskAttribute.LossWeight), Defaults.RegressionTask.LossWeight, neutral: Defaults.RegressionTask.LossWeight),
                    ""));
                break;
        }
        state.Read(reader);
        // A missing string or sequence is null, which a member declared non-nullable (in a nullable context) cannot hold.
        if (members.Features.LastOrDefault() is { Missing: not MissingValue.Error, Type.IsNullable: false } missing && missing.Name == name
            && (missing.IsHashed || missing.IsVector) && memberType.NullableAnnotation == NullableAnnotation.NotAnnotated)
            state.Report(DiagnosticDescriptors.InvalidDataArgument, state.Locations.Get(SpecKey.TypeOf(name), SpecKey.Member(name)),
                nameof(CategoricalAttribute.Missing), "Categorical", state.Model, name, $"is {missing.Missing}, but the member is declared '{missing.Type}', which cannot hold a missing value (null)", $"declare it '{missing.Type}?'");
        var (column, index, named) = ReadColumn(member, name, state);
        members.Columns.Add(new DataColumnSpec(name, column, keyword) { Index = index, IsNamed = named });
        members.Settable &= IsSettable(member);
    }

    /// <summary>
    /// Annotated members of base classes: the generated code is built from the model class's own members,
    /// so an inherited one would be silently left out. A base model has its own spec, and MDSL013 already
    /// reports what the two models' generated members would share.
    /// </summary>
    private static void ReportInheritedMembers(ParseState state)
    {
        Location? baseList = null;
        for (var type = state.Type.BaseType; type is not null && type.SpecialType != SpecialType.System_Object; type = type.BaseType)
        {
            if (type.GetAttributes().Any(a => NameOf(a) == KnownAttributes.MultiTaskModel))
                return;
            foreach (var member in type.GetMembers().Where(m => m is IPropertySymbol or IFieldSymbol))
            {
                if (member.GetAttributes().FirstOrDefault(a => Roles.ContainsKey(NameOf(a))) is { } attribute)
                {
                    baseList ??= SpecLocations.BaseClass(state.Type, state.CancellationToken) ?? state.Locations.Model;
                    state.Report(DiagnosticDescriptors.InheritedMember, baseList, state.Model, Roles[NameOf(attribute)].Name, member.Name, type.Name);
                }
            }
        }
    }

    /// <summary>
    /// The members of a multiclass label's enum, which must number them 0 to n − 1 (n ≥ 2) so each is a class
    /// index (MDSL037); null after reporting one that does not.
    /// </summary>
    private static int? ClassEnum(INamedTypeSymbol type, string member, ParseState state)
    {
        var values = type.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue)
            // decimal holds every underlying type's values, ulong's too.
            .Select(f => System.Convert.ToDecimal(f.ConstantValue, System.Globalization.CultureInfo.InvariantCulture)).OrderBy(v => v).ToList();
        if (values.Count >= 2 && values.Select((v, i) => v == i).All(x => x))
            return values.Count;
        state.Report(DiagnosticDescriptors.InvalidClassEnum, state.Locations.Get(SpecKey.TypeOf(member), SpecKey.Member(member)),
            state.Model, member, type.Name, values.Count == 0 ? "no members" : "the values " + string.Join(", ", values.Take(10).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) + (values.Count > 10 ? ", …" : ""));
        return null;
    }

    /// <summary>
    /// The member's <c>[Column]</c>: the column's name (the member's own when unnamed), its field index in a
    /// file without a header (−1 when unset), and whether the attribute names it.
    /// </summary>
    private static (string Column, int Index, bool Named) ReadColumn(ISymbol member, string name, ParseState state)
    {
        var attribute = member.GetAttributes().FirstOrDefault(a => NameOf(a) == KnownAttributes.Column);
        if (attribute is null)
            return (name, -1, false);
        state.Locations.Add(SpecKey.Column(name), state.LocationOf(attribute));
        if (state.HasErrors(state.SyntaxOf(attribute)) || attribute.ConstructorArguments.Length > 1)
        {
            state.HasCompilerErrors = true;
            return (name, -1, false);
        }
        var reader = state.Reader(attribute);
        var index = reader.Int(nameof(ColumnAttribute.Index), -1, neutral: -1);
        state.Read(reader);
        return attribute.ConstructorArguments.Length == 0
            ? (name, index, false)
            : (attribute.ConstructorArguments[0].Value as string ?? "", index, true);
    }

    /// <summary>Whether an object initializer inside the class can set the member.</summary>
    private static bool IsSettable(ISymbol member) => member switch
    {
        IFieldSymbol field => !field.IsReadOnly,
        IPropertySymbol property => property.SetMethod is not null,
        _ => false,
    };

    /// <summary>Whether generated code can write <c>new T { … }</c> with the role members alone.</summary>
    private static bool IsConstructible(INamedTypeSymbol type, Members members) =>
        members.Settable && !type.IsAbstract
        && type.InstanceConstructors.Any(c => c.Parameters.Length == 0)
        && !type.GetMembers().Any(m => m is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true }
            && !members.Columns.Any(c => c.Member == m.Name));

    /// <summary>
    /// An enum argument, or null when it is absent or unreadable. A value outside the enum (a cast) is
    /// reported; of a <c>[Flags]</c> enum, the bits outside it are reported and dropped.
    /// </summary>
    private static TEnum? ReadEnum<TEnum>(AttributeData attribute, AttributeReader reader, string argument, string owner, string ownerName, ParseState state)
        where TEnum : struct, System.Enum =>
        reader.Enum(argument) is { } value
            ? Defined<TEnum>(value, attribute, argument, ownerName, state.Locations.Get(SpecKey.Argument(owner, argument)), state)
            : null;

    /// <summary>The one check (MDSL028) of every enum argument against the runtime's own enum, which the generator compiles.</summary>
    private static TEnum? Defined<TEnum>(int value, AttributeData attribute, string argument, string ownerName, Location location, ParseState state)
        where TEnum : struct, System.Enum
    {
        var flags = typeof(TEnum).IsDefined(typeof(System.FlagsAttribute), inherit: false);
        var defined = System.Enum.GetValues(typeof(TEnum)).Cast<int>().Aggregate(0, (all, v) => all | v);
        if (flags ? (value & ~defined) == 0 : System.Enum.IsDefined(typeof(TEnum), value))
            return (TEnum)(object)value;
        state.Report(DiagnosticDescriptors.UndefinedEnumValue, location, argument, RoleName(attribute), ownerName, value,
            (flags ? "a combination of " : "one of ") + string.Join(", ", System.Enum.GetNames(typeof(TEnum))));
        return flags ? (TEnum)(object)(value & defined) : null;
    }

    /// <summary>Why a member cannot carry a value per sample, or null.</summary>
    private static string? NotInstance(ISymbol member) => member switch
    {
        IFieldSymbol { IsConst: true } => "a constant",
        { IsStatic: true } => "static",
        IPropertySymbol { IsIndexer: true } => "an indexer",
        IPropertySymbol { ExplicitInterfaceImplementations.Length: > 0 } => "an explicit interface implementation",
        IPropertySymbol { GetMethod: null } => "write-only",
        _ => null,
    };

    private static TypeSyntax? DeclaredType(SyntaxNode? declaration) => declaration switch
    {
        BasePropertyDeclarationSyntax property => property.Type,
        VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax variables } => variables.Type,
        ParameterSyntax parameter => parameter.Type,
        _ => null,
    };

    private static string Alternatives(MemberType[] types) =>
        types.Length == 1 ? types[0].Keyword : string.Join(", ", types.Take(types.Length - 1)) + " or " + types[types.Length - 1];

    private static string NameOf(AttributeData attribute) => attribute.AttributeClass?.ToDisplayString() ?? "";

    private static string RoleName(AttributeData attribute) => KnownAttributes.ShortName(attribute.AttributeClass?.Name ?? "");
}
