using System;
using System.Linq;
using System.Text;
using ApprovalTests;
using ApprovalTests.Namers;
using ApprovalTests.Reporters;
using ModelDsl.Layers;
using Onnx;
using Xunit;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// The file-format contract of each reference spec, which the fingerprint does not cover: the names
/// (and shapes) of the network's <c>state_dict</c> entries, which weights files and checkpoints store and
/// other implementations of the network mirror, and the names of the exported ONNX inputs and outputs,
/// which any ONNX host feeds and reads. Approved beside this file (<c>Snapshots/*.approved.txt</c>):
/// renaming a layer field, a parameter or an output fails here until the rename is approved on purpose.
/// </summary>
[UseReporter(typeof(QuietReporter))]
[UseApprovalSubdirectory("Snapshots")]
public class PersistenceNameTests
{
    [Theory]
    [InlineData(nameof(ReferenceModels.SharedBottom))]
    [InlineData(nameof(ReferenceModels.Mmoe))]
    [InlineData(nameof(ReferenceModels.Ple))]
    [InlineData(nameof(ReferenceModels.Funnel))]
    [InlineData(nameof(ReferenceModels.Features))]
    [InlineData(nameof(ReferenceModels.Keywords))]
    [InlineData(nameof(ReferenceModels.Adatt))]
    [InlineData(nameof(ReferenceModels.Pepnet))]
    [InlineData(nameof(ReferenceModels.Escm))]
    [InlineData(nameof(ReferenceModels.Multiclass))]
    public void NamesStayAsApproved(string model)
    {
        using (ApprovalResults.ForScenario(model))
            Approvals.Verify(Names((string)typeof(ReferenceModels).GetField(model)!.GetValue(null)!));
    }

    private static string Names(string model)
    {
        using var batch = SpecBatch.Compile([model]);
        using var network = (MultiTaskNetwork)Activator.CreateInstance(batch.Models[0]!.GetNestedType("Network")!)!;
        var text = new StringBuilder("state_dict\n");
        foreach (var (name, tensor) in network.state_dict())
            text.Append("  ").Append(name).Append(" [").Append(string.Join(", ", tensor.shape)).Append("]\n");
        var graph = network.ToOnnx().Graph;
        text.Append("onnx inputs\n");
        foreach (var input in graph.Input)
            text.Append("  ").Append(input.Name).Append(' ').Append((TensorProto.Types.DataType)input.Type.TensorType.ElemType).Append('\n');
        text.Append("onnx outputs\n");
        foreach (var output in graph.Output)
            text.Append("  ").Append(output.Name).Append('\n');
        return text.ToString();
    }
}
