using System;
using Microsoft.Extensions.Logging;

namespace ModelDsl.Hosting;

/// <summary>The pool's log messages; event ids are stable (docs/serving.md lists them).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "ModelLoaded", Level = LogLevel.Information,
        Message = "Serving {Model} (fingerprint {Fingerprint}) from {Path}, SHA-256 {Sha256}.")]
    public static partial void ModelLoaded(ILogger logger, string model, string fingerprint, string path, string sha256);

    [LoggerMessage(EventId = 2, EventName = "ModelReloaded", Level = LogLevel.Information,
        Message = "Reloaded {Model} from {Path}: SHA-256 {Sha256} replaces {PreviousSha256}.")]
    public static partial void ModelReloaded(ILogger logger, string model, string path, string sha256, string previousSha256);

    [LoggerMessage(EventId = 3, EventName = "ReloadFailed", Level = LogLevel.Error,
        Message = "Reload of {Path} failed; still serving SHA-256 {Sha256}: {Reason}")]
    public static partial void ReloadFailed(ILogger logger, Exception exception, string path, string sha256, string reason);

    [LoggerMessage(EventId = 4, EventName = "ReloadUnchanged", Level = LogLevel.Debug,
        Message = "{Path} changed but has the bytes already serving (SHA-256 {Sha256}); nothing reloaded.")]
    public static partial void ReloadUnchanged(ILogger logger, string path, string sha256);

    [LoggerMessage(EventId = 5, EventName = "WatchFailed", Level = LogLevel.Warning,
        Message = "Watching {Path} failed; the watch restarts and the file is checked again.")]
    public static partial void WatchFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 6, EventName = "NonFiniteOutput", Level = LogLevel.Warning,
        Message = "{Model} answered {Value} for output {Output}; the request failed.")]
    public static partial void NonFiniteOutput(ILogger logger, string model, string output, float value);
}
