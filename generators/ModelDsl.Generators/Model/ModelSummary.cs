using System.Collections.Generic;
using System.Linq;
using ModelDsl.Generators.Emitting;
using ModelDsl.Generators.Emitting.Architectures;

namespace ModelDsl.Generators.Model;

/// <summary>
/// What a spec's network costs, derived from its <see cref="ModelLayout"/> and architecture as the runtime's
/// layers allocate them: parameters and state_dict buffers per component (named by the network's fields, as
/// <c>NetworkEmitter</c> and the architecture emitters write them), multiply-accumulates (MACs) per sample,
/// and float32 memory. The one home of this arithmetic: the generated summary and the size diagnostics both
/// read it, and tests hold it equal to the TorchSharp network's own parameter count.
/// </summary>
/// <remarks>
/// MACs count the matrix products as computed: a dense layer's in·out (biases, activations, softmax,
/// dropout and elementwise transforms not counted), a gate layer's whole matrix even where a block-diagonal
/// mask zeroes part of it, and each gate's mix of its level's experts as gates·experts·units. Embeddings are
/// row lookups, not MACs. Training is forward plus backward, where a product's backward is two products of
/// its size (the gradients of its input and of its weight), so 3× forward, less the input gradient of the
/// products that read the network input when no embedding needs it (a model without categorical features).
/// </remarks>
internal sealed class ModelSummary
{
    /// <summary>Bytes of a float32 value.</summary>
    public const long FloatBytes = sizeof(float);

    /// <summary>Adam's state per parameter: its two moments (lazy Adam keeps them for whole embedding tables too).</summary>
    public const int AdamMoments = 2;

    public ModelSummary(ModelSpec spec, ModelLayout layout)
    {
        var parts = new List<SummaryPart>();
        var tables = new List<EmbeddingTable>();
        foreach (var group in layout.Groups)
        {
            var rows = ModelLayout.Segments(group).Sum(f => (long)f.Rows);
            var columns = group.Sum(f => f.Width);
            var table = new EmbeddingTable(group[0].Dim, rows, group.Select(f => f.Name).ToList());
            tables.Add(table);
            Lookups += columns;
            // The offsets buffer holds one int64 per input column of the group.
            parts.Add(new SummaryPart(ModelLayout.GroupField(group), $"embeddings, dim {table.Dim}: {string.Join(", ", table.Features)} ({rows:N0} rows; {columns} id column(s), one lookup each)",
                table.Parameters, Buffers: columns, Macs: 0, InputMacs: 0));
        }
        if (NetworkEmitter.HasTransforms(layout))
            // log1p flags, mean and scale per column, and the row count the statistics were taken from.
            parts.Add(new SummaryPart(NetworkEmitter.TransformsField, "numeric transforms (statistics as buffers)", 0, Buffers: 3L * layout.NumericWidth + 1, 0, 0));
        if (spec.EmbeddingPersonalization is { } ep)
        {
            var gate = Gate(Personalization.PriorColumns(layout, ep).Count + layout.InputWidth, Personalization.EmbeddingGateUnits(ep, layout), layout.InputWidth);
            parts.Add(gate with { Field = Personalization.EmbeddingField, Name = $"EPNet gate over {string.Join(", ", ep.Priors)}, scaling the {layout.InputWidth} input values" });
            // The architecture reads the input times the gate, which needs its gradient even without embeddings.
            parts.AddRange(Architecture(spec, layout).Select(p => p with { InputMacs = 0 }));
        }
        else
            parts.AddRange(Architecture(spec, layout));
        if (spec.ParameterPersonalization is { } pp)
        {
            var read = Personalization.PriorColumns(layout, pp).Count + layout.InputWidth;
            var widths = Personalization.TowerGateWidths(spec);
            var gates = Personalization.TowerGateUnits(spec, pp).Select((units, l) => Gate(read, units, widths[l])).ToList();
            parts.Add(new SummaryPart(Personalization.TowerField, $"PPNet gates over {string.Join(", ", pp.Priors)}, scaling tower units{Units(widths.ToEquatableArray())}",
                gates.Sum(g => g.Parameters), 0, gates.Sum(g => g.Macs), gates.Sum(g => g.InputMacs)));
        }
        var towerInput = TowerInputWidth(spec);
        foreach (var task in spec.Tasks)
            parts.Add(Tower(towerInput, task.Tower, task.Width) with { Field = NetworkEmitter.TowerField(task), Name = $"tower {task.Name}{Units(task.Tower)} → {task.Width}" });
        foreach (var task in NetworkEmitter.Imputed(spec))
            parts.Add(Tower(towerInput, task.Tower) with
            {
                Field = NetworkEmitter.ImputationField(task), Name = $"imputation tower of {task.Name}{Units(task.Tower)} → 1 (ESCM²-DR, training only)", TrainingOnly = true,
            });
        Parts = parts;
        Tables = tables;
        HasEmbeddings = layout.Groups.Count > 0;
        Inputs = OnnxInputs(layout);
    }

