using System;
using System.IO;
using System.Threading;

namespace ModelDsl.Hosting;

/// <summary>
/// Calls back once a file has stopped changing for a debounce interval. It watches the file's folder, so a new
/// file renamed over the watched one (an atomic replacement) is seen as well as writes in place.
/// </summary>
internal sealed class FileWatch : IDisposable
{
    private readonly string _path;
    private readonly TimeSpan _debounce;
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _timer;

    public FileWatch(string path, TimeSpan debounce, Action changed, Action<Exception> failed)
    {
        (_path, _debounce) = (path, debounce);
        _timer = new Timer(_ => changed());
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += OnChanged;
        _watcher.Created += OnChanged;
        _watcher.Renamed += OnChanged;
        _watcher.Error += (_, e) =>
        {
            // Events were lost (e.g. the kernel's queue overflowed): restart, and look at the file in case it changed.
            failed(e.GetException());
            _watcher.EnableRaisingEvents = false;
            _watcher.EnableRaisingEvents = true;
            Touch();
        };
        _watcher.EnableRaisingEvents = true;
    }

    private void OnChanged(object sender, FileSystemEventArgs e)
    {
        if (string.Equals(e.FullPath, _path, StringComparison.Ordinal))
            Touch();
    }

    /// <summary>(Re)starts the debounce: the callback runs once no change has come for the interval.</summary>
    private void Touch()
    {
        try
        {
            _timer.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // An event raced with Dispose.
        }
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _timer.Dispose();
    }
}
