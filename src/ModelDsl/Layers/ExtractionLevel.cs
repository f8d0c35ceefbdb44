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
/// <para>
/// With adaptive fusion it is an AdaTT level (Li et al., KDD 2023): every gate (task unit, and the shared unit
/// below the last level) mixes all experts of the level, task-to-task, and adds a linear combination of its own
/// unit's experts, the residual: fᵤ = Σₑ softmax(Wᵤxᵤ)ₑ Eₑ + Σ_{e ∈ u} vₑ Eₑ. The weights v are learned (initialized
/// U(±1/√n), n the unit's experts), except when every unit has one expert, where they are 1 (the identity
/// residual), as in Meta's reference code. Shared experts are optional there (none is AdaTT-sp).
/// </para>
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; see docs/architecture.md
public sealed class ExtractionLevel : nn.Module<IReadOnlyList<Tensor>, Tensor, (Tensor[] Tasks, Tensor? Shared)>
{
    private readonly ModuleList<ExpertGroup> taskExperts;
    private readonly ExpertGroup? sharedExperts;
    private readonly GateGroup gates;
    // AdaTT's residual: the learned weights of each unit's own experts, or null where they are all 1; the non-persistent
    // buffer NativeMask has, per gate, ones at its own unit's experts.
    private readonly Parameter? native;
    private readonly bool _adaptive;
    private readonly bool _first;
    private readonly bool _sharedGate;

    /// <summary>Creates the level.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="inputWidth">Width of every input (task and shared paths).</param>
    /// <param name="tasks">Number of tasks.</param>
    /// <param name="sharedCount">Shared experts; 0 only with <paramref name="adaptiveFusion"/>.</param>
    /// <param name="taskCount">Experts per task.</param>
    /// <param name="expertUnits">Units of each expert's layers.</param>
    /// <param name="gateUnits">Hidden layers of each gate.</param>
    /// <param name="first">The first level reads one input on every path, so its gates share their first matmul's input.</param>
    /// <param name="last">The last level has no shared gate.</param>
    /// <param name="regularization">Activation and dropout.</param>
    /// <param name="normalizeExperts">HoME's expert normalization on every expert (see <see cref="ExpertNormalization"/>).</param>
    /// <param name="adaptiveFusion">An AdaTT level: every gate mixes all experts, plus its own unit's residual.</param>
    public ExtractionLevel(string name, int inputWidth, int tasks, int sharedCount, int taskCount,
        IReadOnlyList<int> expertUnits, IReadOnlyList<int> gateUnits, bool first, bool last, RegularizationSettings regularization,
        bool normalizeExperts = false, bool adaptiveFusion = false) : base(name)
    {
        taskExperts = nn.ModuleList(Enumerable.Range(0, tasks)
            .Select(t => new ExpertGroup($"task{t}", inputWidth, taskCount, expertUnits, regularization, normalizeExperts)).ToArray());
        if (sharedCount > 0 || !adaptiveFusion)
            sharedExperts = new ExpertGroup("shared", inputWidth, sharedCount, expertUnits, regularization, normalizeExperts);
        var experts = tasks * taskCount + sharedCount;
        _sharedGate = !last && sharedCount > 0;
        // Each unit's own experts: task t's, then (with a shared gate) the shared ones.
        var units = Enumerable.Range(0, tasks).Select(t => Enumerable.Range(t * taskCount, taskCount).ToArray())
            .Concat(_sharedGate ? [Enumerable.Range(tasks * taskCount, sharedCount).ToArray()] : []).ToArray();
        var members = adaptiveFusion
            ? units.Select(_ => (IReadOnlyList<int>)Enumerable.Range(0, experts).ToArray()).ToArray()
            : units.Select((own, u) => (IReadOnlyList<int>)(u < tasks ? own.Concat(Enumerable.Range(tasks * taskCount, sharedCount)).ToArray() : Enumerable.Range(0, experts).ToArray())).ToArray();
        gates = new GateGroup("gates", inputWidth, members, experts, gateUnits, separateInputs: !first, regularization);
        if (adaptiveFusion && (taskCount > 1 || sharedCount > 1))
        {
            using var bounds = tensor(units.SelectMany(own => Enumerable.Repeat(1 / Math.Sqrt(own.Length), own.Length)).ToArray(), ScalarType.Float32);
            native = new Parameter(empty(bounds.shape[0]).uniform_(-1, 1).mul_(bounds));
        }
        (_first, _adaptive) = (first, adaptiveFusion);
        OutputWidth = taskExperts[0].OutputWidth;
        RegisterComponents();
        if (adaptiveFusion)
            register_buffer(NativeMask, OwnExperts(units, experts), persistent: false);
    }