    /// <summary>The network's components in module order, each under its field (the state_dict key prefix).</summary>
    public IReadOnlyList<SummaryPart> Parts { get; }

    /// <summary>One table per embedding width.</summary>
    public IReadOnlyList<EmbeddingTable> Tables { get; }

    /// <summary>The ONNX inputs: name, element type, columns (shape [batch, columns]).</summary>
    public IReadOnlyList<(string Name, string Type, int Columns)> Inputs { get; }

    /// <summary>Embedding rows looked up per sample (a sequence counts its MaxLength).</summary>
    public long Lookups { get; }

    public long Parameters => Parts.Sum(p => p.Parameters);

    /// <summary>Values of the persistent buffers (saved with the weights, not trained).</summary>
    public long Buffers => Parts.Sum(p => p.Buffers);

    /// <summary>MACs of the served graph: training-only heads are not exported.</summary>
    public long ServingMacs => Parts.Where(p => !p.TrainingOnly).Sum(p => p.Macs);

    public long TrainingMacs => 3 * Parts.Sum(p => p.Macs) - (HasEmbeddings ? 0 : Parts.Sum(p => p.InputMacs));

    public long WeightBytes => Parameters * FloatBytes;

    public long AdamBytes => AdamMoments * WeightBytes;

    private bool HasEmbeddings { get; }

    private static List<(string, string, int)> OnnxInputs(ModelLayout layout)
    {
        var inputs = new List<(string, string, int)>();
        // Learned strings have an input of their own.
        var strings = layout.Categorical.Count(f => f.IsLearned && f.Type.IsString);
        if (layout.CategoricalWidth > strings)
            inputs.Add((ModelDsl.Onnx.OnnxMetadata.CategoricalInput, "int64", layout.CategoricalWidth - strings));
        if (strings > 0)
            inputs.Add((ModelDsl.Onnx.OnnxMetadata.StringInput, "string", strings));
        if (layout.NumericWidth > 0)
            inputs.Add((ModelDsl.Onnx.OnnxMetadata.NumericInput, "float", layout.NumericWidth));
        return inputs;
    }

