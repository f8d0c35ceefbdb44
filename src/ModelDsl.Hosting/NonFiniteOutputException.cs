using System;

namespace ModelDsl.Hosting;

/// <summary>
/// The model answered NaN or an infinity for a candidate. JSON has no such numbers, and no ranking can use them:
/// the file's weights are damaged or its training diverged.
/// </summary>
public sealed class NonFiniteOutputException : Exception
{
    /// <summary>Creates the exception for <paramref name="output"/> of the candidate at <paramref name="candidate"/>.</summary>
    public NonFiniteOutputException(string model, string output, int candidate, float value)
        : base($"{model} answered {value} for output '{output}' of the candidate at index {candidate}; "
            + "a served model must answer finite numbers, so its weights are damaged or its training diverged.")
    {
        Output = output;
        Candidate = candidate;
        Value = value;
    }

    /// <summary>Creates the exception.</summary>
    public NonFiniteOutputException() { }

    /// <summary>Creates the exception.</summary>
    public NonFiniteOutputException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public NonFiniteOutputException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The output (a <c>Prediction</c> member) that is not finite.</summary>
    public string Output { get; } = "";

    /// <summary>The 0-based index of the candidate within its request.</summary>
    public int Candidate { get; }

    /// <summary>The value: NaN, +∞ or −∞.</summary>
    public float Value { get; }
}
