using ModelDsl.IO;
using ModelDsl.Layers;

namespace ModelDsl.Training;

/// <summary>
/// Weight files: the spec fingerprint, the learned vocabularies (format 3, only for a spec that has them: other files
/// stay format 2), then TorchSharp's state dictionary, in a <see cref="ChecksummedFile"/>; loading a file of another
/// spec fails with a clear message instead of a shape error, and a failed load leaves the network as it was.
/// </summary>
internal static class Checkpoint
{
    // Format 2 added the checksum; format 3 the learned vocabularies.
    private static readonly ChecksummedFile Format = new("MODELDSL-WEIGHTS", Version: 3, "weights file") { OldestVersion = 2 };

    /// <summary>The format of files without learned vocabularies.</summary>
    internal const int PlainVersion = 2;

    /// <exception cref="System.InvalidOperationException">The spec has learned vocabularies that are not learned yet.</exception>
    public static void Save(string path, MultiTaskNetwork network)
    {
        var vocabularies = network.Vocabularies;
        Format.Write(path, writer =>
        {
            writer.Write(network.Schema.Fingerprint);
            if (vocabularies.Any)
                vocabularies.Write(writer);
            network.save(writer);
        }, vocabularies.Any ? null : PlainVersion);
    }

    public static void Load(string path, MultiTaskNetwork network) =>
        Format.Read(path, (reader, version) =>
        {
            var fingerprint = reader.ReadString();
            if (fingerprint != network.Schema.Fingerprint)
                throw new ModelFileException(
                    $"The weights file '{path}' was saved from a model spec with fingerprint {fingerprint}, but {network.Schema.Name} has fingerprint {network.Schema.Fingerprint}: its features, tasks or architecture differ.");
            var vocabularies = ReadVocabularies(reader, version, network, path, "weights file");
            AllOrNothing.Load(reader, network);
            network.Vocabularies.Set(vocabularies);
            return network;
        });

    /// <summary>The learned vocabularies a file of <paramref name="version"/> holds at the reader's position: none before format 3.</summary>
    /// <exception cref="ModelFileException">The spec has learned vocabularies and the file is of format 2, which cannot hold them.</exception>
    internal static LearnedVocabulary[] ReadVocabularies(System.IO.BinaryReader reader, int version, MultiTaskNetwork network, string path, string noun) =>
        version > PlainVersion ? network.Vocabularies.Read(reader)
        : network.Vocabularies.Any ? throw new ModelFileException($"The {noun} '{path}' has format {version}, which holds no learned vocabularies, but {network.Schema.Name} learns some; save it again with this ModelDsl.")
        : [];
}
