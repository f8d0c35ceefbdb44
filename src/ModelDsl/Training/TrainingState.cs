using System.Collections.Generic;
using System.Text.Json;
using ModelDsl.IO;
using ModelDsl.Layers;
using ModelDsl.Training.Weighting;
using TorchSharp.Modules;

namespace ModelDsl.Training;

/// <summary>
/// Everything a run needs to continue as if never stopped: the epochs done and their reports, the
/// network, optimizer and loss-weighting state, and early stopping's best epoch with its weights.
/// Randomness needs no state: each epoch seeds its shuffle and dropout from the run seed and its number.
/// </summary>
internal sealed class TrainingState
{
    // Format 2 added the checksum; format 3 the learned vocabularies (written only for a spec that has them).
    private static readonly ChecksummedFile Format = new("MODELDSL-TRAINING", Version: 3, "training checkpoint") { OldestVersion = 2 };

    // Metrics are NaN when a validation set holds one class only.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public List<EpochReport> Epochs { get; init; } = [];
    public double? BestValue { get; set; }
    public int BestEpoch { get; set; }
    public int EpochsSinceBest { get; set; }
    public byte[]? BestWeights { get; set; }

    public void Save(string path, MultiTaskNetwork network, OptimizerHelper optimizer, LossWeighting weighting, LossWeightingStrategy strategy) =>
        Format.Write(path, writer =>
        {
            writer.Write(network.Schema.Fingerprint);
            if (network.Vocabularies.Any)
                network.Vocabularies.Write(writer);
            writer.Write((int)strategy);
            writer.Write(JsonSerializer.Serialize(Epochs, Json));
            writer.Write(BestValue ?? double.NaN);
            writer.Write(BestEpoch);
            writer.Write(EpochsSinceBest);
            writer.Write(BestWeights?.Length ?? -1);
            if (BestWeights is not null)
                writer.Write(BestWeights);
            network.save(writer);
            optimizer.save_state_dict(writer);
            weighting.Save(writer);
        }, network.Vocabularies.Any ? null : Checkpoint.PlainVersion);

    /// <summary>The learned vocabularies of a checkpoint, read before its samples are encoded; <see cref="Load"/> reads the rest.</summary>
    /// <exception cref="ModelFileException">The checkpoint is missing, damaged, of another spec, or holds no learned vocabularies.</exception>
    public static LearnedVocabulary[] Vocabularies(string path, MultiTaskNetwork network) =>
        Format.Read(path, (reader, version) =>
        {
            var vocabularies = ReadStart(reader, version, path, network);
            ChecksummedFile.SkipRest(reader);
            return vocabularies;
        });

    /// <summary>The fingerprint, checked, and the learned vocabularies.</summary>
    private static LearnedVocabulary[] ReadStart(System.IO.BinaryReader reader, int version, string path, MultiTaskNetwork network)
    {
        var fingerprint = reader.ReadString();
        if (fingerprint != network.Schema.Fingerprint)
            throw new ModelFileException(
                $"The training checkpoint '{path}' belongs to a model spec with fingerprint {fingerprint}, not {network.Schema.Name} ({network.Schema.Fingerprint}).");
        return Checkpoint.ReadVocabularies(reader, version, network, path, "training checkpoint");
    }

    /// <summary>
    /// Reads a checkpoint into <paramref name="network"/>, <paramref name="optimizer"/> and <paramref name="weighting"/>.
    /// If it throws, the network is as it was; the optimizer and weighting are the run's new ones, which <c>Fit</c> then disposes.
    /// </summary>
    public static TrainingState Load(string path, MultiTaskNetwork network, OptimizerHelper optimizer, LossWeighting weighting, LossWeightingStrategy strategy) =>
        Format.Read(path, (reader, version) =>
        {
            var vocabularies = ReadStart(reader, version, path, network);
            var saved = (LossWeightingStrategy)reader.ReadInt32();
            if (saved != strategy)
                throw new ModelFileException($"The training checkpoint '{path}' was trained with {saved} loss weighting; resume it with the same strategy, not {strategy}.");
            var state = new TrainingState { Epochs = JsonSerializer.Deserialize<List<EpochReport>>(reader.ReadString(), Json) ?? [] };
            var best = reader.ReadDouble();
            state.BestValue = double.IsNaN(best) ? null : best;
            state.BestEpoch = reader.ReadInt32();
            state.EpochsSinceBest = reader.ReadInt32();
            var length = reader.ReadInt32();
            state.BestWeights = length == -1 ? null : ChecksummedFile.ReadBlock(reader, length);
            // The optimizer's and weighting's state follow the network's, and are read before it (AllOrNothing).
            AllOrNothing.Load(reader, network, () =>
            {
                optimizer.load_state_dict(reader);
                weighting.Load(reader);
            });
            network.Vocabularies.Set(vocabularies);
            return state;
        });
}
