using Detr.Training.Modeling;

namespace Detr.Cli.Demo;

/// <summary>How big the demo runs: dataset size, model size and training budget.</summary>
public sealed record DemoPreset(string Name, int TrainImages, int ValidationImages, int ImageSize, TimeSpan TrainingBudget, int MaxEpochs, DetrConfig Model)
{
    static readonly DetrConfig SmallModel = new()
    {
        Backbone = ResNetDepth.ResNet18, BackboneBaseWidth = 16, HiddenDim = 64, Heads = 4, EncoderLayers = 2, DecoderLayers = 2,
        FeedForwardDim = 256, Queries = 20, Dropout = 0.0,
    };

    /// <summary>A few minutes on two cores.</summary>
    public static DemoPreset Short { get; } = new("short", 96, 32, 128, TimeSpan.FromMinutes(4), 200, SmallModel);

    /// <summary>Long enough to reach a useful mAP on the shapes (about half an hour on two cores).</summary>
    public static DemoPreset Long { get; } = new("long", 480, 96, 128, TimeSpan.FromMinutes(28), 400, SmallModel);

    /// <summary>Seconds, for tests and CI.</summary>
    public static DemoPreset Tiny { get; } = new("tiny", 6, 3, 64, TimeSpan.FromSeconds(15), 2,
        SmallModel with { BackboneBaseWidth = 8, HiddenDim = 32, EncoderLayers = 1, DecoderLayers = 1, FeedForwardDim = 64, Queries = 8 });

    /// <summary>The preset named <paramref name="name"/>.</summary>
    public static DemoPreset Named(string name) => name.ToLowerInvariant() switch
    {
        "short" => Short,
        "long" => Long,
        "tiny" => Tiny,
        _ => throw new ArgumentException($"Unknown preset '{name}'; use short, long or tiny."),
    };
}
