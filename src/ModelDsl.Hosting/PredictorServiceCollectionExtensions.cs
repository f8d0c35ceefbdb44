using System;
using System.Diagnostics.Metrics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelDsl.Serving;

namespace ModelDsl.Hosting;

/// <summary>Registers a <see cref="PredictorPool{TFeatures, TPrediction}"/> and its health check.</summary>
public static class PredictorServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="PredictorPool{TFeatures, TPrediction}"/> (inject it to predict), a health check
    /// named <c>modeldsl-{model class}</c> tagged <c>modeldsl</c>, and a hosted service that loads the model when the
    /// host starts, so a bad file stops it there.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="open">Opens the file with the generated predictor: <c>path =&gt; new MyModel.Predictor(path)</c>.</param>
    /// <param name="configure">Sets at least <see cref="PredictorOptions{TFeatures}.Path"/>.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range (checked here, before the host builds).</exception>
    public static IServiceCollection AddPredictor<TFeatures, TPrediction>(this IServiceCollection services,
        Func<string, OnnxPredictor<TFeatures, TPrediction>> open, Action<PredictorOptions<TFeatures>> configure)
        where TFeatures : struct
        where TPrediction : struct
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new PredictorOptions<TFeatures>();
        configure(options);
        options.Validate();
        services.AddSingleton(provider => new PredictorPool<TFeatures, TPrediction>(
            open, options, provider.GetService<ILoggerFactory>(), provider.GetService<IMeterFactory>()));
        services.AddHostedService(provider => new LoadAtStart<TFeatures, TPrediction>(provider));
        var model = typeof(TFeatures).DeclaringType ?? typeof(TFeatures);
        services.AddHealthChecks().Add(new HealthCheckRegistration($"modeldsl-{model.Name}",
            provider => new PredictorHealthCheck<TFeatures, TPrediction>(provider.GetRequiredService<PredictorPool<TFeatures, TPrediction>>()),
            failureStatus: null, tags: ["modeldsl"]));
        return services;
    }

    /// <summary>Resolves the pool when the host starts: the model loads before the first request, and a bad file fails the start.</summary>
    private sealed class LoadAtStart<TFeatures, TPrediction>(IServiceProvider provider) : IHostedService
        where TFeatures : struct
        where TPrediction : struct
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            provider.GetRequiredService<PredictorPool<TFeatures, TPrediction>>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
