namespace ModelDsl.Training;

/// <summary>Where a <c>Fit</c> is, reported after every step and at the end of every epoch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Step">Steps done in this epoch.</param>
/// <param name="Steps">Steps per epoch.</param>
/// <param name="Loss">Mean weighted training loss of the epoch so far.</param>
/// <param name="Completed">The epoch's report once the epoch is evaluated; null during the epoch.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int Steps, double Loss, EpochReport? Completed);
