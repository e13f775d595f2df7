using Detr.MLNet.Scoring;
using Microsoft.ML;
using Proto = Detr.MLNet.Tests.Scoring.OnnxProto;

namespace Detr.MLNet.Tests.Scoring;

public class OnnxExternalDataTests
{
    readonly MLContext _ml = new(seed: 0);

    // TensorProto: dims 1, data_type 2, name 8, external_data 13 {key 1, value 2}, data_location 14 (1 = EXTERNAL).
    static byte[] ExternalTensor(string name, string location) => Proto.Message(
        Proto.Varint(1, 4), Proto.Varint(2, 1), Proto.Text(8, name),
        Proto.Bytes(13, Proto.Message(Proto.Text(1, "location"), Proto.Text(2, location))),
        Proto.Bytes(13, Proto.Message(Proto.Text(1, "offset"), Proto.Text(2, "0"))),
        Proto.Varint(14, 1));

    // ModelProto: ir_version 1, opset_import 8 {version 2}, graph 7 (GraphProto: node 1, name 2, initializer 5).
    static byte[] Model(byte[] graph, params byte[][] before) => Proto.Message(
        [.. before, Proto.Varint(1, 8), Proto.Bytes(8, Proto.Varint(2, 17)), Proto.Bytes(7, graph)]);

    static byte[] GraphWithInitializer(string location) =>
        Proto.Message(Proto.Text(2, "g"), Proto.Bytes(5, ExternalTensor("backbone.weight", location)));

    static string Write(TempFolder folder, byte[] model)
    {
        string path = Path.Combine(folder.Path, "escaping.onnx");
        File.WriteAllBytes(path, model);
        return path;
    }

    [Theory]
    [InlineData("../../secret.bin")]
    [InlineData("/etc/passwd")]
    [InlineData("weights/../../outside.bin")]
    public void ReferenceLeavingTheModelFolderIsRefusedNamingFileTensorAndPath(string location)
    {
        using var folder = new TempFolder();
        string path = Write(folder, Model(GraphWithInitializer(location)));
        var e = Assert.Throws<InvalidDataException>(() => _ml.Transforms.ApplyDetr(path));
        Assert.Contains("escaping.onnx", e.Message);
        Assert.Contains("backbone.weight", e.Message);
        Assert.Contains(location, e.Message);
        Assert.Contains("outside the model's folder", e.Message);
    }

    [Fact]
    public void ReferenceInsideASubgraphOrAfterAGroupIsFoundToo()
    {
        using var folder = new TempFolder();
        // An If node (NodeProto: op_type 4, attribute 5) whose then_branch (AttributeProto: name 1, g 6) holds the tensor.
        var attribute = Proto.Message(Proto.Text(1, "then_branch"), Proto.Bytes(6, GraphWithInitializer("../up.bin")));
        var graph = Proto.Message(Proto.Bytes(1, Proto.Message(Proto.Text(4, "If"), Proto.Bytes(5, attribute))));
        var nested = Assert.Throws<InvalidDataException>(() => _ml.Transforms.ApplyDetr(Write(folder, Model(graph))));
        Assert.Contains("../up.bin", nested.Message);
        // A deprecated group field (wire types 3 and 4) before the graph is skipped, not a place to stop looking.
        byte[] group = [(99 << 3 | 3) & 0x7F | 0x80, (99 << 3 | 3) >> 7, 0x08, 0x01, (99 << 3 | 4) & 0x7F | 0x80, (99 << 3 | 4) >> 7];
        var afterGroup = Assert.Throws<InvalidDataException>(() => _ml.Transforms.ApplyDetr(Write(folder, Model(GraphWithInitializer("/abs.bin"), group))));
        Assert.Contains("/abs.bin", afterGroup.Message);
    }

    [Fact]
    public void InMemoryModelIsCheckedAgainstTheWorkingDirectory()
    {
        var options = new DetrScoringOptions { ModelBytes = Model(GraphWithInitializer("../../secret.bin")) };
        var e = Assert.Throws<InvalidDataException>(() => _ml.Transforms.ApplyDetr(options));
        Assert.Contains("in-memory model", e.Message);
        Assert.Contains("../../secret.bin", e.Message);
    }

    [Fact]
    public void ReferenceInsideTheFolderIsLeftToOnnxRuntime()
    {
        using var folder = new TempFolder();
        string path = Write(folder, Model(GraphWithInitializer("weights/backbone.bin")));
        // Not refused by the check; ONNX Runtime then fails on this graph-less toy for its own reasons.
        var e = Assert.ThrowsAny<Exception>(() => _ml.Transforms.ApplyDetr(path));
        Assert.DoesNotContain("outside the model's folder", e.Message);
    }
}
