using System.Globalization;
using Detr.Training.Modeling;
using Detr.Training.Weights;
using static TorchSharp.torch;

namespace Detr.Bench;

/// <summary>
/// The files one comparison shares with its Python baseline, in bench/artifacts/NAME/ (git-ignored): the weights
/// (reference key names), the inputs, and the baseline's own results to check against, all written by the baseline
/// as float32 safetensors.
/// </summary>
sealed class BaselineCase(string name, int seed, int threads)
{
    public string Folder { get; } = Path.Combine(RepositoryPaths.Root, "bench", "artifacts", name);

    public string Weights => File("weights.safetensors");

    public string File(string fileName) => Path.Combine(Folder, fileName);

    /// <summary>The options every baseline script takes, then <paramref name="more"/> (numbers written invariantly).</summary>
    public IEnumerable<string> Arguments(params object[] more) =>
        new object[] { "--case", Folder, "--seed", seed, "--threads", threads }.Concat(more).Select(a => Convert.ToString(a, CultureInfo.InvariantCulture)!);

    public Dictionary<string, Tensor> Inputs() => SafetensorsFile.Read(File("inputs.safetensors")).Tensors;

    /// <summary>
    /// The training comparisons' batch: images [2,3,H,W], padding mask [2,H,W] and each image's labels and boxes, as
    /// the baseline's <c>reference.padded_batch</c> drew them.
    /// </summary>
    public (Tensor Images, Tensor Padding, List<DetrTarget> Targets) TrainingBatch()
    {
        var inputs = Inputs();
        var targets = Enumerable.Range(0, 2).Select(i => new DetrTarget(inputs[$"labels_{i}"].to(ScalarType.Int64), inputs[$"boxes_{i}"])).ToList();
        return (inputs["images"], inputs["padding"].to(ScalarType.Bool), targets);
    }

    public Dictionary<string, Tensor> Check() => SafetensorsFile.Read(File("check.safetensors")).Tensors;
}
