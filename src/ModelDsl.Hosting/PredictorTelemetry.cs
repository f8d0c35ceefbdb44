namespace ModelDsl.Hosting;

/// <summary>
/// Names of the meter and instruments every <see cref="PredictorPool{TFeatures, TPrediction}"/> records to, following
/// OpenTelemetry's conventions (dotted lowercase names, UCUM units, durations in seconds). Each measurement carries
/// <see cref="ModelAttribute"/>; failures carry <see cref="ErrorTypeAttribute"/>.
/// </summary>
public static class PredictorTelemetry
{
    /// <summary>The meter: add it to OpenTelemetry with <c>AddMeter(PredictorTelemetry.MeterName)</c>.</summary>
    public const string MeterName = "ModelDsl.Hosting";

    /// <summary>Counter of prediction requests, failed ones included.</summary>
    public const string Requests = "modeldsl.predictor.requests";

    /// <summary>Counter of candidates in those requests.</summary>
    public const string Candidates = "modeldsl.predictor.candidates";

    /// <summary>Histogram of request durations in seconds, from the call to its answer (micro-batching's wait included).</summary>
    public const string Duration = "modeldsl.predictor.request.duration";

    /// <summary>Counter of failed requests, by <see cref="ErrorTypeAttribute"/>.</summary>
    public const string Errors = "modeldsl.predictor.errors";

    /// <summary>Counter of reloads, by <see cref="ReloadOutcomeAttribute"/>.</summary>
    public const string Reloads = "modeldsl.predictor.reloads";

    /// <summary>Histogram of candidates per ONNX Runtime run made by micro-batching.</summary>
    public const string BatchSize = "modeldsl.predictor.batch.size";

    /// <summary>The model class's full name.</summary>
    public const string ModelAttribute = "modeldsl.model";

    /// <summary>
    /// Why a request failed: <see cref="InvalidInput"/>, <see cref="NonFiniteOutput"/>, or the exception's type name.
    /// </summary>
    public const string ErrorTypeAttribute = "error.type";

    /// <summary>What a reload did: <c>swapped</c>, <c>unchanged</c> or <c>failed</c>.</summary>
    public const string ReloadOutcomeAttribute = "modeldsl.reload.outcome";

    /// <summary>A feature value the model cannot take (<see cref="ModelDataException"/>).</summary>
    public const string InvalidInput = "invalid_input";

    /// <summary>The model answered NaN or an infinity (<see cref="NonFiniteOutputException"/>).</summary>
    public const string NonFiniteOutput = "non_finite_output";
}
