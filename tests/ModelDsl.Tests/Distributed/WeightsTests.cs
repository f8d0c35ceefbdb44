using System;
using System.IO;
using System.Linq;
using ModelDsl.Distributed;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests.Distributed;

/// <summary>
/// Weights files cross between C# and python/modeldsl/weights.py: byte for byte, with their checksum and
/// fingerprint, and damage is refused on both sides. FeatureTypesModel holds every kind of state entry
/// (float32 and float64, int64 offsets, bool Log1p flags).
/// </summary>
public sealed class WeightsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-pyweights-").FullName;
    private readonly FeatureTypesModel.Trainer _trainer = new(new TrainingOptions { Threads = 1, Seed = 5 });

    private string Bundle => Path.Combine(_folder, "bundle");

    private string Initial => Path.Combine(Bundle, TrainingBundle.WeightsFile);

    [Fact]
    public void PythonReadsAndRewritesACSharpFileByteForByteAndCleansUpAfterKilledWriters()
    {
        TrainingBundle.Write(Bundle, _trainer.Network);
        var copy = Path.Combine(_folder, "copy.weights");
        // What a writer killed mid-write (a process that no longer exists) leaves, named as AtomicFile names it.
        var stale = Path.Combine(_folder, $".copy.weights.999999999.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(stale, "partial");
        PythonRuntime.Run(Bundle, """
            import sys
            from modeldsl import load_spec, read_weights, write_weights
            spec = load_spec("spec.json")
            state = read_weights("initial.weights", spec)
            assert list(state) == spec.state_names, (list(state), spec.state_names)
            write_weights(sys.argv[1], spec, state)
            """, copy);
        Assert.Equal(File.ReadAllBytes(Initial), File.ReadAllBytes(copy));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public void CSharpLoadsAPythonFileAndRefusesItTruncatedOrTampered()
    {
        TrainingBundle.Write(Bundle, _trainer.Network);
        var written = Path.Combine(_folder, "python.weights");
        // Every float entry (parameters and statistics) becomes 2x + 0.25, exact in float32 and float64 alike.
        PythonRuntime.Run(Bundle, """
            import sys
            from modeldsl import load_spec, build_network, read_weights, write_weights
            spec = load_spec("spec.json")
            network = build_network(spec)
            network.load_state_dict(read_weights("initial.weights", spec))
            state = network.state_dict()
            for name, tensor in state.items():
                if tensor.is_floating_point():
                    tensor.mul_(2).add_(0.25)
            write_weights(sys.argv[1], spec, state)
            """, written);
        var before = _trainer.Network.state_dict().ToDictionary(e => e.Key, e => e.Value.detach().clone());

        foreach (var (name, damage) in new (string, Func<byte[], byte[]>)[]
        {
            ("truncated", bytes => bytes[..^10]),
            ("tampered", bytes => { var copy = bytes.ToArray(); copy[copy.Length / 2] ^= 0x40; return copy; }),
        })
        {
            var path = Path.Combine(_folder, $"{name}.weights");
            File.WriteAllBytes(path, damage(File.ReadAllBytes(written)));
            var error = Assert.Throws<ModelFileException>(() => _trainer.Load(path));
            Assert.Contains("is truncated or damaged: its checksum does not match its content", error.Message, StringComparison.Ordinal);
            Assert.All(before, e => Assert.True(e.Value.eq(_trainer.Network.state_dict()[e.Key]).all().item<bool>(), $"{name}: {e.Key} changed"));
        }

        _trainer.Load(written);
        var loaded = _trainer.Network.state_dict();
        Assert.Equal(before.Keys, loaded.Keys);
        foreach (var (name, value) in before)
        {
            var expected = value.is_floating_point() ? value * 2 + 0.25 : value;
            Assert.True(expected.shape.SequenceEqual(loaded[name].shape) && expected.eq(loaded[name]).all().item<bool>(), $"{name} differs after loading the Python file");
        }
    }

    [Fact]
    public void PythonRefusesDamagedForeignAndMismatchedFiles()
    {
        TrainingBundle.Write(Bundle, _trainer.Network);
        var bytes = File.ReadAllBytes(Initial);
        File.WriteAllBytes(Path.Combine(Bundle, "truncated.weights"), bytes[..^1]);
        var tampered = bytes.ToArray();
        tampered[tampered.Length / 3] ^= 1;
        File.WriteAllBytes(Path.Combine(Bundle, "tampered.weights"), tampered);
        File.WriteAllText(Path.Combine(Bundle, "text.weights"), "not weights at all");
        using (var other = new ClickWatchModel.Trainer(new TrainingOptions { Threads = 1 }))
            other.Save(Path.Combine(Bundle, "other.weights"));

        var output = PythonRuntime.Run(Bundle, """
            import torch
            from modeldsl import load_spec, read_weights, write_weights, WeightsFileError
            spec = load_spec("spec.json")
            for name in ["truncated", "tampered", "text", "other", "missing"]:
                try:
                    read_weights(name + ".weights", spec)
                    print(name, "READ")
                except WeightsFileError as e:
                    print(name, "->", e)
            state = read_weights("initial.weights", spec)
            first = spec.state_names[0]
            state[first] = torch.zeros(3, 3)
            try:
                write_weights("bad.weights", spec, state)
            except ValueError as e:
                print("shape ->", e)
            spec.raw["state"][-1]["shape"] = [99]
            try:
                read_weights("initial.weights", spec)
            except WeightsFileError as e:
                print("entry ->", e)
            """);
        Assert.DoesNotContain("READ", output, StringComparison.Ordinal);
        Assert.Contains("truncated -> The weights file 'truncated.weights' is truncated or damaged: its checksum does not match its content.", output, StringComparison.Ordinal);
        Assert.Contains("tampered -> The weights file 'tampered.weights' is truncated or damaged: its checksum does not match its content.", output, StringComparison.Ordinal);
        Assert.Contains("text -> 'text.weights' is not a ModelDsl weights file", output, StringComparison.Ordinal);
        Assert.Contains($"other -> The weights file 'other.weights' was saved from a model spec with fingerprint {ClickWatchModel.Schema.Fingerprint}", output, StringComparison.Ordinal);
        Assert.Contains("missing -> The weights file 'missing.weights' does not exist.", output, StringComparison.Ordinal);
        Assert.Contains("shape -> State entry ", output, StringComparison.Ordinal);
        Assert.Contains("entry -> The weights file 'initial.weights' is truncated or damaged: entry '", output, StringComparison.Ordinal);
        Assert.Contains("; the spec has [99] ", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Bundle, "bad.weights")));
    }

    public void Dispose()
    {
        _trainer.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
