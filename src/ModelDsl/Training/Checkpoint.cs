using ModelDsl.IO;
using ModelDsl.Layers;

namespace ModelDsl.Training;

/// <summary>
/// Weight files: the spec fingerprint, then TorchSharp's state dictionary, in a <see cref="ChecksummedFile"/>;
/// loading a file of another spec fails with a clear message instead of a shape error, and a failed load
/// leaves the network as it was.
/// </summary>
internal static class Checkpoint
{
    // Format 2 added the checksum.
    private static readonly ChecksummedFile Format = new("MODELDSL-WEIGHTS", Version: 2, "weights file");

    public static void Save(string path, MultiTaskNetwork network) =>
        Format.Write(path, writer =>
        {
            writer.Write(network.Schema.Fingerprint);
            network.save(writer);
        });

    public static void Load(string path, MultiTaskNetwork network) =>
        Format.Read(path, reader =>
        {
            var fingerprint = reader.ReadString();
            if (fingerprint != network.Schema.Fingerprint)
                throw new ModelFileException(
                    $"The weights file '{path}' was saved from a model spec with fingerprint {fingerprint}, but {network.Schema.Name} has fingerprint {network.Schema.Fingerprint}: its features, tasks or architecture differ.");
            AllOrNothing.Load(reader, network);
            return network;
        });
}
