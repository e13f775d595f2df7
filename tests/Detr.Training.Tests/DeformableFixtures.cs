using System.Text.Json;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using Detr.Training.Weights;
using static TorchSharp.torch;

namespace Detr.Training.Tests;

/// <summary>The parity fixtures of tests/fixtures/make_deformable_fixtures.py (the reference's own code, pure-PyTorch sampling).</summary>
static class DeformableFixtures
{
    public static string Path(string file) => System.IO.Path.Combine(AppContext.BaseDirectory, "fixtures", "deformable", file);

    public static JsonElement Io(string variant) => JsonDocument.Parse(File.ReadAllText(Path($"deformable_{variant}_io.json"))).RootElement;

    public static DeformableDetrConfig Config(string variant)
    {
        var c = Io(variant).GetProperty("config");
        return new DeformableDetrConfig
        {
            Backbone = (ResNetDepth)c.GetProperty("depth").GetInt32(),
            BackboneBaseWidth = c.GetProperty("width").GetInt32(),
            HiddenDim = c.GetProperty("hidden").GetInt32(),
            Heads = c.GetProperty("heads").GetInt32(),
            FeatureLevels = c.GetProperty("levels").GetInt32(),
            EncoderPoints = c.GetProperty("enc_points").GetInt32(),
            DecoderPoints = c.GetProperty("dec_points").GetInt32(),
            EncoderLayers = c.GetProperty("enc").GetInt32(),
            DecoderLayers = c.GetProperty("dec").GetInt32(),
            FeedForwardDim = c.GetProperty("ffn").GetInt32(),
            Queries = c.GetProperty("queries").GetInt32(),
            NumClasses = c.GetProperty("classes").GetInt32(),
            BoxRefine = c.GetProperty("box_refine").GetBoolean(),
            TwoStage = c.GetProperty("two_stage").GetBoolean(),
            Dropout = 0.0,
        };
    }

    /// <summary>The fixture's model with the reference's weights loaded exactly, in eval mode.</summary>
    public static DeformableDetrModel Model(string variant)
    {
        var model = new DeformableDetrModel(Config(variant));
        var (weights, _) = SafetensorsFile.Read(Path($"deformable_{variant}.safetensors"));
        var report = StateDictLoader.Load(model, weights, source: $"deformable_{variant}.safetensors");
        foreach (var t in weights.Values)
            t.Dispose();
        if (!report.IsExact)
            throw new InvalidDataException(report.ToString());
        model.eval();
        return model;
    }

    /// <summary>The float32 file <c>deformable_&lt;variant&gt;_&lt;tensor&gt;.bin</c>, shaped as its io.json says.</summary>
    public static Tensor Bin(string variant, string tensor)
    {
        var shape = Io(variant).GetProperty("shapes").GetProperty($"deformable_{variant}_{tensor}").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var bytes = File.ReadAllBytes(Path($"deformable_{variant}_{tensor}.bin"));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return TorchSharp.torch.tensor(values, shape);
    }
}