    private static IEnumerable<SummaryPart> Architecture(ModelSpec spec, ModelLayout layout)
    {
        var a = spec.Architecture;
        long input = layout.InputWidth;
        switch (a.Kind)
        {
            case ArchitectureKind.SharedBottom:
                var bottom = Dense(input, a.Units, reads: true);
                yield return new SummaryPart("bottom", $"shared bottom{Units(a.Units)}", bottom.Parameters, 0, bottom.Macs, bottom.InputMacs);
                break;
            case ArchitectureKind.MixtureOfExperts:
                var experts = Experts(input, a.Experts, a.ExpertUnits, reads: true, a.ExpertNormalization);
                yield return experts with { Field = "experts", Name = $"{a.Experts} experts{Units(a.ExpertUnits)}{ProgressiveLayeredExtractionEmitter.Normalized(spec)}" };
                var gateCount = a.SharedGate ? 1 : spec.Tasks.Count;
                var gates = Gates(input, Enumerable.Repeat(Enumerable.Range(0, a.Experts).ToList(), gateCount).ToList(), a.Experts, Last(a.ExpertUnits), a.GateUnits, separateInputs: false);
                yield return gates with { Field = "gates", Name = $"{gateCount} gate(s){Units(a.GateUnits)} → {a.Experts} experts, and the mix" };
                break;
            default:
                var tasks = spec.Tasks.Count;
                var levelExperts = tasks * a.TaskExperts + a.SharedExperts;
                var fusion = a.Kind == ArchitectureKind.AdaptiveTaskToTaskFusion;
                for (var level = 0; level < a.Levels; level++)
                {
                    var first = level == 0;
                    var width = first ? input : Last(a.ExpertUnits);
                    var taskExperts = Experts(width, a.TaskExperts, a.ExpertUnits, reads: first, a.ExpertNormalization);
                    var sharedExperts = Experts(width, a.SharedExperts, a.ExpertUnits, reads: first, a.ExpertNormalization);
                    var shared = Enumerable.Range(tasks * a.TaskExperts, a.SharedExperts);
                    // A shared gate below the last level; AdaTT's gates mix every expert, PLE's task gates their own and the shared.
                    var sharedGate = level < a.Levels - 1 && a.SharedExperts > 0;
                    var members = Enumerable.Range(0, tasks)
                        .Select(t => fusion ? Enumerable.Range(0, levelExperts).ToList() : Enumerable.Range(t * a.TaskExperts, a.TaskExperts).Concat(shared).ToList())
                        .Concat(sharedGate ? [Enumerable.Range(0, levelExperts).ToList()] : []).ToList();
                    var levelGates = Gates(width, members, levelExperts, Last(a.ExpertUnits), a.GateUnits, separateInputs: !first);
                    var residual = fusion ? Residual(tasks, a.TaskExperts, a.SharedExperts, sharedGate, members.Count, Last(a.ExpertUnits)) : Nothing;
                    yield return new SummaryPart($"level_{level}",
                        $"{(fusion ? "fusion" : "extraction")} level {level}: {tasks}×{a.TaskExperts} task and {a.SharedExperts} shared experts{Units(a.ExpertUnits)}{ProgressiveLayeredExtractionEmitter.Normalized(spec)}, {members.Count} gates and the mix{(fusion ? ", and each gate's own experts' residual" : "")}",
                        tasks * taskExperts.Parameters + sharedExperts.Parameters + levelGates.Parameters + residual.Parameters,
                        tasks * taskExperts.Buffers + sharedExperts.Buffers + levelGates.Buffers,
                        tasks * taskExperts.Macs + sharedExperts.Macs + levelGates.Macs + residual.Macs, tasks * taskExperts.InputMacs + sharedExperts.InputMacs + levelGates.InputMacs);
                }
                break;
        }
    }

    /// <summary>Layer units as the attribute lists them, or nothing for no layers.</summary>
    private static string Units(EquatableArray<int> units) => units.Count == 0 ? "" : $" [{string.Join(", ", units)}]";

    private static int TowerInputWidth(ModelSpec spec) =>
        spec.Architecture.Kind == ArchitectureKind.SharedBottom ? Last(spec.Architecture.Units) : Last(spec.Architecture.ExpertUnits);

    private static int Last(EquatableArray<int> units) => units[units.Count - 1];

    /// <summary><c>Mlp</c>: one <c>Linear</c> per layer.</summary>
    private static SummaryPart Dense(long input, EquatableArray<int> units, bool reads)
    {
        var (parameters, macs, inputMacs) = (0L, 0L, 0L);
        foreach (var output in units)
        {
            parameters += input * output + output;
            if (reads && macs == 0)
                inputMacs = input * output;
            macs += input * output;
            input = output;
        }
        return new SummaryPart("", "", parameters, 0, macs, inputMacs);
    }

    /// <summary>
    /// <c>PriorGate</c>: a hidden <c>Linear</c> over the priors and the input, then one into the scales. Its input
    /// is the network input's (the priors with their gradient, the rest without), so it reads the network input.
    /// </summary>
    private static SummaryPart Gate(long input, int units, long output) =>
        new("", "", input * units + units + (long)units * output + output, 0, input * units + units * output, input * units);

