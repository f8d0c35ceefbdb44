using System;

namespace ModelDsl.Training;

/// <summary>
/// The learning rate of each epoch as a pure function of the epoch number, so a resumed run sets the
/// same rate without scheduler state.
/// </summary>
/// <param name="Kind">The schedule.</param>
/// <param name="StepEpochs">Step decay: epochs between decays.</param>
/// <param name="Gamma">Step decay: factor per decay.</param>
/// <param name="MinimumFactor">Cosine: the final rate as a fraction of the initial one.</param>
public sealed record LearningRateSchedule(ScheduleKind Kind, int StepEpochs = 1, double Gamma = 0.5, double MinimumFactor = 0)
{
    /// <summary>The same rate every epoch.</summary>
    public static LearningRateSchedule Constant { get; } = new(ScheduleKind.Constant);

    /// <summary>Multiply by <paramref name="gamma"/> every <paramref name="epochs"/> epochs.</summary>
    public static LearningRateSchedule Step(int epochs, double gamma) => new(ScheduleKind.Step, epochs, gamma);

    /// <summary>Cosine annealing from the initial rate to <paramref name="minimumFactor"/> times it over the run.</summary>
    public static LearningRateSchedule Cosine(double minimumFactor = 0) => new(ScheduleKind.Cosine, MinimumFactor: minimumFactor);

    /// <summary>The rate for 1-based <paramref name="epoch"/> of <paramref name="epochs"/>.</summary>
    public double Rate(double initial, int epoch, int epochs) => Kind switch
    {
        ScheduleKind.Step => initial * Math.Pow(Gamma, (epoch - 1) / Math.Max(1, StepEpochs)),
        ScheduleKind.Cosine => initial * (MinimumFactor + (1 - MinimumFactor) * 0.5 * (1 + Math.Cos(Math.PI * (epoch - 1) / Math.Max(1, epochs)))),
        _ => initial,
    };
}

/// <summary>Learning-rate schedules.</summary>
public enum ScheduleKind
{
    /// <summary>No change.</summary>
    Constant,

    /// <summary>Step decay.</summary>
    Step,

    /// <summary>Cosine annealing.</summary>
    Cosine,
}
