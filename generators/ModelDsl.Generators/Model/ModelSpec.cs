namespace ModelDsl.Generators.Model;

/// <summary>
/// Everything the emitters need to know about one annotated class, as plain equatable values: no
/// symbols, syntax or locations, so an unrelated edit yields an equal spec and regenerates nothing.
/// </summary>
internal sealed record ModelSpec(
    string Namespace,
    string ClassName,
    string Accessibility,
    bool IsRecord,
    EquatableArray<FeatureSpec> Features,
    EquatableArray<TaskSpec> Tasks,
    ArchitectureSpec Architecture,
    RegularizationSpec Regularization)
{
    public string FullName => Namespace.Length == 0 ? ClassName : $"{Namespace}.{ClassName}";

    /// <summary>The class's <c>Schema</c>, qualified: nested types' base classes have an instance <c>Schema</c> that would hide it.</summary>
    public string SchemaReference => $"global::{FullName}.Schema";
}

internal enum FeatureKind
{
    Categorical,
    Numeric,
}

/// <summary>A feature member. <paramref name="Type"/> is the member's C# keyword type (<c>long</c>, <c>float</c>, …).</summary>
internal sealed record FeatureSpec(string Name, FeatureKind Kind, string Type, int Vocabulary, int Dim);

internal enum TaskKind
{
    Binary,
    Regression,
}

/// <summary>A task member: its label type, tower units and static loss weight.</summary>
internal sealed record TaskSpec(string Name, TaskKind Kind, string Type, EquatableArray<int> Tower, double LossWeight);

internal enum ArchitectureKind
{
    SharedBottom,
}

/// <summary>The architecture attribute of the class.</summary>
internal sealed record ArchitectureSpec(ArchitectureKind Kind, EquatableArray<int> Units);

/// <summary><c>[Regularization]</c>, or its defaults.</summary>
internal sealed record RegularizationSpec(double EmbeddingL2, double DenseL2, double Dropout, string Activation)
{
    public static RegularizationSpec Default { get; } = new(0, 0, 0, "Relu");
}
