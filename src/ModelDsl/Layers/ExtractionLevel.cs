using System;
using System.Collections.Generic;
using System.Linq;
using ModelDsl.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// One level of Progressive Layered Extraction (a CGC block): per task, experts of its own and a gate
/// over them and the shared experts; shared experts; and, except on the last level, a shared gate over
/// all experts that feeds the next level's shared path.
/// </summary>
public sealed class ExtractionLevel : nn.Module
{
    private readonly ModuleList<ExpertGroup> taskExperts;
    private readonly ExpertGroup sharedExperts;
    private readonly ModuleList<Gate> taskGates;
    private readonly Gate? sharedGate;

    /// <summary>Creates the level.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="inputWidth">Width of every input (task and shared paths).</param>
    /// <param name="tasks">Number of tasks.</param>
    /// <param name="sharedCount">Shared experts.</param>
    /// <param name="taskCount">Experts per task.</param>
    /// <param name="expertUnits">Units of each expert's layers.</param>
    /// <param name="gateUnits">Hidden layers of each gate.</param>
    /// <param name="last">The last level has no shared gate.</param>
    /// <param name="regularization">Activation and dropout.</param>
    public ExtractionLevel(string name, int inputWidth, int tasks, int sharedCount, int taskCount,
        IReadOnlyList<int> expertUnits, IReadOnlyList<int> gateUnits, bool last, RegularizationSettings regularization) : base(name)
    {
        taskExperts = nn.ModuleList(Enumerable.Range(0, tasks)
            .Select(t => new ExpertGroup($"task{t}", inputWidth, taskCount, expertUnits, regularization)).ToArray());
        sharedExperts = new ExpertGroup("shared", inputWidth, sharedCount, expertUnits, regularization);
        taskGates = nn.ModuleList(Enumerable.Range(0, tasks)
            .Select(t => new Gate($"gate{t}", inputWidth, taskCount + sharedCount, gateUnits, regularization)).ToArray());
        if (!last)
            sharedGate = new Gate("sharedGate", inputWidth, tasks * taskCount + sharedCount, gateUnits, regularization);
        OutputWidth = sharedExperts.OutputWidth;
        RegisterComponents();
    }

    /// <summary>The shared experts' last layer weight.</summary>
    public Tensor SharedLastWeight => sharedExperts.LastWeight;

    /// <summary>Width of every output.</summary>
    public int OutputWidth { get; }

    /// <summary>Runs the level: one input per task and the shared input give one output per task and the next shared input (null on the last level).</summary>
    public (Tensor[] Tasks, Tensor? Shared) Forward(IReadOnlyList<Tensor> tasks, Tensor shared)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var sharedOut = sharedExperts.forward(shared);
        var own = tasks.Select((input, t) => taskExperts[t].forward(input)).ToArray();
        var outputs = own.Select((experts, t) => taskGates[t].Mix(tasks[t], cat([experts, sharedOut], 1))).ToArray();
        var next = sharedGate?.Mix(shared, cat([.. own, sharedOut], 1));
        return (outputs, next);
    }

    /// <summary>Adds the level to an ONNX graph; mirrors <see cref="Forward"/>.</summary>
    public (string[] Tasks, string? Shared) Export(OnnxGraphBuilder g, IReadOnlyList<string> tasks, string shared)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(tasks);
        var name = GetName();
        var sharedOut = sharedExperts.Export(g, shared, $"{name}.shared");
        var own = tasks.Select((input, t) => taskExperts[t].Export(g, input, $"{name}.task{t}")).ToArray();
        var outputs = own.Select((experts, t) =>
            taskGates[t].ExportMix(g, tasks[t], g.Concat([experts, sharedOut], axis: 1), OutputWidth, $"{name}.gate{t}")).ToArray();
        var next = sharedGate?.ExportMix(g, shared, g.Concat([.. own, sharedOut], axis: 1), OutputWidth, $"{name}.sharedGate");
        return (outputs, next);
    }
}
