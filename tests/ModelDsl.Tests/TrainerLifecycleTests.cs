using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>
/// One trainer used from two threads, stopped by cancellation or by Dispose mid-run: refused or stopped cleanly,
/// never a crash (issue 15, item 2). Each test acts while Fit is certainly running: from its progress callback, or
/// from another thread while the callback holds Fit between two steps.
/// </summary>
public sealed class TrainerLifecycleTests : IDisposable
{
    private static readonly SyntheticData Data = new(seed: 7);
    private static readonly List<ClickWatchModel> Train = Data.Samples(1_000, seed: 1);
    private static readonly TrainingOptions Options = new() { Epochs = 3, BatchSize = 100, LearningRate = 1e-2, Seed = 5, Threads = 1 };
    // Waits that only a broken trainer would exhaust: a failure, not a hung test run.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-lifecycle-").FullName;

    [Fact]
    public void DisposeFromTheProgressCallbackStopsFitBeforeItsNextStep()
    {
        var trainer = new ClickWatchModel.Trainer(Options with { Epochs = 1_000 });
        var steps = 0;
        var error = Assert.Throws<ObjectDisposedException>(() => trainer.Fit(Train, progress: new SynchronousProgress(p =>
        {
            if (++steps == 3)
                trainer.Dispose();
            else if (steps > 3)
                throw new InvalidOperationException("Fit took a step after Dispose.");
        })));
        Assert.Contains("disposed while training", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, steps);
        Assert.Throws<ObjectDisposedException>(() => trainer.Save(Path.Combine(_folder, "w.bin")));
        trainer.Dispose();
    }

    [Fact]
    public void DisposeFromAnotherThreadWaitsForFitToStop()
    {
        var trainer = new ClickWatchModel.Trainer(Options with { Epochs = 1_000 });
        using var running = new ManualResetEventSlim();
        bool disposing = false, disposed = false, disposedDuringAStep = false;
        var fit = Task.Factory.StartNew(() => trainer.Fit(Train, progress: new SynchronousProgress(p =>
        {
            running.Set();
            if (!Volatile.Read(ref disposing))
                return;
            // A Dispose that does not wait returns while this step is still running.
            Thread.Sleep(200);
            disposedDuringAStep |= Volatile.Read(ref disposed);
        })), TaskCreationOptions.LongRunning);
        Assert.True(running.Wait(Patience), "Fit did not start.");
        Volatile.Write(ref disposing, true);
        trainer.Dispose();
        Volatile.Write(ref disposed, true);
        var error = Assert.Throws<AggregateException>(() => fit.Wait(Patience)).InnerException;
        Assert.Contains("disposed while training", Assert.IsType<ObjectDisposedException>(error).Message, StringComparison.Ordinal);
        Assert.False(disposedDuringAStep);
    }

