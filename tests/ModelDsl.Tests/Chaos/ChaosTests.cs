using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace ModelDsl.Tests.Chaos;

/// <summary>
/// A training process SIGKILLed at random moments, ten times, restarted each time from its last checkpoint
/// (a crash loop). Every checkpoint a kill leaves loads and resumes to exactly the weights of an uninterrupted
/// run, the restarted process removes the temporary files the killed ones left, and the crash loop ends with
/// the uninterrupted run's weights.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output) : IDisposable
{
    private const int Kills = 10;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-chaos-").FullName;

    [Fact]
    public void KilledTrainingResumesExactlyFromItsLastCheckpoint()
    {
        var reference = Directory.CreateDirectory(Path.Combine(_folder, "reference")).FullName;
        var run = Directory.CreateDirectory(Path.Combine(_folder, "run")).FullName;
        // The uninterrupted run, with the same checkpoints written; its epochs after the first (which warms up) are timed.
        var clock = new Stopwatch();
        ChaosTraining.Run(reference, _ => clock.Start());
        var epoch = clock.Elapsed / (ChaosTraining.Epochs - 1);
        var expected = File.ReadAllBytes(Path.Combine(reference, ChaosTraining.WeightsName));

        var seed = Environment.TickCount;
        var random = new Random(seed);
        var log = new List<string> { $"seed {seed}, an epoch takes {epoch.TotalMilliseconds:F0} ms" };
        var checkpoint = Path.Combine(run, ChaosTraining.CheckpointName);
        var weights = Path.Combine(run, ChaosTraining.WeightsName);
        for (var kills = 0; kills < Kills;)
        {
            var delay = random.NextDouble() * 3 * epoch;
            using (var child = ChildCommands.Start("train", run))
            {
                // Past its start and one checkpoint (a child's first epoch is slow), then killed within the next three epochs;
                // a child resumed from the last epoch's checkpoint has no epoch left and just saves the weights.
                child.WaitForLine(line => line.StartsWith(ChildCommands.EpochLine, StringComparison.Ordinal) || line == ChildCommands.TrainedLine, Timeout);
                System.Threading.Thread.Sleep(delay);
                if (!child.Kill())
                {
                    // The run got to its end between kills: it must have the uninterrupted run's weights; start another.
                    Assert.True(child.WaitForExit(Timeout) == 0, $"The run failed ({string.Join("; ", log)}):\n{child.Output}");
                    Assert.Equal(expected, File.ReadAllBytes(weights));
                    log.Add("the run ended; starting again");
                    File.Delete(checkpoint);
                    File.Delete(weights);
                    continue;
                }
            }
            kills++;
            log.Add($"kill {kills} after {delay.TotalMilliseconds:F0} ms: {(File.Exists(checkpoint) ? "a checkpoint" : "no checkpoint")}, {Temporary(run).Length} temporary file(s)");
            if (File.Exists(checkpoint))
                Assert.True(expected.AsSpan().SequenceEqual(ResumeInProcess(checkpoint)), $"Kill {kills}: resuming did not give the uninterrupted run's weights ({string.Join("; ", log)}).");
        }

        using (var last = ChildCommands.Start("train", run))
            Assert.True(last.WaitForExit(Timeout) == 0, $"The run after the kills failed ({string.Join("; ", log)}):\n{last.Output}");
        output.WriteLine(string.Join('\n', log));

        Assert.Equal(expected, File.ReadAllBytes(weights));
        Assert.Empty(Temporary(run));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string[] Temporary(string folder) => Directory.GetFiles(folder, "*.tmp");

    /// <summary>Resumes from a copy of the checkpoint in this process (writing no checkpoints) and returns the final weights file.</summary>
    private byte[] ResumeInProcess(string checkpoint)
    {
        var copy = Path.Combine(_folder, "copy.checkpoint");
        File.Copy(checkpoint, copy, overwrite: true);
        var weights = Path.Combine(_folder, "resumed.weights");
        using var trainer = new ChaosModel.Trainer(ChaosTraining.Options(checkpoint: null));
        trainer.Fit(ChaosTraining.Samples(), resumeFrom: copy);
        trainer.Save(weights);
        return File.ReadAllBytes(weights);
    }
}
