using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using ModelDsl.Distributed;
using ModelDsl.Layers;
using ModelDsl.Testing;
using Xunit;
using Xunit.Sdk;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>
/// Runs the bundle's Python runtime (python/modeldsl) in a child <c>python3</c> with PyTorch, and checks its
/// forward against TorchSharp's for many networks in one process (importing torch takes seconds).
/// Without PyTorch the tests fail, saying how to get it: they are the proof that the two runtimes agree.
/// </summary>
internal static class PythonRuntime
{
    /// <summary>Debian's interpreter, where python3-torch installs; MODELDSL_PYTHON overrides it.</summary>
    public static string Interpreter { get; } = Environment.GetEnvironmentVariable("MODELDSL_PYTHON") is { Length: > 0 } python
        ? python
        : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    private static readonly Lazy<string?> Problem = new(() => TorchProblem(Interpreter));

    /// <summary>Fails the test unless the interpreter imports torch and numpy.</summary>
    public static void RequireTorch()
    {
        if (Problem.Value is { } problem)
            Assert.Fail(MissingTorch(Interpreter, problem));
    }

    /// <summary>Why <paramref name="interpreter"/> cannot import torch and numpy, or null when it can.</summary>
    internal static string? TorchProblem(string interpreter)
    {
        try
        {
            var (exitCode, output) = Execute(interpreter, Path.GetTempPath(), ["-c", "import torch, numpy"], null, TimeSpan.FromMinutes(2));
            return exitCode == 0 ? null : output;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return e.Message;
        }
    }

    /// <summary>The failure of a test that needs PyTorch where there is none: what to run, not a silent skip.</summary>
    internal static string MissingTorch(string interpreter, string problem) =>
        $"The distributed-training tests need PyTorch and numpy for {interpreter} (Debian: python3-torch). " +
        $"Run the README's test command, which installs them, or set MODELDSL_PYTHON to a python3 that has them.\n{problem}";

    /// <summary>Runs a Python script with the bundle's package importable and returns its output; fails the test unless it exits with 0.</summary>
    public static string Run(string bundle, string script, params string[] arguments)
    {
        var (exitCode, output) = RunUnchecked(bundle, script, arguments);
        Assert.True(exitCode == 0, $"{Interpreter} exited with {exitCode}:\n{output}");
        return output;
    }

    /// <summary>Runs a Python script with the bundle's package importable; returns its exit code and output.</summary>
    public static (int ExitCode, string Output) RunUnchecked(string bundle, string script, params string[] arguments)
    {
        RequireTorch();
        return Execute(Interpreter, bundle, ["-c", script, .. arguments], bundle, TimeSpan.FromMinutes(10));
    }