    [Fact]
    public void AnotherOperationDuringFitIsRefused()
    {
        using var trainer = new ClickWatchModel.Trainer(Options);
        using var cancel = new CancellationTokenSource();
        using var running = new ManualResetEventSlim();
        using var attempted = new ManualResetEventSlim();
        var path = Path.Combine(_folder, "w.bin");
        var fromCallback = new List<Exception>();
        var fit = Task.Factory.StartNew(() => trainer.Fit(Train, progress: new SynchronousProgress(p =>
        {
            if (p.Step != 1 || p.Epoch != 1 || p.Completed is not null)
                return;
            fromCallback.Add(Record(() => trainer.Fit(Train.Take(10))));
            fromCallback.Add(Record(() => trainer.Save(path)));
            fromCallback.Add(Record(() => trainer.Predict(Train.Take(3))));
            running.Set();
            attempted.Wait(Patience);   // hold Fit between two steps while the other thread tries
            cancel.Cancel();
        }), cancellationToken: cancel.Token), TaskCreationOptions.LongRunning);
        Assert.True(running.Wait(Patience), "Fit did not start.");
        Exception[] fromOtherThread =
        [
            Record(() => trainer.Fit(Train.Take(10))),
            Record(() => trainer.Save(path)),
            Record(() => trainer.Load(path)),
            Record(() => trainer.ExportOnnx(path)),
            Record(() => trainer.Evaluate(Train)),
            Record(() => trainer.Predict(Train.Take(3))),
        ];
        attempted.Set();

        Assert.IsType<OperationCanceledException>(Assert.Throws<AggregateException>(() => fit.Wait(Patience)).InnerException, exactMatch: false);
        Assert.All(fromCallback.Concat(fromOtherThread), e => Assert.Contains("while Fit is running on this trainer", Assert.IsType<InvalidOperationException>(e).Message, StringComparison.Ordinal));
        Assert.Contains("progress callback", fromCallback[0].Message, StringComparison.Ordinal);
        Assert.Contains("another thread", fromOtherThread[0].Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        // Once Fit has returned, the trainer takes the next operation.
        trainer.Save(path);
        Assert.True(File.Exists(path));
    }

    /// <summary>A run cancelled mid-epoch leaves the last checkpoint as written, and the same trainer resumes from it exactly.</summary>
    [Fact]
    public void ACancelledFitKeepsItsCheckpointAndTheTrainerResumesExactly()
    {
        var path = Path.Combine(_folder, "run.ckpt");
        var options = Options with { CheckpointPath = path };
        string uninterrupted;
        using (var reference = new ClickWatchModel.Trainer(options with { CheckpointPath = null }))
            uninterrupted = reference.Fit(Train).ToString();

        using var trainer = new ClickWatchModel.Trainer(options);
        using var cancel = new CancellationTokenSource();
        byte[]? afterEpoch2 = null;
        Assert.Throws<OperationCanceledException>(() => trainer.Fit(Train, progress: new SynchronousProgress(p =>
        {
            if (p.Completed?.Epoch == 2)
                afterEpoch2 = File.ReadAllBytes(path);
            if (p is { Epoch: 3, Step: 4, Completed: null })
                cancel.Cancel();
        }), cancellationToken: cancel.Token));

        Assert.Equal(afterEpoch2, File.ReadAllBytes(path));
        Assert.Equal(uninterrupted, trainer.Fit(Train, resumeFrom: path).ToString());
    }

    /// <summary>
    /// Four trainers (with dropout) trained in parallel end with the very weights each ends with alone: each draws its
    /// dropout from its own generator and initializes under a lock. On the global generator they took each other's draws.
    /// </summary>
    [Fact]
    public void ParallelTrainersReplayWhatTheyDoAlone()
    {
        var seeds = new[] { 1, 2, 3, 4 };
        var sequential = seeds.Select(seed => WeightsHash(seed)).ToArray();
        var parallel = new string[seeds.Length];
        Parallel.For(0, seeds.Length, new ParallelOptions { MaxDegreeOfParallelism = seeds.Length }, i => parallel[i] = WeightsHash(seeds[i]));
        Assert.Equal(sequential, parallel);
        Assert.Equal(seeds.Length, sequential.Distinct().Count());
    }

    /// <summary>Training is deterministic at each thread count (the default may pick either).</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void EachThreadCountReplaysExactly(int threads)
    {
        Assert.Equal(WeightsHash(9, threads), WeightsHash(9, threads));
    }

    private string WeightsHash(int seed) => WeightsHash(seed, threads: 1);

    private string WeightsHash(int seed, int threads)
    {
        using var trainer = new ClickWatchModel.Trainer(Options with { Seed = seed, Threads = threads });
        Assert.True(ClickWatchModel.Schema.Regularization.Dropout > 0);
        trainer.Fit(Train);
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.bin");
        trainer.Save(path);
        return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
    }

    private static Exception Record(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            return e;
        }
        throw new InvalidOperationException("The operation was not refused.");
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
