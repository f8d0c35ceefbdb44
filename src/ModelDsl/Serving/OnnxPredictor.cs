using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using ModelDsl.Onnx;

namespace ModelDsl.Serving;

/// <summary>
/// Serves an exported model with ONNX Runtime behind typed features and predictions. Thread-safe:
/// one session is shared, and each call takes its own input and output buffers from a pool, so a
/// single-candidate call in steady state reuses pre-built <see cref="OrtValue"/>s bound once to an
/// <see cref="OrtIoBinding"/> and allocates no managed memory.
/// </summary>
/// <typeparam name="TFeatures">The generated <c>Features</c> record.</typeparam>
/// <typeparam name="TPrediction">The generated <c>Prediction</c> record.</typeparam>
public abstract class OnnxPredictor<TFeatures, TPrediction> : IDisposable
    where TFeatures : struct
    where TPrediction : struct
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly ConcurrentBag<Buffers> _singles = [];
    private readonly int _categorical;
    private readonly int _numeric;
    private volatile bool _disposed;

    /// <summary>Opens the model file and checks it belongs to <paramref name="schema"/>.</summary>
    /// <exception cref="System.IO.FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFileException">The file is not an ONNX model, or was exported from another spec.</exception>
    protected OnnxPredictor(string path, ModelSchema schema, SessionOptions? options)
    {
        Schema = schema ?? throw new ArgumentNullException(nameof(schema));
        _session = ModelSession.Open(path, schema, options);
        (_categorical, _numeric) = (schema.CategoricalCount, schema.NumericCount);
        _inputNames = new[] { (_categorical, OnnxMetadata.CategoricalInput), (_numeric, OnnxMetadata.NumericInput) }
            .Where(i => i.Item1 > 0).Select(i => i.Item2).ToArray();
        _outputNames = schema.Outputs.Select(o => o.Name).ToArray();
    }

    /// <summary>The spec this predictor serves.</summary>
    public ModelSchema Schema { get; }

    /// <summary>Writes one candidate's model inputs; generated from the spec.</summary>
    protected abstract void Encode(in TFeatures features, Span<long> categorical, Span<float> numeric);

    /// <summary>Builds a prediction from one candidate's outputs, in <see cref="ModelSchema.Outputs"/> order; generated from the spec.</summary>
    protected abstract TPrediction Decode(ReadOnlySpan<float> outputs);

    /// <summary>Scores one candidate.</summary>
    /// <exception cref="ModelDataException">A feature value the model cannot take (e.g. an id outside its vocabulary).</exception>
    public TPrediction Predict(in TFeatures features)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_singles.TryTake(out var buffers))
            buffers = NewSingle();
        try
        {
            Encode(features, buffers.Categorical, buffers.Numeric);
            // The binding's values lie over the pooled arrays, so this run reads and writes them in place
            // (Run with name and value collections allocates a few small arrays per call; this does not).
            _session.RunWithBinding(_runOptions, buffers.Binding!);
            Span<float> outputs = stackalloc float[_outputNames.Length];
            for (var t = 0; t < outputs.Length; t++)
                outputs[t] = buffers.Outputs[t][0];
            return Decode(outputs);
        }
        finally
        {
            _singles.Add(buffers);
        }
    }

    /// <summary>Scores a batch of candidates in one ONNX Runtime call.</summary>
    /// <exception cref="ArgumentException"><paramref name="predictions"/> is shorter than <paramref name="features"/>.</exception>
    /// <exception cref="ModelDataException">A feature value the model cannot take; the message names the candidate index.</exception>
    public void Predict(ReadOnlySpan<TFeatures> features, Span<TPrediction> predictions)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (predictions.Length < features.Length)
            throw new ArgumentException($"predictions has {predictions.Length} elements but features has {features.Length}.", nameof(predictions));
        if (features.IsEmpty)
            return;
        using var buffers = new Buffers(features.Length, _categorical, _numeric, _outputNames.Length);
        for (var i = 0; i < features.Length; i++)
        {
            try
            {
                Encode(features[i], buffers.Categorical.AsSpan(i * _categorical, _categorical), buffers.Numeric.AsSpan(i * _numeric, _numeric));
            }
            catch (ModelDataException e)
            {
                throw e.At($"candidate {i}");
            }
        }
        Run(buffers);
        Span<float> outputs = stackalloc float[_outputNames.Length];
        for (var i = 0; i < features.Length; i++)
        {
            for (var t = 0; t < outputs.Length; t++)
                outputs[t] = buffers.Outputs[t][i];
            predictions[i] = Decode(outputs);
        }
    }

    /// <summary>Single-candidate buffers with their inputs and outputs bound once.</summary>
    private Buffers NewSingle()
    {
        var buffers = new Buffers(1, _categorical, _numeric, _outputNames.Length);
        try
        {
            buffers.Bind(_session, _inputNames, _outputNames);
            return buffers;
        }
        catch
        {
            buffers.Dispose();
            throw;
        }
    }

    private void Run(Buffers buffers) =>
        _session.Run(_runOptions, _inputNames, buffers.Inputs, _outputNames, buffers.OutputValues);

    /// <summary>Releases the session; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the session and pooled buffers.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!disposing)
            return;
        while (_singles.TryTake(out var buffers))
            buffers.Dispose();
        _session.Dispose();
        _runOptions.Dispose();
    }

    /// <summary>Input and output arrays of one call, with ONNX Runtime values over them (pinned, not copied).</summary>
    private sealed class Buffers : IDisposable
    {
        public Buffers(int rows, int categorical, int numeric, int tasks)
        {
            Categorical = ArrayPool<long>.Shared.Rent(rows * categorical);
            Numeric = ArrayPool<float>.Shared.Rent(rows * numeric);
            Outputs = Enumerable.Range(0, tasks).Select(_ => ArrayPool<float>.Shared.Rent(rows)).ToArray();
            var inputs = new System.Collections.Generic.List<OrtValue>(2);
            if (categorical > 0)
                inputs.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Categorical.AsMemory(0, rows * categorical), [rows, categorical]));
            if (numeric > 0)
                inputs.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Numeric.AsMemory(0, rows * numeric), [rows, numeric]));
            Inputs = inputs.ToArray();
            OutputValues = Outputs.Select(o => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, o.AsMemory(0, rows), [rows])).ToArray();
        }

        public long[] Categorical { get; }
        public float[] Numeric { get; }
        public float[][] Outputs { get; }
        public OrtValue[] Inputs { get; }
        public OrtValue[] OutputValues { get; }

        /// <summary>The inputs and outputs bound to a session, for calls that reuse these buffers; null until <see cref="Bind"/>.</summary>
        public OrtIoBinding? Binding { get; private set; }

        public void Bind(InferenceSession session, string[] inputNames, string[] outputNames)
        {
            Binding = session.CreateIoBinding();
            for (var i = 0; i < inputNames.Length; i++)
                Binding.BindInput(inputNames[i], Inputs[i]);
            for (var i = 0; i < outputNames.Length; i++)
                Binding.BindOutput(outputNames[i], OutputValues[i]);
        }

        public void Dispose()
        {
            Binding?.Dispose();
            foreach (var value in Inputs.Concat(OutputValues))
                value.Dispose();
            ArrayPool<long>.Shared.Return(Categorical);
            ArrayPool<float>.Shared.Return(Numeric);
            foreach (var output in Outputs)
                ArrayPool<float>.Shared.Return(output);
        }
    }
}
