using System;

namespace ModelDsl;

/// <summary>
/// Marks a partial class as a multi-task model. The build generates the nested types
/// <c>Features</c>, <c>Prediction</c>, <c>Network</c>, <c>Trainer</c> and <c>Predictor</c> from the
/// feature, task and architecture attributes on the class and its members.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
sealed partial class MultiTaskModelAttribute : Attribute
{
}
