using System.Globalization;
using System.Linq;
using System.Text;

namespace ModelDsl.Generators.Model;

/// <summary>
/// Identifies the serving contract of a spec: features (order, kind, vocabulary, dim, sequence, group,
/// hashing, out-of-vocabulary policy, transforms), tasks (order,
/// kind, tower, Given, odds output, classes), architecture and PEPNet's gates. Training-only settings (loss weights, L2, dropout) are left out, so
/// retuning them keeps old model files servable; anything that changes the graph changes the hash.
/// </summary>
internal static class Fingerprint
{
    public static string Of(ModelSpec spec)
    {
        var text = new StringBuilder()
            .Append(spec.FullName).Append('|')
            .Append(spec.Architecture.Kind).Append(Units(spec.Architecture.Units))
            .Append(':').Append(spec.Architecture.Experts).Append(Units(spec.Architecture.ExpertUnits)).Append(Units(spec.Architecture.GateUnits))
            .Append(':').Append(spec.Architecture.SharedGate).Append(':').Append(spec.Architecture.Levels)
            .Append(':').Append(spec.Architecture.SharedExperts).Append(':').Append(spec.Architecture.TaskExperts)
            .Append(spec.Architecture.ExpertNormalization ? ":normalized" : "").Append('|')
            .Append(spec.Regularization.Activation);
        foreach (var f in spec.Features)
            text.Append("|f:").Append(f.Name).Append(':').Append(f.Kind).Append(':').Append(f.Vocabulary).Append(':').Append(f.Dim)
                .Append(f.IsSequence ? $":{f.Type}:{f.MaxLength}:{f.Pooling}:{f.Truncation}" : f.IsVector ? $":{f.Size}" : "")
                .Append(f.IsHashed && !f.IsVector ? ":hashed" : "")
                .Append(f.Group.Length > 0 ? $":group={f.Group}" : "")
                .Append(f.OutOfVocabulary != OutOfVocabulary.Error ? $":oov={f.OutOfVocabulary}" : "")
                .Append(f.Transform != NumericTransform.None ? $":transform={(int)f.Transform}" : "")
                .Append(f.Missing != MissingValue.Error ? $":missing={f.Missing}" : "")
                .Append(f.IsLearned ? $":learned={f.Type}" : "")
                .Append(f.Type.IsNullable && f.Kind == FeatureKind.Numeric ? $":fill={f.MissingFill.ToString("R", CultureInfo.InvariantCulture)}" : "")
                .Append(f.MissingId >= 0 ? $":missingid={f.MissingId}" : "");
        foreach (var t in spec.Tasks)
            text.Append("|t:").Append(t.Name).Append(':').Append(t.Kind).Append(Units(t.Tower)).Append(':').Append(t.Given)
                .Append(':').Append(spec.WeightOf(t)?.PositivesOnly == true ? "odds" : "")
                .Append(t.Kind == TaskKind.Multiclass ? $":classes={t.ClassCount}" : "");
        // Absent gates add nothing, so models without them keep their fingerprints.
        foreach (var (key, gate) in new[] { ("ep", spec.EmbeddingPersonalization), ("pp", spec.ParameterPersonalization) })
            if (gate is not null)
                text.Append('|').Append(key).Append(':').Append(string.Join(",", gate.Priors)).Append(':').Append(gate.GateUnits.ToString(CultureInfo.InvariantCulture));
        return StableHash.Of(text.ToString()).ToString("x16", CultureInfo.InvariantCulture);
    }

    private static string Units(EquatableArray<int> units) => "[" + string.Join(",", units.Select(u => u.ToString(CultureInfo.InvariantCulture))) + "]";
}