    /// <summary><c>Tower</c>: its hidden layers, then one output unit.</summary>
    private static SummaryPart Tower(int input, EquatableArray<int> units, int outputs = 1)
    {
        var hidden = Dense(input, units, reads: false);
        var last = units.Count == 0 ? input : units[units.Count - 1];
        return new SummaryPart("", "", hidden.Parameters + (last + 1) * outputs, 0, hidden.Macs + last * outputs, 0);
    }

    /// <c>ExpertGroup</c>: the first layer of all experts as one <c>Linear</c>, later layers per expert; HoME's normalization
    /// adds a scale and a shift (parameters) and a running mean and variance (buffers) per unit of the last layer, whose
    /// bias it replaces.
    /// </summary>
    private static SummaryPart Experts(long input, int experts, EquatableArray<int> units, bool reads, bool normalized)
    {
        var firstMacs = input * experts * units[0];
        var (parameters, macs) = (firstMacs + (long)experts * units[0], firstMacs);
        for (var layer = 1; layer < units.Count; layer++)
        {
            parameters += (long)experts * units[layer - 1] * units[layer] + (long)experts * units[layer];
            macs += (long)experts * units[layer - 1] * units[layer];
        }
        // The normalization's scale and shift replace the last layer's bias; its running mean and variance are buffers.
        var lastUnits = normalized ? (long)experts * Last(units) : 0;
        return new SummaryPart("", "", parameters - lastUnits + 2 * lastUnits, 2 * lastUnits, macs, reads ? firstMacs : 0);
    }

    /// <summary>
    /// AdaTT's residual: each gate's linear combination of its own unit's experts, computed as one [gates, experts] matrix
    /// times the experts; its weights are learned (one per owned expert) unless every unit has one expert.
    /// </summary>
    private static SummaryPart Residual(int tasks, int taskExperts, int sharedExperts, bool sharedGate, int gates, int units)
    {
        var learned = taskExperts > 1 || sharedExperts > 1;
        var owned = (long)tasks * taskExperts + (sharedGate ? sharedExperts : 0);
        return new SummaryPart("", "", learned ? owned : 0, 0, (long)gates * (tasks * taskExperts + sharedExperts) * units, 0);
    }

    private static readonly SummaryPart Nothing = new("", "", 0, 0, 0, 0);

    /// <summary>
    /// <c>GateGroup</c>: per layer one <c>Linear</c> over all gates (read whole; block-diagonal after the first layer,
    /// or from the start with separate inputs), the last layer scoring each gate's members; then the mix.
    /// </summary>
    private static SummaryPart Gates(long input, List<List<int>> members, int experts, int expertWidth, EquatableArray<int> units, bool separateInputs)
    {
        long gates = members.Count;
        var width = separateInputs ? gates * input : input;
        var (parameters, macs, inputMacs) = (0L, 0L, 0L);
        foreach (var output in units.Select(u => gates * u).Append(members.Sum(m => (long)m.Count)))
        {
            parameters += width * output + output;
            if (!separateInputs && macs == 0)
                inputMacs = width * output;
            macs += width * output;
            width = output;
        }
        // Gates over subsets of the experts keep where each score goes (int64) and the −∞ fill (float) as buffers.
        var ordered = members.All(m => m.SequenceEqual(Enumerable.Range(0, experts)));
        return new SummaryPart("", "", parameters, ordered ? 0 : 2 * gates * experts, macs + gates * experts * expertWidth, inputMacs);
    }
}

/// <summary>
/// One component: its <paramref name="Field"/> in the network (the prefix of its state_dict keys), a few words,
/// and its parameters, persistent buffer values, MACs per sample, and the MACs of its products that read the network input.
/// </summary>
internal sealed record SummaryPart(string Field, string Name, long Parameters, long Buffers, long Macs, long InputMacs)
{
    /// <summary>A head trained but never served or exported (ESCM²-DR's imputation tower): its MACs count in training only.</summary>
    public bool TrainingOnly { get; init; }
}

/// <summary>The embedding table of one width: every segment's rows.</summary>
internal sealed record EmbeddingTable(int Dim, long Rows, IReadOnlyList<string> Features)
{
    public long Parameters => Rows * Dim;

    public long Bytes => Parameters * ModelSummary.FloatBytes;
}
