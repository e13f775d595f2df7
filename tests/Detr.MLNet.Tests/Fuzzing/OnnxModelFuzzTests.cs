using System.Text;
using Detr.MLNet.Labels;
using Detr.MLNet.Scoring;
using Detr.MLNet.Tests.Scoring;
using Detr.Tests.Shared;
using Xunit.Abstractions;

namespace Detr.MLNet.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of a tiny DETR ONNX model (a few hundred bytes, so most mutations hit its structure rather than
/// its weights), opened through <see cref="DetrScoringModel.Open"/>: the library's own protobuf walk (external data),
/// ONNX Runtime's parse, the signature and the metadata. Each case opens, or fails with <see cref="InvalidDataException"/>
/// naming the file; nothing crashes, hangs or allocates (managed) beyond a bound. A second test mutates the metadata
/// values alone (label JSON, post-processing, resize and normalisation), which the library parses itself.
/// </summary>
public class OnnxModelFuzzTests(ITestOutputHelper output)
{
    static readonly int Cases = FuzzCase.Count(2000);

    static readonly (string Key, string Value)[] Metadata =
    [
        (DetrModelMetadataKeys.Labels, """{"0": "cat", "1": "dog", "2": "bird"}"""),
        (DetrModelMetadataKeys.Postprocess, DetrModelMetadataKeys.SoftmaxPostprocess),
        (DetrModelMetadataKeys.ShortestEdge, "64"),
        (DetrModelMetadataKeys.LongestEdge, "96"),
        (DetrModelMetadataKeys.ImageMean, "[0.485, 0.456, 0.406]"),
        (DetrModelMetadataKeys.ImageStd, "[0.229, 0.224, 0.225]"),
    ];

    static byte[] Model(int mutated = -1, byte[]? value = null) =>
        OnnxProto.TinyDetr(Metadata.Select((m, i) => (m.Key, i == mutated ? value! : Encoding.UTF8.GetBytes(m.Value))));

    static void Open(string path)
    {
        using var model = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = path, IntraOpThreads = 1 });
    }

    static string Write(TempFolder folder, int index, byte[] bytes)
    {
        string path = Path.Combine(folder.Path, $"case{index}.onnx");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void MutatedOnnxModelsOpenOrFailWithInvalidData()
    {
        using var folder = new TempFolder();
        var valid = Model();
        string clean = Write(folder, -1, valid);
        using (var model = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = clean }))
        {
            Assert.Equal(["cat", "dog", "bird"], model.LabelNames);
            Assert.Equal(64, model.ShortestEdge);
        }
        var (loaded, refused) = FuzzCase.RunAll("onnx", Mutations.Of(valid, Cases, seed: 71), m => Write(folder, m.Index, m.Bytes), Open,
            TimeSpan.FromSeconds(20), 64L << 20);
        output.WriteLine($"onnx: {Cases} cases, {loaded} opened, {refused} refused (InvalidDataException)");
        Assert.True(refused > Cases / 4, "the mutations should mostly break the model");
    }

    [Fact]
    public void MutatedOnnxMetadataOpensOrFailsWithInvalidData()
    {
        using var folder = new TempFolder();
        int perKey = Cases / 2 / Metadata.Length;
        int loaded = 0, refused = 0;
        for (int key = 0; key < Metadata.Length; key++)
        {
            var valid = Encoding.UTF8.GetBytes(Metadata[key].Value);
            var tally = FuzzCase.RunAll($"onnx {Metadata[key].Key}", Mutations.Of(valid, perKey, seed: 72 + key, text: true),
                m => Write(folder, key * perKey + m.Index, Model(key, m.Bytes)), Open, TimeSpan.FromSeconds(20), 64L << 20);
            loaded += tally.Loaded;
            refused += tally.Refused;
        }
        output.WriteLine($"onnx metadata: {perKey * Metadata.Length} cases ({perKey} per key), {loaded} opened, {refused} refused (InvalidDataException)");
        Assert.True(refused > 0, "some mutations should break the metadata");
    }
}
