namespace ModelDsl;

// The DSL's attribute classes are public here. The generator compiles their files too, but not this
// one, so there they stay internal (the default), as System.Text.Json's generator keeps its attributes.
public partial class AdaptiveTaskToTaskFusionAttribute;
public partial class BinaryTaskAttribute;
public partial class CategoricalAttribute;
public partial class ColumnAttribute;
public partial class EmbeddingPersonalizationAttribute;
public partial class LossWeightingAttribute;
public partial class MixtureOfExpertsAttribute;
public partial class MulticlassTaskAttribute;
public partial class MultiTaskModelAttribute;
public partial class NumericAttribute;
public partial class ParameterPersonalizationAttribute;
public partial class ProgressiveLayeredExtractionAttribute;
public partial class RegressionTaskAttribute;
public partial class RegularizationAttribute;
public partial class SampleWeightAttribute;
public partial class SharedBottomAttribute;
