using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using Microsoft.ML.OnnxRuntime;
using ModelDsl.Onnx;

namespace ModelDsl.Serving;

/// <summary>
/// Serves an exported model with ONNX Runtime behind typed features and predictions. Thread-safe:
/// one session is shared, and each call takes input and output buffers for its number of candidates
/// from a pool: pinned arrays with <see cref="OrtValue"/>s over them, bound once to an
/// <see cref="OrtIoBinding"/>. In steady state a call (single or batched) allocates no managed memory.
/// <see cref="Dispose()"/> may race with calls: calls already running finish, later ones throw
/// <see cref="ObjectDisposedException"/>, and the session is released after the last call leaves.
/// </summary>
/// <typeparam name="TFeatures">The generated <c>Features</c> record.</typeparam>
/// <typeparam name="TPrediction">The generated <c>Prediction</c> record.</typeparam>
public abstract class OnnxPredictor<TFeatures, TPrediction> : IDisposable
    where TFeatures : struct
    where TPrediction : struct
{
    /// <summary>Batch sizes that get a pool; calls with other sizes beyond these build and drop their buffers.</summary>
    /// <remarks>Bounds the memory a server that sees many different batch sizes keeps.</remarks>
    public const int PooledBatchSizes = 64;

    private readonly InferenceSession _session;
    private readonly string _path;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly int[] _outputWidths;
    private readonly ConcurrentDictionary<int, ConcurrentBag<Buffers>> _pools = new();
    private readonly int _categorical;
    private readonly int _numeric;
    private readonly int _strings;
    // Calls in flight plus one held by the owner until Dispose; native resources go when it reaches 0.
    private int _references = 1;
    private int _disposed;

    /// <summary>Opens the model file and checks it belongs to <paramref name="schema"/>.</summary>
    /// <exception cref="System.IO.FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFileException">The file (or its external data file) is not a regular file, not an ONNX model, damaged or edited
    /// (its digest does not match), exported from another spec, or its graph does not run for one candidate or a batch.</exception>
    protected OnnxPredictor(string path, ModelSchema schema, SessionOptions? options)
    {
        Schema = schema ?? throw new ArgumentNullException(nameof(schema));
        _session = ModelSession.Open(path, schema, options);
        (_categorical, _numeric, _strings) = (schema.CategoricalInputCount, schema.NumericCount, schema.StringInputCount);
        _inputNames = new[] { (_categorical, OnnxMetadata.CategoricalInput), (_numeric, OnnxMetadata.NumericInput), (_strings, OnnxMetadata.StringInput) }
            .Where(i => i.Item1 > 0).Select(i => i.Item2).ToArray();
        _outputNames = schema.Outputs.Select(o => o.Name).ToArray();
        _outputWidths = schema.Outputs.Select(o => o.Width).ToArray();
        _path = path;
        try
        {
            RunOneCandidateFirst();
            Run(Rent(2));
        }
        catch (Exception e)
        {
            Release();
            if (e is OnnxRuntimeException)
                throw new ModelFileException($"ONNX model '{path}' does not run: {e.Message}", e);
            throw;
        }
    }

    /// <summary>
    /// Runs one candidate of zeros (id 0 and 0.0 are valid for every feature) before any call, so that
    /// ONNX Runtime's memory pattern is the single candidate's.
    /// </summary>
    /// <remarks>
    /// ONNX Runtime plans one memory pattern per key of the input shapes, taken from the first run with that
    /// key, and the key (every input dimension XORed) cancels the batch size when both inputs have one: every
    /// batch size then shares the first run's pattern, and runs of other sizes fall back to allocating each
    /// value. Planned for one candidate, the latency-bound call, single calls ran 2–3 µs (about 20 %) faster
    /// than after a first batched call; batched calls, which spend milliseconds in arithmetic, do not notice.
    /// </remarks>
    private void RunOneCandidateFirst() => Run(Rent(1));

    /// <summary>Runs buffers of zeros at open and pools them: the check that the graph runs, single and batched.</summary>
    /// <remarks>A graph whose output is [1] passes one candidate and fails every batch; two candidates find it.</remarks>
    private void Run(Buffers buffers)
    {
        try
        {
            _session.RunWithBinding(_runOptions, buffers.Binding);
        }
        catch
        {
            buffers.Dispose();
            throw;
        }
        Return(buffers);
    }

    /// <summary>The spec this predictor serves.</summary>
    public ModelSchema Schema { get; }

    /// <summary>Writes one candidate's model inputs; generated from the spec.</summary>
    protected abstract void Encode(in TFeatures features, Span<long> categorical, Span<float> numeric);

    /// <summary>Writes one candidate's <c>strings</c> input (learned string vocabularies); generated for specs that have them.</summary>
    protected virtual void EncodeStrings(in TFeatures features, Span<string> strings)
    {
    }

    /// <summary>
    /// Builds a prediction from one candidate's outputs, in <see cref="ModelSchema.Outputs"/> order, each taking
    /// its <see cref="OutputInfo.Width"/> values (<see cref="ModelSchema.OutputColumns"/>); generated from the spec.
    /// </summary>
    protected abstract TPrediction Decode(ReadOnlySpan<float> outputs);

    /// <summary>Scores one candidate.</summary>
    /// <exception cref="ModelDataException">A feature value the model cannot take (e.g. an id outside its vocabulary).</exception>
    /// <exception cref="ModelFileException">ONNX Runtime failed to run the model.</exception>
    public TPrediction Predict(in TFeatures features)
    {
        Enter();
        Buffers? buffers = null;
        try
        {
            buffers = Rent(1);
            Encode(features, buffers.Categorical, buffers.Numeric);
            if (_strings > 0)
                EncodeStrings(features, buffers.Strings);
            Score(buffers);
            Span<float> outputs = stackalloc float[Schema.ServedColumns];
            Gather(buffers, 0, outputs);
            return Decode(outputs);
        }
        finally
        {
            Leave(buffers);
        }
    }

    /// <summary>Scores a batch of candidates in one ONNX Runtime call.</summary>
    /// <exception cref="ArgumentException"><paramref name="predictions"/> is shorter than <paramref name="features"/>.</exception>
    /// <exception cref="ModelDataException">A feature value the model cannot take; the message names the candidate's 0-based index.</exception>
    /// <exception cref="ModelFileException">ONNX Runtime failed to run the model at this batch size.</exception>
    public void Predict(ReadOnlySpan<TFeatures> features, Span<TPrediction> predictions)
    {
        if (predictions.Length < features.Length)
            throw new ArgumentException($"predictions has {predictions.Length} elements but features has {features.Length}.", nameof(predictions));
        Enter();
        Buffers? buffers = null;
        try
        {
            if (features.IsEmpty)
                return;
            buffers = Rent(features.Length);
            for (var i = 0; i < features.Length; i++)
            {
                try
                {
                    Encode(features[i], buffers.Categorical.AsSpan(i * _categorical, _categorical), buffers.Numeric.AsSpan(i * _numeric, _numeric));
                    if (_strings > 0)
                        EncodeStrings(features[i], buffers.Strings.AsSpan(i * _strings, _strings));
                }
                catch (ModelDataException e)
                {
                    throw e.At($"candidate at index {i}");
                }
            }
            Score(buffers);
            Span<float> outputs = stackalloc float[Schema.ServedColumns];
            for (var i = 0; i < features.Length; i++)
            {
                Gather(buffers, i, outputs);
                predictions[i] = Decode(outputs);
            }
        }
        finally
        {
            Leave(buffers);
        }
    }

    /// <summary>Candidate <paramref name="row"/>'s values of every output, side by side.</summary>
    private void Gather(Buffers buffers, int row, Span<float> outputs)
    {
        var column = 0;
        for (var o = 0; o < _outputWidths.Length; o++)
        {
            var width = _outputWidths[o];
            if (width == 1)
                outputs[column] = buffers.Outputs[o][row];
            else
                buffers.Outputs[o].AsSpan(row * width, width).CopyTo(outputs.Slice(column, width));
            column += width;
        }
    }

    /// <summary>Runs the model on encoded buffers; a graph that fails at this batch size, which the checks at open did not try, is named.</summary>
    private void Score(Buffers buffers)
    {
        try
        {
            buffers.CopyStrings();
            _session.RunWithBinding(_runOptions, buffers.Binding);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelFileException($"ONNX model '{_path}' failed to score {buffers.Rows} candidates: {e.Message}", e);
        }
    }

    /// <summary>Counts a call in, unless the predictor is disposed or its session already released.</summary>
    private void Enter()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        for (var seen = Volatile.Read(ref _references); ;)
        {
            ObjectDisposedException.ThrowIf(seen == 0, this);
            var found = Interlocked.CompareExchange(ref _references, seen + 1, seen);
            if (found == seen)
                return;
            seen = found;
        }
    }

    /// <summary>Returns a call's buffers and counts it out; the last one out after Dispose releases the session.</summary>
    private void Leave(Buffers? buffers)
    {
        if (buffers is not null)
            Return(buffers);
        Release();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0)
            return;
        foreach (var pool in _pools.Values)
        {
            while (pool.TryTake(out var buffers))
                buffers.Dispose();
        }
        _session.Dispose();
        _runOptions.Dispose();
    }

    /// <summary>Pooled buffers for <paramref name="rows"/> candidates, or new ones bound to the session.</summary>
    private Buffers Rent(int rows) =>
        _pools.TryGetValue(rows, out var pool) && pool.TryTake(out var buffers)
            ? buffers
            : new Buffers(_session, rows, _categorical, _numeric, _strings, _inputNames, _outputNames, _outputWidths);

    private void Return(Buffers buffers)
    {
        if (!_pools.TryGetValue(buffers.Rows, out var pool) && _pools.Count < PooledBatchSizes)
            pool = _pools.GetOrAdd(buffers.Rows, static _ => []);
        if (pool is null)
            buffers.Dispose();
        else
            pool.Add(buffers);
    }

    /// <summary>Releases the session once calls in flight have finished; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Gives up the owner's reference: the session and pooled buffers go when no call is in flight.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || !disposing)
            return;
        Release();
    }

    /// <summary>
    /// Input and output arrays for a number of candidates (on the pinned heap, as ONNX Runtime reads and
    /// writes them in place for as long as they live), with values over them bound to the session once.
    /// </summary>
    private sealed class Buffers : IDisposable
    {
        private readonly OrtValue[] _values;
        private readonly OrtValue? _stringTensor;

        public Buffers(InferenceSession session, int rows, int categorical, int numeric, int strings, string[] inputNames, string[] outputNames, int[] outputWidths)
        {
            Rows = rows;
            Categorical = GC.AllocateArray<long>(rows * categorical, pinned: true);
            Numeric = GC.AllocateArray<float>(rows * numeric, pinned: true);
            Strings = new string[rows * strings];
            Array.Fill(Strings, "");
            Outputs = outputWidths.Select(width => GC.AllocateArray<float>(rows * width, pinned: true)).ToArray();
            var inputs = new System.Collections.Generic.List<OrtValue>(2);
            if (categorical > 0)
                inputs.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Categorical.AsMemory(), [rows, categorical]));
            if (numeric > 0)
                inputs.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Numeric.AsMemory(), [rows, numeric]));
            if (strings > 0)
                inputs.Add(_stringTensor = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, [rows, strings]));
            var outputs = Outputs.Select((o, i) => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, o.AsMemory(),
                outputWidths[i] == 1 ? new long[] { rows } : new long[] { rows, outputWidths[i] })).ToArray();
            _values = [.. inputs, .. outputs];
            Binding = session.CreateIoBinding();
            try
            {
                for (var i = 0; i < inputNames.Length; i++)
                    Binding.BindInput(inputNames[i], inputs[i]);
                for (var i = 0; i < outputNames.Length; i++)
                    Binding.BindOutput(outputNames[i], outputs[i]);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public int Rows { get; }
        public long[] Categorical { get; }
        public float[] Numeric { get; }
        public float[][] Outputs { get; }

        /// <summary>The <c>strings</c> input as encoded, copied into ONNX Runtime's string tensor by <see cref="CopyStrings"/> (string tensors are native).</summary>
        public string[] Strings { get; }

        public void CopyStrings()
        {
            for (var i = 0; i < Strings.Length; i++)
                _stringTensor!.StringTensorSetElementAt(Strings[i].AsSpan(), i);
        }

        /// <summary>The inputs and outputs bound to the session: a run reads and writes the arrays in place.</summary>
        public OrtIoBinding Binding { get; }

        public void Dispose()
        {
            Binding.Dispose();
            foreach (var value in _values)
                value.Dispose();
        }
    }
}
