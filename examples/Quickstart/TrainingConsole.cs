using System;
using ModelDsl.Training;
using Spectre.Console;

namespace Quickstart;

/// <summary>Runs a training inside a live Spectre.Console progress bar: one bar per epoch, advanced step by step.</summary>
internal static class TrainingConsole
{
    public static TrainingReport Fit(Func<IProgress<TrainingProgress>, TrainingReport> fit) =>
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask? bar = null;
                return fit(new Reporter(progress =>
                {
                    if (bar is null || progress.Step == 1 && progress.Completed is null)
                        bar = context.AddTask($"epoch {progress.Epoch}/{progress.Epochs}", maxValue: progress.Steps);
                    bar.Value = progress.Step;
                    bar.Description = progress.Completed is { } epoch
                        ? Markup.Escape(epoch.ToString())
                        : $"epoch {progress.Epoch}/{progress.Epochs}  loss {progress.Loss:F4}";
                }));
            });

    // Progress<T> would post to a synchronization context; the bar wants the report on the training thread.
    private sealed class Reporter(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
