using System;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ModelDsl.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Training;

/// <summary>
/// LibTorch's intra-op threads, chosen so that training never collapses on a shared or CPU-limited host.
/// LibTorch parallelizes each kernel over OpenMP (GNU libgomp) with one thread per CPU in the affinity mask,
/// blind to a container's CPU quota, and its idle threads spin before they sleep. On a busy host the spinning
/// threads take the cores the working ones need: a small <c>Fit</c> that took under a second with one thread
/// took 5–25 s. So the default count follows the work of a step and the cgroup-aware processor count, and the
/// threads wait passively. An application's own choice (<see cref="TrainingOptions.Threads"/>, <c>torch.set_num_threads</c>,
/// <c>OMP_NUM_THREADS</c>, <c>OMP_WAIT_POLICY</c>) always wins.
/// </summary>
internal static class TrainingThreads
{
    /// <summary>
    /// Dense multiply-adds of one step (forward) per thread below which a second thread does not pay: each of a
    /// step's hundred-odd kernels forks and joins the threads, and on a busy host every join waits for the thread
    /// that was descheduled. The reference MMoE (55 M per step) trained at 1,186–20,847 samples/s on two threads and
    /// 38,761–113,634 on one while other work ran, and gained at most 1.5× from a second thread on a quiet host
    /// (docs/benchmarks.md), so only steps several times larger get a second thread.
    /// </summary>
    internal const long MultiplyAddsPerThread = 256L << 20;

    private const string WaitPolicy = "OMP_WAIT_POLICY";

    /// <summary>
    /// Sets <c>OMP_WAIT_POLICY=PASSIVE</c> in the native environment, where libgomp reads it once as LibTorch loads,
    /// unless the user set a wait policy. Runs before any ModelDsl code, so before any of it can load LibTorch;
    /// an application that calls TorchSharp before it touches ModelDsl must set the variable itself.
    /// .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach the native environment.
    /// </summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "The wait policy only takes effect if set before LibTorch loads, which any ModelDsl type can trigger.")]
    internal static void PassiveWaits()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(WaitPolicy) is not null)
            return;
        if (!NativeLibrary.TryLoad("libc.so.6", out var libc) || !NativeLibrary.TryGetExport(libc, "setenv", out var address))
            return;
        unsafe
        {
            var setenv = (delegate* unmanaged<byte*, byte*, int, int>)address;
            fixed (byte* name = "OMP_WAIT_POLICY\0"u8, value = "PASSIVE\0"u8)
                _ = setenv(name, value, 0);   // 0: a value set since the process started (by native code) wins too
        }
    }

    /// <summary>
    /// The intra-op threads for a trainer's steps: <paramref name="threads"/> when set; else the count the application
    /// gave LibTorch (<c>torch.set_num_threads</c> on this thread, or <c>OMP_NUM_THREADS</c>); else one per
    /// <see cref="MultiplyAddsPerThread"/> of a step's dense work, at least 1 and at most the processors this process may
    /// use (<see cref="Environment.ProcessorCount"/> counts a cgroup's CPU quota as well as the affinity mask).
    /// Applies it to the calling thread until the returned scope ends (OpenMP keeps the count per thread).
    /// </summary>
    public static Scope Use(int? threads, long multiplyAddsPerStep)
    {
        var current = get_num_threads();
        var count = threads ?? (ApplicationChose(current) ? current : Choose(multiplyAddsPerStep, Environment.ProcessorCount));
        if (count == current)
            return default;
        set_num_threads(count);
        return new Scope(current);
    }

    internal static int Choose(long multiplyAddsPerStep, int processors) =>
        (int)Math.Clamp(multiplyAddsPerStep / MultiplyAddsPerThread, 1, processors);

    /// <summary>Multiply-adds of one step's forward pass through the dense layers: the batch times their weights' sizes (embedding lookups do none).</summary>
    internal static long MultiplyAddsPerStep(MultiTaskNetwork network, int batchSize)
    {
        var weights = network.parameters().Where(p => p.dim() >= 2).Sum(p => p.numel());
        return (weights - network.modules().OfType<Embedding>().Sum(e => e.weight!.numel())) * batchSize;
    }

    /// <summary>
    /// Whether LibTorch runs something other than its own default, one thread per CPU of the affinity mask (which
    /// <see cref="Environment.ProcessorCount"/> is not under a CPU quota): then the application set it.
    /// </summary>
    private static bool ApplicationChose(int current) =>
        Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is not null
        || current != (OperatingSystem.IsLinux() || OperatingSystem.IsWindows()
            ? BitOperations.PopCount((ulong)Process.GetCurrentProcess().ProcessorAffinity)
            : Environment.ProcessorCount);

    /// <summary>Puts the calling thread's previous count back.</summary>
    public readonly struct Scope(int previous) : IDisposable
    {
        public void Dispose()
        {
            if (previous > 0)
                set_num_threads(previous);
        }
    }
}
