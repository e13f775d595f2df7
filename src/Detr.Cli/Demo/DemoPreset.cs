namespace Detr.Cli.Demo;

/// <summary>How big the demo runs: dataset size and training budget.</summary>
public sealed record DemoPreset(string Name, int TrainImages, int ValidationImages, int ImageSize, TimeSpan TrainingBudget, int MaxEpochs)
{
    /// <summary>A few minutes on two cores.</summary>
    public static DemoPreset Short { get; } = new("short", 96, 32, 128, TimeSpan.FromMinutes(4), 60);

    /// <summary>Long enough to reach a useful mAP on the shapes (about half an hour on two cores).</summary>
    public static DemoPreset Long { get; } = new("long", 600, 100, 128, TimeSpan.FromMinutes(28), 400);

    /// <summary>Seconds, for tests and CI.</summary>
    public static DemoPreset Tiny { get; } = new("tiny", 8, 4, 96, TimeSpan.FromSeconds(20), 2);

    /// <summary>The preset named <paramref name="name"/>.</summary>
    public static DemoPreset Named(string name) => name.ToLowerInvariant() switch
    {
        "short" => Short,
        "long" => Long,
        "tiny" => Tiny,
        _ => throw new ArgumentException($"Unknown preset '{name}'; use short, long or tiny."),
    };
}
