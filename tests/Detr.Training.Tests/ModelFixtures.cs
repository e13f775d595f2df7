using System.Text.Json;
using Detr.Training.Modeling;
using static TorchSharp.torch;

namespace Detr.Training.Tests;

/// <summary>The parity fixtures of tests/fixtures/make_model_fixtures.py: weights, inputs and the reference outputs.</summary>
static class ModelFixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "fixtures", "model", name);

    public static DetrConfig Config(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path($"detr_{name}_io.json")));
        return ConfigFromJson(doc.RootElement.GetProperty("config"));
    }

    public static DetrConfig ConfigFromJson(JsonElement c) => new()
    {
        Backbone = (ResNetDepth)c.GetProperty("depth").GetInt32(),
        BackboneBaseWidth = c.GetProperty("width").GetInt32(),
        Dilation = c.GetProperty("dilation").GetBoolean(),
        HiddenDim = c.GetProperty("hidden").GetInt32(),
        Heads = c.GetProperty("heads").GetInt32(),
        EncoderLayers = c.GetProperty("enc").GetInt32(),
        DecoderLayers = c.GetProperty("dec").GetInt32(),
        FeedForwardDim = c.GetProperty("ffn").GetInt32(),
        Queries = c.GetProperty("queries").GetInt32(),
        NumClasses = c.GetProperty("classes").GetInt32(),
        PreNorm = c.GetProperty("pre_norm").GetBoolean(),
        PositionEmbedding = c.GetProperty("position").GetString() == "sine" ? PositionEmbeddingKind.Sine : PositionEmbeddingKind.Learned,
    };

    public static Tensor Tensor(string name, string tensor) => Bin($"detr_{name}", tensor);

    /// <summary>The float32 file <c>&lt;fixture&gt;_&lt;tensor&gt;.bin</c>, shaped as <c>&lt;fixture&gt;_io.json</c> says.</summary>
    public static Tensor Bin(string fixture, string tensor)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path($"{fixture}_io.json")));
        var shape = doc.RootElement.GetProperty("shapes").GetProperty($"{fixture}_{tensor}").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var bytes = File.ReadAllBytes(Path($"{fixture}_{tensor}.bin"));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return TorchSharp.torch.tensor(values, shape);
    }

    /// <summary>Every decoder layer's output of a model run, stacked like the reference's [layers, B, Q, ·].</summary>
    public static (Tensor Logits, Tensor Boxes) Stacked(DetrOutputs outputs) =>
        (stack(outputs.Auxiliary.Select(a => a.Logits).Append(outputs.Logits), 0),
         stack(outputs.Auxiliary.Select(a => a.Boxes).Append(outputs.Boxes), 0));

    public static float MaxAbsDifference(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    /// <summary>Runs <paramref name="model"/> on fixture <paramref name="name"/>'s "single" or "batch" input and checks every decoder layer's outputs against the reference's (≤ 1e-4).</summary>
    public static void AssertReferenceOutputs(DetectionTransformer model, string name, string input)
    {
        var images = Tensor(name, $"{input}_images");
        var mask = Tensor(name, $"{input}_mask").to(ScalarType.Bool);
        using var noGrad = no_grad();
        var (logits, boxes) = Stacked(model.forward(images, mask));
        foreach (var (what, actual) in new[] { ("logits", logits), ("boxes", boxes) })
        {
            var expected = Tensor(name, $"{input}_{what}");
            Assert.Equal(expected.shape, actual.shape);
            var difference = MaxAbsDifference(expected, actual);
            Assert.True(difference <= 1e-4f, $"{name} {input}: {what} differ from the reference's by {difference}");
        }
    }
}
