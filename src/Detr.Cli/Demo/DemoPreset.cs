using Detr.Training.Modeling;
using Detr.Training.Trainers;

namespace Detr.Cli.Demo;

/// <summary>How big the demo runs: dataset size, model size and training budget (the recipe is <see cref="DetrRecipes.FromScratch"/>).</summary>
public sealed record DemoPreset(string Name, int TrainImages, int ValidationImages, int ImageSize, TimeSpan TrainingBudget, int MaxEpochs,
    int ValidateEveryEpochs, IDetrArchitecture Model)
{
    /// <summary>A few minutes on two cores.</summary>
    public static DemoPreset Short { get; } = new("short", 1600, 100, 128, TimeSpan.FromMinutes(5), 40, 3, DetrRecipes.SmallDeformableModel);

    /// <summary>Half an hour on two cores, aiming at the trainer's target of AP50 ≥ 0.8 on the held-out shapes.</summary>
    public static DemoPreset Long { get; } = new("long", 2000, 200, 128, TimeSpan.FromMinutes(28), 45, 2, DetrRecipes.SmallDeformableModel);

    /// <summary>Seconds, for tests and CI.</summary>
    public static DemoPreset Tiny { get; } = new("tiny", 6, 3, 64, TimeSpan.FromSeconds(15), 2, 1, DetrRecipes.TinyDeformableModel);

    /// <summary>The preset named <paramref name="name"/>.</summary>
    public static DemoPreset Named(string name) => name.ToLowerInvariant() switch
    {
        "short" => Short,
        "long" => Long,
        "tiny" => Tiny,
        _ => throw new ArgumentException($"Unknown preset '{name}'; use short, long or tiny."),
    };
}
