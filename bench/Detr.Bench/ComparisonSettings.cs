using Detr.Training.Modeling;

namespace Detr.Bench;

/// <summary>Options shared by the .NET-vs-PyTorch comparisons; what is not given takes the benchmark's own default.</summary>
sealed class ComparisonSettings
{
    /// <summary>Architectures to run, by <see cref="ReferenceConfigs.Named"/>.</summary>
    public string[]? Configs { get; set; }

    /// <summary>Image height and width.</summary>
    public (int Height, int Width)? Size { get; set; }

    /// <summary>Timed rounds (each variant once per round).</summary>
    public int? Rounds { get; set; }

    /// <summary>Back-to-back calls of each variant per round.</summary>
    public int? Calls { get; set; }

    public int WarmupRounds { get; set; } = 1;

    /// <summary>Intra-op threads of TorchSharp, ONNX Runtime and PyTorch alike.</summary>
    public int Threads { get; set; } = 2;

    /// <summary>training-step: learning rate of the backbone (the reference's 1e-5); 0 freezes all of it, so no gradient flows into the trunk.</summary>
    public double BackboneLearningRate { get; set; } = 1e-5;

    /// <summary>export-speed: runs of each model under ONNX Runtime's per-node profiler afterwards (0: none).</summary>
    public int ProfileRuns { get; set; }

    /// <summary>Seed of the random weights and inputs (drawn by the Python baseline).</summary>
    public int Seed { get; set; }

    /// <summary>
    /// deformable-*: the extracted fundamentalvision/Deformable-DETR tree the baseline imports (--reference, else the
    /// DEFORMABLE_DETR environment variable).
    /// </summary>
    public string? DeformableReference { get; set; } = Environment.GetEnvironmentVariable("DEFORMABLE_DETR");

    /// <summary>The DETR architectures to run with their image sizes: those given, else the benchmark's defaults.</summary>
    public IEnumerable<(string Name, DetrConfig Config, int Height, int Width)> Cases(string[] defaultConfigs, Func<string, (int Height, int Width)> defaultSize) =>
        Cases(defaultConfigs, ReferenceConfigs.Named, defaultSize);

    /// <summary>The architectures to run, by <paramref name="named"/>, with their image sizes.</summary>
    public IEnumerable<(string Name, TConfig Config, int Height, int Width)> Cases<TConfig>(string[] defaultConfigs, Func<string, TConfig> named, Func<string, (int Height, int Width)> defaultSize)
    {
        foreach (string name in Configs ?? defaultConfigs)
        {
            var (height, width) = Size ?? defaultSize(name);
            yield return (name, named(name), height, width);
        }
    }

    /// <summary>The Deformable-DETR tree for the baseline, or an error saying how to get one.</summary>
    public string RequireDeformableReference() =>
        DeformableReference is { } root && Directory.Exists(Path.Combine(root, "models"))
            ? Path.GetFullPath(root)
            : throw new ArgumentException("The Deformable DETR baselines import the reference's own code: extract fundamentalvision/Deformable-DETR " +
                "(commit 11169a60) to a folder and pass --reference DIR or set DEFORMABLE_DETR (see bench/README.md).");
}