    private const string NativeMask = "nativeMask";

    /// <summary>Ones where gate u's unit owns expert e: [units, experts].</summary>
    private static Tensor OwnExperts(int[][] units, int experts)
    {
        var mask = new float[units.Length * experts];
        for (var u = 0; u < units.Length; u++)
            foreach (var e in units[u])
                mask[u * experts + e] = 1;
        return tensor(mask, [units.Length, experts]);
    }

    /// <summary>The last layer weight of the shared experts, or without them (AdaTT-sp) of task 0's experts, which every task's gate mixes.</summary>
    public Tensor SharedLastWeight => (sharedExperts ?? taskExperts[0]).LastWeight;

    /// <summary>Width of every output.</summary>
    public int OutputWidth { get; }

    /// <summary>Each task's experts, in task order.</summary>
    internal IList<ExpertGroup> TaskExperts => taskExperts;

    /// <summary>The shared experts; null in an AdaTT level without them.</summary>
    internal ExpertGroup? SharedExperts => sharedExperts;

    /// <summary>The gates: one per task, and below the last level (with shared experts) a shared one.</summary>
    internal GateGroup Gates => gates;

    /// <summary>Whether this is an AdaTT level.</summary>
    internal bool AdaptiveFusion => _adaptive;

    /// <summary>
    /// Runs the level: one input per task and the shared input give one output per task and the next shared input
    /// (null on the last level, and in an AdaTT level without shared experts, which ignores <paramref name="shared"/> after the first level).
    /// </summary>
    public override (Tensor[] Tasks, Tensor? Shared) forward(IReadOnlyList<Tensor> tasks, Tensor shared)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var experts = ExpertOutput.Concat([.. tasks.Select((input, t) => taskExperts[t].forward(input)), .. (sharedExperts is null ? [] : new[] { sharedExperts.forward(shared) })]);
        var gateInput = _first ? shared : cat(GateInputs(tasks, shared).ToArray(), 1);
        Tensor mixed;
        if (!_adaptive)
            mixed = gates.forward(gateInput, experts);
        else
        {
            var activated = experts.Activated();
            mixed = gates.forward(gateInput, new ExpertOutput(activated)) + matmul(NativeCombination(), activated);
        }
        return (Enumerable.Range(0, tasks.Count).Select(t => mixed.select(1, t)).ToArray(), _sharedGate ? mixed.select(1, tasks.Count) : null);
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
        var experts = g.Concat([.. tasks.Select((input, t) => taskExperts[t].Export(g, input, $"{name}.task{t}")), .. (sharedExperts is null ? [] : new[] { sharedExperts.Export(g, shared, $"{name}.shared") })], axis: 1);
        var mixed = gates.Export(g, _first ? shared : g.Concat(GateInputs(tasks, shared).ToArray(), axis: 1), experts, $"{name}.gates");
        if (_adaptive)
        {
            using var combination = NativeCombination();
            mixed = g.Node("Add", [mixed, g.Node("MatMul", [g.Weight($"{name}.nativeCombination", combination), experts])]);
        }
        return (mixed, _sharedGate ? g.Select(mixed, tasks.Count) : null);
    }

    /// <summary>What each gate reads, in gate order: the task paths, then (with a shared gate) the shared path.</summary>
    private IEnumerable<T> GateInputs<T>(IReadOnlyList<T> tasks, T shared) => _sharedGate ? tasks.Append(shared) : tasks;

    /// <summary>AdaTT's residual as a matrix [gates, experts]: each gate's weights on its own unit's experts, 0 elsewhere.</summary>
    private Tensor NativeCombination()
    {
        var mask = get_buffer(NativeMask)!;
        return native is null ? mask.alias() : mask * nn.functional.pad(native, [0, mask.shape[1] - native.shape[0]]);
    }
}
