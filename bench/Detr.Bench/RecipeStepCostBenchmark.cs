using System.Diagnostics;
using System.Globalization;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using Detr.Training.Trainers;
using static TorchSharp.torch;

namespace Detr.Bench;

/// <summary>
/// What a change to the from-scratch recipe costs per training step: the recipe's model and the named variants of it
/// (wider backbone, wider transformer, more layers, larger images, the dense auxiliary head, ...), each a full
/// <see cref="DetrTrainingStep"/> on a batch of 8 random images with 3 boxes each, timed in interleaved rounds so a
/// machine whose speed drifts affects them alike. Prints the median milliseconds per step and the paired ratio to the
/// recipe, which turns a per-epoch gain into a per-minute one.
/// </summary>
static class RecipeStepCostBenchmark
{
    const int Batch = 8, Boxes = 3, Classes = 3, Size = 160;

    /// <summary>Every variant this benchmark knows: a change to the recipe's model and the image side it trains at.</summary>
    static readonly Dictionary<string, (Func<DeformableDetrConfig, DeformableDetrConfig> Change, int Size)> Variants = new()
    {
        ["recipe"] = (c => c, Size),
        ["width24"] = (c => c with { BackboneBaseWidth = 24 }, Size),
        ["width32"] = (c => c with { BackboneBaseWidth = 32 }, Size),
        ["width48"] = (c => c with { BackboneBaseWidth = 48 }, Size),
        ["width64"] = (c => c with { BackboneBaseWidth = 64 }, Size),
        ["width32-dense"] = (c => c with { BackboneBaseWidth = 32, DenseAuxiliaryHead = true }, Size),
        ["hidden128"] = (c => c with { HiddenDim = 128 }, Size),
        ["layers3"] = (c => c with { EncoderLayers = 3, DecoderLayers = 3 }, Size),
        ["size192"] = (c => c, 192),
        ["size224"] = (c => c, 224),
        ["dense"] = (c => c with { DenseAuxiliaryHead = true }, Size),
        ["points2"] = (c => c with { EncoderPoints = 2, DecoderPoints = 2 }, Size),
        ["levels3"] = (c => c with { FeatureLevels = 3 }, Size),
    };

    public static int Run(string[] names, int rounds, int steps)
    {
        MachineReport.Print();
        set_num_threads(2);
        var unknown = names.Where(n => !Variants.ContainsKey(n)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"Unknown variant(s) {string.Join(", ", unknown)}; known: {string.Join(", ", Variants.Keys)}.");
        if (!names.Contains("recipe"))
            names = ["recipe", .. names];
        var runs = names.Select(n => new VariantRun(n, Variants[n].Change(DetrRecipes.SmallDeformableModel with { NumClasses = Classes }), Variants[n].Size)).ToList();
        Console.WriteLine($"\nrecipe-step-cost: batch {Batch}, {Boxes} boxes per image, {steps} steps per variant and round after one warm-up round, {rounds} rounds, 2 threads");
        foreach (var run in runs)
            run.Time(steps); // warm-up
        foreach (var run in runs)
            run.Reset();
        for (int round = 0; round < rounds; round++)
            for (int i = 0; i < runs.Count; i++)
                runs[(i + round) % runs.Count].Time(steps);

        var recipe = runs[0];
        Console.WriteLine($"{"variant",-10} {"ms/step",9} {"best",8} {"× recipe",9}");
        foreach (var run in runs)
        {
            double paired = Statistics.Median(run.Milliseconds.Zip(recipe.Milliseconds, (a, b) => a / b).ToArray());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run.Name,-10} {Statistics.Median(run.Milliseconds),9:F1} {run.Milliseconds.Min(),8:F1} {paired,9:F3}"));
        }
        foreach (var run in runs)
            run.Dispose();
        return 0;
    }

    sealed class VariantRun : IDisposable
    {
        readonly DetectionTransformer _model;
        readonly DetrTrainingStep _step;
        readonly Tensor _images, _padding;
        readonly List<DetrTarget> _targets;

        public VariantRun(string name, DeformableDetrConfig config, int size)
        {
            Name = name;
            manual_seed(1);
            _model = config.CreateModel();
            _model.train();
            var options = DetrRecipes.FromScratch(new DatasetProfile(600, Classes, size, 6, 0.3)).Options;
            options.Model = config;
            _step = new DetrTrainingStep(_model, options);
            _images = randn(Batch, 3, size, size);
            _padding = zeros(Batch, size, size, dtype: ScalarType.Bool);
            _targets = Enumerable.Range(0, Batch).Select(_ => new DetrTarget(arange(Boxes, dtype: ScalarType.Int64),
                cat([rand(Boxes, 2) * 0.4 + 0.3, rand(Boxes, 2) * 0.2 + 0.1], 1))).ToList();
        }

        public string Name { get; }

        /// <summary>Mean milliseconds per step of each timed round.</summary>
        public List<double> Milliseconds { get; } = [];

        public void Time(int steps)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < steps; i++)
                _step.Run(_images, _padding, _targets);
            Milliseconds.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds / steps);
        }

        public void Reset() => Milliseconds.Clear();

        public void Dispose()
        {
            _step.Dispose();
            _model.Dispose();
            _images.Dispose();
            _padding.Dispose();
        }
    }
}
