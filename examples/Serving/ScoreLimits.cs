namespace Serving;

/// <summary>How large a /score body may be: bounded by the candidate limit, so an oversized body is refused before it is read.</summary>
internal static class ScoreLimits
{
    /// <summary>Room per candidate: about four times a compact VideoRanker candidate, so spacing and long decimals fit.</summary>
    public const int BytesPerCandidate = 256;

    /// <summary>Room for the envelope around the candidates.</summary>
    public const int EnvelopeBytes = 1024;

    public static long MaxBodyBytes(int maxCandidates) => EnvelopeBytes + (long)maxCandidates * BytesPerCandidate;
}
