using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace ModelDsl.Hosting;

/// <summary>
/// Coalesces concurrent small requests into one ONNX Runtime run. Callers queue their candidates and await. The first
/// request into an empty queue schedules a runner on the thread pool, behind the work already queued there (often
/// other callers about to queue theirs). The runner takes the queue once it holds a full batch or its first request
/// has waited the bounded time, runs it on the model serving now, and hands each caller its own slice of the answers;
/// if more requests came meanwhile, it schedules itself again. One batch runs at a time. Requests and the batch's
/// arrays are reused, so a request allocates nothing in steady state.
/// </summary>
/// <remarks>
/// A thread-pool work item rather than a thread of its own: a sleeping thread takes a wake-up per batch, and on a
/// busy machine a single thread that the scheduler passes over stalls every caller at once.
/// </remarks>
internal sealed class MicroBatcher<TFeatures, TPrediction> : IThreadPoolWorkItem, IDisposable
    where TFeatures : struct
    where TPrediction : struct
{
    private const int KeptRequests = 1024;

    private readonly PredictorPool<TFeatures, TPrediction> _pool;
    private readonly long _maxWait;
    private readonly int _maxBatch;
    private readonly Lock _gate = new();
    private readonly Stack<Request> _free = new();
    private readonly TFeatures[] _features;
    private readonly TPrediction[] _predictions;
    private Request[] _queue = new Request[64];
    private Request[] _taken = new Request[64];
    private int _queued;
    private int _queuedCandidates;
    private long _firstArrival;
    private bool _scheduled;
    private volatile bool _stopping;

    public MicroBatcher(PredictorPool<TFeatures, TPrediction> pool, MicroBatchingOptions options)
    {
        _pool = pool;
        _maxWait = (long)(options.MaxWait.TotalSeconds * Stopwatch.Frequency);
        _maxBatch = options.MaxBatchSize;
        _features = new TFeatures[_maxBatch];
        _predictions = new TPrediction[_maxBatch];
    }

    public ValueTask<TPrediction> Enqueue(TFeatures features, long start)
    {
        var request = Add(1, start);
        request.Single = features;
        Publish(request);
        return new(request, request.Version);
    }

    public ValueTask Enqueue(ReadOnlyMemory<TFeatures> features, Memory<TPrediction> predictions, long start)
    {
        var request = Add(features.Length, start);
        (request.Features, request.Predictions) = (features, predictions);
        Publish(request);
        return new(request, request.Version);
    }

    private Request Add(int count, long start)
    {
        Request? request;
        lock (_gate)
            _free.TryPop(out request);
        request ??= new Request(this);
        (request.Count, request.Start) = (count, start);
        return request;
    }

    private void Publish(Request request)
    {
        bool schedule;
        lock (_gate)
        {
            if (_stopping)
            {
                request.Fail(new ObjectDisposedException(_pool.GetType().FullName));
                return;
            }
            if (_queued == _queue.Length)
                Array.Resize(ref _queue, _queue.Length * 2);
            _queue[_queued++] = request;
            _queuedCandidates += request.Count;
            if (_queued == 1)
                _firstArrival = request.Start;
            schedule = !_scheduled;
            _scheduled = true;
        }
        if (schedule)
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>The runner: one batch (or more, if the queue holds more than a batch), then again if requests came meanwhile.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        long deadline;
        lock (_gate)
            deadline = _firstArrival + _maxWait;
        // Wait for the batch to fill, at most until its first request has waited the bounded time. Yielding
        // rather than sleeping: a sleep lasts a millisecond or more, and the callers need the cores meanwhile.
        var spin = new SpinWait();
        while (!_stopping && Volatile.Read(ref _queuedCandidates) < _maxBatch && Stopwatch.GetTimestamp() < deadline)
            spin.SpinOnce(sleep1Threshold: -1);
        int taken;
        lock (_gate)
        {
            (_queue, _taken) = (_taken, _queue);
            (taken, _queued, _queuedCandidates) = (_queued, 0, 0);
        }
        Serve(_taken.AsSpan(0, taken));
        bool again;
        lock (_gate)
            _scheduled = again = _queued > 0;
        if (again)
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>Runs the taken requests in batches of whole requests, at most the batch size each.</summary>
    private void Serve(Span<Request> requests)
    {
        for (var first = 0; first < requests.Length;)
        {
            var (end, candidates) = (first, 0);
            for (; end < requests.Length && candidates + requests[end].Count <= _maxBatch; end++)
            {
                requests[end].Input.CopyTo(_features.AsSpan(candidates));
                candidates += requests[end].Count;
            }
            Run(requests[first..end], candidates);
            first = end;
        }
        requests.Clear();
    }

    private void Run(Span<Request> batch, int candidates)
    {
        PredictorPool<TFeatures, TPrediction>.Generation model;
        try
        {
            model = _pool.Run(_features.AsSpan(0, candidates), _predictions.AsSpan(0, candidates));
        }
#pragma warning disable CA1031 // Each request then runs alone and gets its own answer or error.
        catch (Exception)
#pragma warning restore CA1031
        {
            // One request's bad candidate must not fail the others: each runs alone, as without batching.
            foreach (var request in batch)
                request.RunAlone(_pool);
            return;
        }
        _pool.Metrics.Batched(candidates);
        var offset = 0;
        foreach (var request in batch)
        {
            var answers = _predictions.AsSpan(offset, request.Count);
            offset += request.Count;
            if (_pool.Check(model, answers) is { } error)
                request.Fail(error);
            else
                request.Succeed(answers);
        }
    }

    private void Recycle(Request request)
    {
        lock (_gate)
        {
            if (_free.Count < KeptRequests)
                _free.Push(request);
        }
    }

    /// <summary>Answers what is queued, then stops; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
            _stopping = true;
        // The runner stops waiting for a full batch, answers what is queued, and is not scheduled again.
        var spin = new SpinWait();
        while (Volatile.Read(ref _scheduled))
            spin.SpinOnce();
    }

    /// <summary>One caller's candidates and the awaitable that hands back its answers; reused after the caller reads them.</summary>
    private sealed class Request(MicroBatcher<TFeatures, TPrediction> owner) : IValueTaskSource<TPrediction>, IValueTaskSource
    {
        // Continuations run on the thread pool, never on the batching thread.
        private ManualResetValueTaskSourceCore<TPrediction> _core = new() { RunContinuationsAsynchronously = true };

        public int Count;
        public long Start;
        public TFeatures Single;
        public TPrediction SingleAnswer;
        public ReadOnlyMemory<TFeatures> Features;
        public Memory<TPrediction> Predictions;

        public short Version => _core.Version;

        /// <summary>The candidates: the single one, or the caller's memory.</summary>
        public ReadOnlySpan<TFeatures> Input => Features.IsEmpty ? MemoryMarshal.CreateReadOnlySpan(ref Single, 1) : Features.Span;

        public void RunAlone(PredictorPool<TFeatures, TPrediction> pool)
        {
            var output = Features.IsEmpty ? MemoryMarshal.CreateSpan(ref SingleAnswer, 1) : Predictions.Span;
            try
            {
                pool.PredictChecked(Input, output);
            }
#pragma warning disable CA1031 // The caller gets the exception.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Fail(e);
                return;
            }
            Succeed(output[..Count]);
        }

        public void Succeed(ReadOnlySpan<TPrediction> answers)
        {
            owner._pool.Metrics.Completed(Count, Start, null);
            if (Features.IsEmpty)
            {
                _core.SetResult(answers[0]);
                return;
            }
            answers.CopyTo(Predictions.Span);
            _core.SetResult(default);
        }

        public void Fail(Exception error)
        {
            owner._pool.Metrics.Completed(Count, Start, error);
            _core.SetException(error);
        }

        public TPrediction GetResult(short token)
        {
            try
            {
                return _core.GetResult(token);
            }
            finally
            {
                Reset();
            }
        }

        void IValueTaskSource.GetResult(short token)
        {
            try
            {
                _core.GetResult(token);
            }
            finally
            {
                Reset();
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        private void Reset()
        {
            _core.Reset();
            (Features, Predictions, Single) = (default, default, default);
            owner.Recycle(this);
        }
    }
}
