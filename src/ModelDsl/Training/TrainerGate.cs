using System;
using System.Threading;

namespace ModelDsl.Training;

/// <summary>
/// One operation at a time on a trainer, and a <c>Dispose</c> that never frees the network under a running one.
/// A second operation (from another thread, or from <c>Fit</c>'s own progress callback) is refused: LibTorch
/// does not guard a module or an optimizer against concurrent use, and two runs over the same weights
/// corrupted them or aborted the process. <c>Dispose</c> during an operation stops it at its next step and
/// waits for it; called on the operation's own thread (from the progress callback), where waiting would
/// never end, it leaves the freeing to the operation as it unwinds.
/// </summary>
internal sealed class TrainerGate(object owner, Action free)
{
    private readonly object _owner = owner;
    private readonly object _lock = new();
    private string? _running;
    private int _runningThread;
    private volatile bool _disposed;
    private bool _freeOnExit;

    /// <summary>Starts <paramref name="operation"/>, or refuses it while another runs or after <c>Dispose</c>.</summary>
    /// <exception cref="InvalidOperationException">Another operation is running on this trainer.</exception>
    /// <exception cref="ObjectDisposedException">The trainer is disposed.</exception>
    public Operation Enter(string operation, CancellationToken cancellation = default)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, _owner);
            if (_running is not null)
                throw new InvalidOperationException(
                    $"{operation} was called while {_running} is running on this trainer{(_runningThread == Environment.CurrentManagedThreadId ? " (from its progress callback)" : " on another thread")}. "
                    + "A trainer runs one operation at a time: wait for it to return, or train separate trainers in parallel.");
            (_running, _runningThread) = (operation, Environment.CurrentManagedThreadId);
        }
        return new Operation(this, cancellation);
    }

    /// <summary>Marks the trainer disposed; true when the caller frees the network now, false when the running operation will.</summary>
    public bool Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return false;
            _disposed = true;
            if (_running is not null && _runningThread == Environment.CurrentManagedThreadId)
            {
                _freeOnExit = true;
                return false;
            }
            while (_running is not null)
                Monitor.Wait(_lock);
        }
        return true;
    }

    private void Exit()
    {
        bool freeNow;
        lock (_lock)
        {
            _running = null;
            freeNow = _freeOnExit;
            Monitor.PulseAll(_lock);
        }
        if (freeNow)
            free();
    }

    /// <summary>A running operation: its stop signal (the caller's token, or <c>Dispose</c>) and its end.</summary>
    public sealed class Operation(TrainerGate gate, CancellationToken cancellation) : IDisposable
    {
        /// <summary>Throws at a step boundary once the caller cancelled or the trainer is being disposed.</summary>
        /// <exception cref="OperationCanceledException">The caller's token was cancelled.</exception>
        /// <exception cref="ObjectDisposedException">The trainer was disposed during the operation.</exception>
        public void ThrowIfStopped()
        {
            cancellation.ThrowIfCancellationRequested();
            if (gate._disposed)
                throw new ObjectDisposedException(gate._owner.GetType().FullName, "The trainer was disposed while training: the run stopped before its next step.");
        }

        public void Dispose() => gate.Exit();
    }
}
