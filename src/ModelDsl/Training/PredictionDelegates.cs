using System;

namespace ModelDsl.Training;

/// <summary>
/// Writes one candidate's model inputs: the generated <c>Features.Encode</c>, for <c>Trainer.Predict</c>.
/// A delegate of its own, as <see cref="SampleEncoder{TSample}"/> is: generated code compiles from C# 10,
/// where <c>Action</c> cannot take a span.
/// </summary>
public delegate void FeatureEncoder<TFeatures>(TFeatures features, Span<long> categorical, Span<float> numeric);

/// <summary>Builds one prediction from its row of outputs, in <see cref="ModelSchema.Outputs"/> order.</summary>
public delegate TPrediction OutputDecoder<TPrediction>(ReadOnlySpan<float> outputs);
