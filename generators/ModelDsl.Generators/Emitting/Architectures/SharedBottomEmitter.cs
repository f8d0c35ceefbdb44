using System.Collections.Generic;
using System.Linq;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting.Architectures;

/// <summary>Shared-Bottom: one MLP shared by all tasks; every tower reads its output.</summary>
internal sealed class SharedBottomEmitter : IArchitectureEmitter
{
    public static readonly SharedBottomEmitter Instance = new();

    public void Fields(SourceWriter w, ModelSpec spec) =>
        w.Line("private readonly global::ModelDsl.Layers.Mlp bottom;");

    public void Construct(SourceWriter w, ModelSpec spec, ModelLayout layout) =>
        w.Line($"bottom = new(\"bottom\", inputWidth: {layout.InputWidth}, units: {SourceWriter.IntArray(spec.Architecture.Units)}, regularization);");

    public IReadOnlyList<string> Forward(SourceWriter w, ModelSpec spec)
    {
        w.Line("var shared = bottom.forward(input);");
        return spec.Tasks.Select(_ => "shared").ToList();
    }

    public (string Value, bool Stacked) Export(SourceWriter w, ModelSpec spec)
    {
        w.Line("var shared = bottom.Export(g, input);");
        return ("shared", false);
    }

    public string SharedWeight(ModelSpec spec) => "bottom.LastWeight";

    public int TowerInputWidth(ModelSpec spec, ModelLayout layout) => spec.Architecture.Units[spec.Architecture.Units.Count - 1];

    public string Describe(ModelSpec spec) => $"Shared-Bottom [{string.Join(", ", spec.Architecture.Units)}]";
}
