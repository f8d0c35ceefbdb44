using System;

namespace ModelDsl;

/// <summary>
/// A model or checkpoint file that cannot be used: unreadable, not ONNX, or exported from another
/// model spec. The message names the file and what is wrong.
/// </summary>
public sealed class ModelFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelFileException(string message) : base(message) { }

    /// <summary>Creates the exception with an inner cause.</summary>
    public ModelFileException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public ModelFileException() { }
}
