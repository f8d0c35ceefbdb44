using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>
/// Thread defaults that do not collapse on a busy host (issue 19): a small model trains on one thread, a user's
/// choice wins, the caller's count comes back after Fit, and LibTorch's OpenMP threads wait passively. Correctness
/// only: how fast each choice is belongs in docs/benchmarks.md.
/// </summary>
public class TrainingThreadsTests
{
    private static readonly List<ClickWatchModel> Train = new SyntheticData(seed: 7).Samples(600, seed: 1);

    /// <summary>LibTorch's own default on Linux: one thread per CPU of the affinity mask.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static int LibTorchDefault => BitOperations.PopCount((ulong)Process.GetCurrentProcess().ProcessorAffinity);

    [Fact]
    public void TheCountFollowsTheWorkOfAStep()
    {
        Assert.Equal(1, TrainingThreads.Choose(1_392L * 256, processors: 16));   // the test model: 0.36 M multiply-adds
        Assert.Equal(1, TrainingThreads.Choose(107_648L * 512, processors: 16)); // the reference MMoE of docs/benchmarks.md: 55 M
        Assert.Equal(2, TrainingThreads.Choose(107_648L * 8192, processors: 2));  // the same at batch 8,192: 882 M
        Assert.Equal(1, TrainingThreads.Choose(107_648L * 8192, processors: 1));
        Assert.Equal(3, TrainingThreads.Choose(107_648L * 8192, processors: 16));
        Assert.Equal(16, TrainingThreads.Choose(long.MaxValue / 2, processors: 16));
    }

    [Fact]
    public void ASmallModelTrainsOnOneThreadAndTheCallersCountComesBack()
    {
        if (!OperatingSystem.IsLinux())
            return;   // LibTorch's default is read from the affinity mask on Linux
        set_num_threads(LibTorchDefault);
        using var trainer = new ClickWatchModel.Trainer(new TrainingOptions { Epochs = 1 });
        Assert.Equal(1_392L * 256, TrainingThreads.MultiplyAddsPerStep(trainer.Network, 256));
        var during = new HashSet<int>();
        trainer.Fit(Train, progress: new Progress(_ => during.Add(get_num_threads())));
        Assert.Equal([1], during);
        Assert.Equal(LibTorchDefault, get_num_threads());
    }

    [Fact]
    public void TheApplicationsChoiceWins()
    {
        // A step big enough for two threads by the default's rule.
        var options = new TrainingOptions { Epochs = 1, BatchSize = 32_768 };
        var during = new HashSet<int>();
        var previous = get_num_threads();
        try
        {
            set_num_threads(1);
            using (var trainer = new ClickWatchModel.Trainer(options))
                trainer.Fit(Train, progress: new Progress(_ => during.Add(get_num_threads())));
            Assert.Equal([1], during);

            during.Clear();
            using (var trainer = new ClickWatchModel.Trainer(options with { BatchSize = 16, Threads = 2 }))
                trainer.Fit(Train, progress: new Progress(_ => during.Add(get_num_threads())));
            Assert.Equal([2], during);
            Assert.Equal(1, get_num_threads());
        }
        finally
        {
            set_num_threads(previous);
        }
    }

    /// <summary>libgomp reads OMP_WAIT_POLICY once, as LibTorch loads: ModelDsl's module initializer must have put it in the native environment.</summary>
    [Fact]
    public void OpenMpThreadsWaitPassivelyUnlessTheUserSaidOtherwise()
    {
        if (!OperatingSystem.IsLinux())
            return;   // set through glibc's setenv
        var user = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        using var trainer = new OtherModel.Trainer();
        Assert.Equal(user ?? "PASSIVE", NativeVariable("OMP_WAIT_POLICY"));
    }

    private static string? NativeVariable(string name) => Marshal.PtrToStringAnsi(GetEnv(System.Text.Encoding.ASCII.GetBytes(name + "\0")));

    [DllImport("libc.so.6", EntryPoint = "getenv")]
    private static extern nint GetEnv(byte[] name);

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
