using System.Diagnostics;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using Detr.Training.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Bench;

/// <summary>
/// Where one training step of the from-scratch recipe goes: its model (<see cref="DetrRecipes.SmallDeformableModel"/>,
/// 3 classes) on a batch of 8 random 160×160 images with 3 boxes each, timed by part (forward, matching and losses,
/// backward, gradient clip, AdamW), then the backbone alone and one level's bilinear sampling at the encoder's shapes,
/// which the step repeats for every level of every encoder layer.
/// </summary>
static class TrainingPhasesBenchmark
{
    const int Batch = 8, Size = 160, Boxes = 3, Warmup = 5, Steps = 40;

    public static int Run()
    {
        MachineReport.Print();
        torch.set_num_threads(2);
        torch.manual_seed(1);
        var config = DetrRecipes.SmallDeformableModel with { NumClasses = 3 };
        var options = DetrRecipes.FromScratch(new DatasetProfile(600, 3, Size, 6, 0.3)).Options;
        options.Model = config;
        var model = new DeformableDetrModel(config);
        model.train();
        using var step = new DetrTrainingStep(model, options);
        var trainable = model.parameters().Where(p => p.requires_grad).ToArray();
        var images = randn(Batch, 3, Size, Size);
        var padding = zeros(Batch, Size, Size, dtype: ScalarType.Bool);
        var targets = Enumerable.Range(0, Batch).Select(_ => new DetrTarget(arange(Boxes, dtype: ScalarType.Int64),
            cat([rand(Boxes, 2) * 0.4 + 0.3, rand(Boxes, 2) * 0.2 + 0.1], 1))).ToList();
        Console.WriteLine($"\ntraining-phases: {config.Summary}, batch {Batch} at {Size}×{Size}, {Boxes} boxes per image, 2 threads, mean of {Steps} steps after {Warmup}");

        var parts = new PartTimes("forward", "matching and losses", "backward", "gradient clip", "AdamW");
        for (int i = 0; i < Warmup + Steps; i++)
        {
            using var scope = NewDisposeScope();
            parts.Start(timed: i >= Warmup);
            var outputs = model.ForwardTraining(images, padding, targets);
            parts.Next();
            var total = step.Criterion.Total(step.Criterion.Forward(outputs, targets));
            total.item<float>();
            parts.Next();
            step.Optimizer.ZeroGrad();
            total.backward();
            parts.Next();
            nn.utils.clip_grad_norm_(trainable, options.GradientClipNorm);
            parts.Next();
            step.Optimizer.Step();
            parts.Next();
        }
        parts.Print();

        var backbone = new PartTimes("backbone forward", "backbone backward");
        for (int i = 0; i < Warmup + Steps; i++)
        {
            using var scope = NewDisposeScope();
            backbone.Start(timed: i >= Warmup);
            var sum = model.Backbone.ForwardLevels(images, padding).Select(l => l.Features.sum()).Aggregate((a, b) => a + b);
            backbone.Next();
            sum.backward();
            backbone.Next();
        }
        backbone.Print();

        // One level's grid_sample in the encoder: every token samples EncoderPoints locations per head on a map of that
        // level (its cost follows the number of samples, not the map's size).
        long tokens = Enumerable.Range(0, config.FeatureLevels).Sum(l => (long)Math.Pow(Math.Ceiling(Size / (8.0 * (1 << l))), 2));
        int depth = config.HiddenDim / config.Heads;
        var sampling = new PartTimes("grid_sample forward", "grid_sample backward");
        for (int i = 0; i < Warmup + Steps; i++)
        {
            using var scope = NewDisposeScope();
            var map = randn(Batch * config.Heads, depth, Size / 8, Size / 8, requires_grad: true);
            var grid = (rand(Batch * config.Heads, tokens, config.EncoderPoints, 2) * 2 - 1).requires_grad_();
            sampling.Start(timed: i >= Warmup);
            var sampled = nn.functional.grid_sample(map, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
            sampling.Next();
            sampled.sum().backward();
            sampling.Next();
        }
        Console.WriteLine($"one level of one encoder layer ({tokens} tokens × {config.Heads} heads × {config.EncoderPoints} points), " +
            $"{config.FeatureLevels} levels × {config.EncoderLayers} layers per step:");
        sampling.Print();
        return 0;
    }

    /// <summary>Mean milliseconds of consecutive named parts over the timed repetitions.</summary>
    sealed class PartTimes(params string[] names)
    {
        readonly double[] _milliseconds = new double[names.Length];
        int _part, _count;
        long _start;
        bool _timed;

        public void Start(bool timed)
        {
            (_part, _timed, _start) = (0, timed, Stopwatch.GetTimestamp());
            if (timed)
                _count++;
        }

        public void Next()
        {
            long now = Stopwatch.GetTimestamp();
            if (_timed)
                _milliseconds[_part] += Stopwatch.GetElapsedTime(_start, now).TotalMilliseconds;
            (_part, _start) = (_part + 1, now);
        }

        public void Print()
        {
            for (int i = 0; i < names.Length; i++)
                Console.WriteLine($"  {names[i],-22} {_milliseconds[i] / _count,8:F1} ms");
            Console.WriteLine($"  {"total",-22} {_milliseconds.Sum() / _count,8:F1} ms");
        }
    }
}
