namespace ModelDsl.Generators.Diagnostics;

/// <summary>
/// The generator's diagnostic ids, one constant per <see cref="DiagnosticDescriptors"/> entry. The code fixes
/// compile this file too. An id is never reused: a retired one (MDSL022, merged into MDSL011) stays
/// listed in AnalyzerReleases.Unshipped.md.
/// </summary>
internal static class DiagnosticIds
{
    public const string NotPartial = "MDSL001";
    public const string Nested = "MDSL002";
    public const string Generic = "MDSL003";
    public const string NoArchitecture = "MDSL004";
    public const string SeveralArchitectures = "MDSL005";
    public const string NoTask = "MDSL006";
    public const string NoFeature = "MDSL007";
    public const string UnsupportedType = "MDSL008";
    public const string NotPositive = "MDSL009";
    public const string NegativeLossWeight = "MDSL010";
    public const string ValueOutOfRange = "MDSL011";
    public const string SeveralRoles = "MDSL012";
    public const string ReservedName = "MDSL013";
    public const string NotInstanceMember = "MDSL014";
    public const string UnknownGiven = "MDSL015";
    public const string GivenNotBinary = "MDSL016";
    public const string GivenCycle = "MDSL017";
    public const string UnknownWeightedTask = "MDSL018";
    public const string TaskWeightedTwice = "MDSL019";
    public const string PositivesOnlyNotBinary = "MDSL020";
    public const string ReservedClassName = "MDSL021";
    public const string SizeOnScalar = "MDSL023";
    public const string SequenceArgumentOnScalar = "MDSL024";
    public const string GroupMismatch = "MDSL025";
    public const string OutOfVocabularyOnString = "MDSL026";
    public const string InvalidColumn = "MDSL027";
    public const string InvalidDataArgument = "MDSL031";
    public const string UndefinedEnumValue = "MDSL028";
    public const string InheritedMember = "MDSL029";
    public const string LanguageVersionTooLow = "MDSL030";
    public const string LargeModel = "MDSL032";
    public const string EmbeddingTableTooLarge = "MDSL033";
    public const string OverMemoryBudget = "MDSL034";
    public const string InvalidBuildProperty = "MDSL035";
    public const string InvalidClasses = "MDSL036";
    public const string InvalidClassEnum = "MDSL037";
    public const string FusionOfOneTask = "MDSL040";
    public const string UnknownPrior = "MDSL044";
    public const string NoPrior = "MDSL045";
    public const string PriorTwice = "MDSL046";
    public const string NoTowerToPersonalize = "MDSL047";
    public const string CounterfactualWithoutGiven = "MDSL048";
    public const string CounterfactualArgumentUnused = "MDSL049";
    public const string VocabularyRowsOverflow = "MDSL050";
    public const string LearnedOnUnsupportedType = "MDSL052";
    public const string LearnedVocabularySize = "MDSL053";
    public const string LearnedWithReplacedArgument = "MDSL054";
    public const string LearnedArgumentWithoutLearned = "MDSL055";
}
