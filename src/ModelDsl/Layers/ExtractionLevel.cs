using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using ModelDsl.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// One level of Progressive Layered Extraction (a CGC block): per task, experts of its own and a gate
/// over them and the shared experts; shared experts; and, except on the last level, a shared gate over
/// all experts that feeds the next level's shared path. All gates of the level are one <see cref="GateGroup"/>
/// over the level's experts stacked as [task 0's, …, shared].
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; see docs/architecture.md
public sealed class ExtractionLevel : nn.Module<IReadOnlyList<Tensor>, Tensor, (Tensor[] Tasks, Tensor? Shared)>
{
    private readonly ModuleList<ExpertGroup> taskExperts;
    private readonly ExpertGroup sharedExperts;
    private readonly GateGroup gates;
    private readonly bool _first;
    private readonly bool _last;

    /// <summary>Creates the level.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="inputWidth">Width of every input (task and shared paths).</param>
    /// <param name="tasks">Number of tasks.</param>
    /// <param name="sharedCount">Shared experts.</param>
    /// <param name="taskCount">Experts per task.</param>
    /// <param name="expertUnits">Units of each expert's layers.</param>
    /// <param name="gateUnits">Hidden layers of each gate.</param>
    /// <param name="first">The first level reads one input on every path, so its gates share their first matmul's input.</param>
    /// <param name="last">The last level has no shared gate.</param>
    /// <param name="regularization">Activation and dropout.</param>
    public ExtractionLevel(string name, int inputWidth, int tasks, int sharedCount, int taskCount,
        IReadOnlyList<int> expertUnits, IReadOnlyList<int> gateUnits, bool first, bool last, RegularizationSettings regularization) : base(name)
    {
        taskExperts = nn.ModuleList(Enumerable.Range(0, tasks)
            .Select(t => new ExpertGroup($"task{t}", inputWidth, taskCount, expertUnits, regularization)).ToArray());
        sharedExperts = new ExpertGroup("shared", inputWidth, sharedCount, expertUnits, regularization);
        var experts = tasks * taskCount + sharedCount;
        var shared = Enumerable.Range(tasks * taskCount, sharedCount);
        var members = Enumerable.Range(0, tasks)
            .Select(t => (IReadOnlyList<int>)Enumerable.Range(t * taskCount, taskCount).Concat(shared).ToArray())
            .Concat(last ? [] : [Enumerable.Range(0, experts).ToArray()])
            .ToArray();
        gates = new GateGroup("gates", inputWidth, members, experts, gateUnits, separateInputs: !first, regularization);
        (_first, _last) = (first, last);
        OutputWidth = sharedExperts.OutputWidth;
        RegisterComponents();
    }

    /// <summary>The shared experts' last layer weight.</summary>
    public Tensor SharedLastWeight => sharedExperts.LastWeight;

    /// <summary>Width of every output.</summary>
    public int OutputWidth { get; }

    /// <summary>Each task's experts, in task order.</summary>
    internal IList<ExpertGroup> TaskExperts => taskExperts;

    /// <summary>The shared experts.</summary>
    internal ExpertGroup SharedExperts => sharedExperts;

    /// <summary>The gates: one per task, and below the last level a shared one.</summary>
    internal GateGroup Gates => gates;

    /// <summary>Runs the level: one input per task and the shared input give one output per task and the next shared input (null on the last level).</summary>
    public override (Tensor[] Tasks, Tensor? Shared) forward(IReadOnlyList<Tensor> tasks, Tensor shared)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var experts = ExpertOutput.Concat([.. tasks.Select((input, t) => taskExperts[t].forward(input)), sharedExperts.forward(shared)]);
        var mixed = gates.forward(_first ? shared : cat(GateInputs(tasks, shared).ToArray(), 1), experts);
        return (Enumerable.Range(0, tasks.Count).Select(t => mixed.select(1, t)).ToArray(), _last ? null : mixed.select(1, tasks.Count));
    }

    /// <summary>
    /// Adds the level to an ONNX graph; mirrors <see cref="forward"/>, except that the tasks' outputs come
    /// stacked: entry t of axis 1 is task t's (after them, on a level with a shared gate, the next shared input,
    /// which <c>Shared</c> also returns).
    /// </summary>
    public (string Tasks, string? Shared) Export(OnnxGraphBuilder g, IReadOnlyList<string> tasks, string shared)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(tasks);
        var name = GetName();
        var experts = g.Concat([.. tasks.Select((input, t) => taskExperts[t].Export(g, input, $"{name}.task{t}")), sharedExperts.Export(g, shared, $"{name}.shared")], axis: 1);
        var mixed = gates.Export(g, _first ? shared : g.Concat(GateInputs(tasks, shared).ToArray(), axis: 1), experts, $"{name}.gates");
        return (mixed, _last ? null : g.Select(mixed, tasks.Count));
    }

    /// <summary>What each gate reads, in gate order: the task paths, then (except on the last level) the shared path.</summary>
    private IEnumerable<T> GateInputs<T>(IReadOnlyList<T> tasks, T shared) => _last ? tasks : tasks.Append(shared);
}
