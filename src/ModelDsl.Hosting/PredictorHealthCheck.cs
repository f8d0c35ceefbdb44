using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ModelDsl.Hosting;

/// <summary>
/// Healthy while the model file on disk is the one serving; Degraded when the last reload failed (the previous
/// model still serves). The data name the model, its fingerprint and file, and the last reload error.
/// </summary>
public sealed class PredictorHealthCheck<TFeatures, TPrediction>(PredictorPool<TFeatures, TPrediction> pool) : IHealthCheck
    where TFeatures : struct
    where TPrediction : struct
{
    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (model, error) = (pool.Current, pool.LastReloadError);
        var data = new Dictionary<string, object>
        {
            ["model"] = model.Name,
            ["fingerprint"] = model.Fingerprint,
            ["path"] = model.Path,
            ["fileModified"] = model.FileModified.ToString("O", CultureInfo.InvariantCulture),
            ["fileSha256"] = model.FileSha256,
            ["loadedAt"] = model.LoadedAt.ToString("O", CultureInfo.InvariantCulture),
        };
        if (error is null)
            return Task.FromResult(HealthCheckResult.Healthy($"Serving {model.Name} from {model.Path}.", data));
        data["lastReloadError"] = error.Message;
        data["lastReloadErrorAt"] = error.At.ToString("O", CultureInfo.InvariantCulture);
        return Task.FromResult(HealthCheckResult.Degraded(
            $"The last reload of {model.Path} failed, so the model loaded at {data["loadedAt"]} still serves: {error.Message}", data: data));
    }
}
