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

    public static Tensor Tensor(string name, string tensor)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path($"detr_{name}_io.json")));
        var shape = doc.RootElement.GetProperty("shapes").GetProperty($"detr_{name}_{tensor}").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var bytes = File.ReadAllBytes(Path($"detr_{name}_{tensor}.bin"));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return TorchSharp.torch.tensor(values, shape);
    }

    /// <summary>Every decoder layer's output of a model run, stacked like the reference's [layers, B, Q, ·].</summary>
    public static (Tensor Logits, Tensor Boxes) Stacked(DetrOutputs outputs) =>
        (stack(outputs.Auxiliary.Select(a => a.Logits).Append(outputs.Logits), 0),
         stack(outputs.Auxiliary.Select(a => a.Boxes).Append(outputs.Boxes), 0));

    public static float MaxAbsDifference(Tensor a, Tensor b) => (a - b).abs().max().item<float>();
}
