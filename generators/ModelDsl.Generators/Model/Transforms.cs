namespace ModelDsl.Generators.Model;

/// <summary>The bits of <c>ModelDsl.NumericTransform</c>, mirrored here: the generator references no runtime assembly.</summary>
internal static class Transforms
{
    public const int Log1p = 1;
    public const int Standardize = 2;

    /// <summary>The C# expression of a set of flags, e.g. <c>NumericTransform.Log1p | NumericTransform.Standardize</c>.</summary>
    public static string Expression(int flags) => flags switch
    {
        0 => "global::ModelDsl.NumericTransform.None",
        Log1p => "global::ModelDsl.NumericTransform.Log1p",
        Standardize => "global::ModelDsl.NumericTransform.Standardize",
        _ => "global::ModelDsl.NumericTransform.Log1p | global::ModelDsl.NumericTransform.Standardize",
    };
}
