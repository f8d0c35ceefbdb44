using System;

namespace ModelDsl;

/// <summary>
/// A sample or feature value the model cannot take: an id outside its vocabulary, a NaN or infinite
/// number, a label outside its task's range. The message names the model member and the value.
/// </summary>
public sealed class ModelDataException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelDataException(string message) : base(message) { }

    /// <summary>Creates the exception with an inner cause.</summary>
    public ModelDataException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public ModelDataException() { }

    /// <summary>Adds where the value came from (a sample index, a file row) in front of the message.</summary>
    internal ModelDataException At(string where) => new($"{where}: {Message}", this);
}