    /// <summary>
    /// Writes a bundle per network (its current weights as saved by C#), runs PyTorch's forward on them in one
    /// process, and checks every served output against TorchSharp's <see cref="MultiTaskNetwork.Predict"/>, the training-only
    /// ESCM²-DR imputation columns of <c>forward</c> (<see cref="ModelSchema.ImputedTasks"/>) against TorchSharp's in evaluation mode, and the
    /// L2 penalty against <see cref="MultiTaskNetwork.Penalty"/>, within <see cref="Parity.Tolerance"/>; and that both take
    /// the same parameter for <see cref="MultiTaskNetwork.SharedWeight"/>. Standardize statistics are fitted first, and normalized experts' statistics drawn at random, so neither is the identity.
    /// </summary>
    public static void CheckForward(IReadOnlyList<MultiTaskNetwork> networks, string folder, int rows = 64)
    {
        var expected = new float[networks.Count][];
        var shared = new float[networks.Count][];
        var bundles = new string[networks.Count];
        for (var i = 0; i < networks.Count; i++)
        {
            var network = networks[i];
            var schema = network.Schema;
            bundles[i] = Path.Combine(folder, $"bundle{i}");
            foreach (var transforms in network.modules().OfType<NumericTransforms>())
                transforms.Fit([Enumerable.Range(0, 50 * schema.NumericCount).Select(v => (float)(v % 7 * 0.3 + v % 3)).ToArray()]);
            // Nor are the normalized experts' scale, shift and running statistics (a variance stays positive).
            using (no_grad())
                foreach (var (name, value) in network.modules().OfType<ExpertNormalization>().SelectMany(n => n.state_dict()))
                    value.uniform_(name == "runningVariance" ? 0.25 : -1, 2);
            TrainingBundle.Write(bundles[i], network);
            var (categorical, numeric) = Parity.RandomInputs(schema, rows, seed: i);
            File.WriteAllBytes(Path.Combine(bundles[i], "categorical.bin"), MemoryMarshal.AsBytes(categorical.AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(bundles[i], "numeric.bin"), MemoryMarshal.AsBytes(numeric.AsSpan()).ToArray());
            using var categoricalTensor = tensor(categorical, [rows, schema.CategoricalCount]);
            using var numericTensor = tensor(numeric, [rows, schema.NumericCount]);
            using var served = network.Predict(categoricalTensor, numericTensor);
            using (no_grad())
            using (var penalty = network.Penalty(categoricalTensor))
                expected[i] = [.. served.data<float>().ToArray(), .. Imputed(network, categoricalTensor, numericTensor), penalty.item<float>()];
            shared[i] = network.SharedWeight.detach().contiguous().data<float>().ToArray();
        }
        Run(bundles[0], ForwardScript, [rows.ToString(CultureInfo.InvariantCulture), .. bundles]);
        for (var i = 0; i < networks.Count; i++)
        {
            var schema = networks[i].Schema;
            // GradNorm measures gradient norms at the shared weight: the same parameter on both sides.
            Assert.True(shared[i].SequenceEqual(MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(bundles[i], "shared.bin"))).ToArray()),
                $"{schema.Name}: PyTorch's shared_weight is not TorchSharp's SharedWeight");
            var actual = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(bundles[i], "served.bin"))).ToArray();
            Assert.True(actual.Length == expected[i].Length, $"{schema.Name}: PyTorch gave {actual.Length} values, TorchSharp {expected[i].Length}");
            var servedValues = rows * schema.ServedColumns;
            for (var v = 0; v < actual.Length; v++)
            {
                var want = expected[i][v];
                var penalty = v == actual.Length - 1;
                var what = penalty ? "the L2 penalty"
                    : v >= servedValues ? $"imputation of {schema.Tasks[schema.ImputedTasks[(v - servedValues) % schema.ImputedTasks.Count]].Name} row {(v - servedValues) / schema.ImputedTasks.Count}"
                    : $"{schema.Outputs[v % schema.Outputs.Count].Name} row {v / schema.Outputs.Count}";
                // The penalty is small (λ · Σw²): relative, or the test could not tell a wrong one.
                if (!(Math.Abs(actual[v] - want) <= Parity.Tolerance * (penalty ? Math.Abs(want) : Math.Max(1, Math.Abs(want)))))
                    throw new XunitException($"{schema.Name} (bundle {bundles[i]}) {what}: PyTorch {actual[v]} vs TorchSharp {want}");
            }
        }
    }

    /// <summary>The imputation columns of <c>forward</c> in evaluation mode, row-major; empty without ESCM²-DR tasks.</summary>
    private static float[] Imputed(MultiTaskNetwork network, Tensor categorical, Tensor numeric)
    {
        var schema = network.Schema;
        if (schema.ImputedTasks.Count == 0)
            return [];
        network.eval();
        try
        {
            using var _ = no_grad();
            using var imputed = network.forward(categorical, numeric).narrow(1, schema.LogitColumns, schema.ImputedTasks.Count).contiguous();
            return imputed.data<float>().ToArray();
        }
        finally
        {
            network.train();
        }
    }

    // Loads each bundle's weights into the PyTorch network and writes its served outputs (float32, row-major), its imputation
    // columns in evaluation mode, then its L2 penalty; and its shared weight.
    private const string ForwardScript = """
        import os, sys
        import numpy as np
        import torch
        from modeldsl import load_spec, build_network, read_weights
        from modeldsl.network import width_of
        rows = int(sys.argv[1])
        for bundle in sys.argv[2:]:
            spec = load_spec(os.path.join(bundle, "spec.json"))
            network = build_network(spec)
            network.load_state_dict(read_weights(os.path.join(bundle, "initial.weights"), spec))
            categorical = torch.from_numpy(np.fromfile(os.path.join(bundle, "categorical.bin"), dtype="<i8").reshape(rows, spec.categorical_columns))
            numeric = torch.from_numpy(np.fromfile(os.path.join(bundle, "numeric.bin"), dtype="<f4").reshape(rows, spec.numeric_columns))
            served = network.predict(categorical, numeric).reshape(-1)
            network.eval()
            with torch.no_grad():
                imputed = network(categorical, numeric)[:, sum(map(width_of, spec.tasks)):].reshape(-1)
                penalty = network.penalty(categorical).reshape(1)
            torch.cat([served, imputed, penalty]).numpy().astype("<f4").tofile(os.path.join(bundle, "served.bin"))
            network.shared_weight.detach().numpy().astype("<f4").tofile(os.path.join(bundle, "shared.bin"))
        """;

    private static (int ExitCode, string Output) Execute(string interpreter, string directory, string[] arguments, string? packagePath, TimeSpan timeout)
    {
        using var child = Start(interpreter, directory, arguments, packagePath);
        return (child.WaitForExit(timeout), child.Output);
    }

    /// <summary>Starts <paramref name="interpreter"/> in <paramref name="directory"/>, with the package under <paramref name="packagePath"/> importable.</summary>
    internal static ChildProcess Start(string interpreter, string directory, string[] arguments, string? packagePath)
    {
        // Small networks; other test assemblies run alongside.
        var environment = new Dictionary<string, string> { ["PYTHONDONTWRITEBYTECODE"] = "1", ["OMP_NUM_THREADS"] = "1" };
        if (packagePath is not null)
            environment["PYTHONPATH"] = packagePath;
        return ChildProcess.Start(directory, interpreter, arguments, environment);
    }
}
