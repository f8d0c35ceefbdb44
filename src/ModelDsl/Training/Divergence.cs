using System;
using System.Globalization;
using ModelDsl.Training.Weighting;

namespace ModelDsl.Training;

/// <summary>
/// Stops a run at the first NaN or infinite task loss (or gradient norm GradNorm reads): every later step
/// would only spread it through the weights, and the strategies' arithmetic on it fails far from the cause.
/// </summary>
internal static class Divergence
{
    /// <exception cref="NotFiniteNumberException"><paramref name="value"/> is NaN or infinite; the message names the task, epoch and step.</exception>
    public static void Check(double value, string quantity, TaskInfo task, MultiTaskStep step)
    {
        if (!double.IsFinite(value))
            throw new NotFiniteNumberException(string.Create(CultureInfo.InvariantCulture,
                $"Training diverged at epoch {step.Epoch}, step {step.Step}: the {quantity} of task '{task.Name}' is {value}. ")
                + "Lower the learning rate, set GradientClipNorm, or scale the task's labels down.", value);
    }
}
