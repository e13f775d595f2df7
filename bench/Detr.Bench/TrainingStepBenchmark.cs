using Detr.Training.Modeling;
using Detr.Training.Trainers;
using Detr.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Bench;

/// <summary>
/// One training step (forward, set criterion with auxiliary losses, backward, gradient clipping at 0.1, AdamW with the
/// backbone at 1e-5 and its stem and first stage frozen, or all of it frozen with --backbone-lr 0) on a padded batch of
/// two images: <see cref="DetrTrainingStep"/> with the trainer's default options vs Debian's PyTorch running the re-typed
/// reference (bench/baseline/training_step.py, which draws the weights, the batch and the boxes). Checks first that both
/// give the same loss without dropout.
/// </summary>
static class TrainingStepBenchmark
{
    public static int Run(ComparisonSettings settings)
    {
        MachineReport.Print();
        torch.set_num_threads(settings.Threads);
        foreach (var (name, config, height, width) in settings.Cases(["tiny", "r50"], name => name == "tiny" ? (128, 128) : (320, 320)))
        {
            string backbone = settings.BackboneLearningRate > 0 ? $"backbone at {settings.BackboneLearningRate:G3} (stem and layer1 frozen)" : "backbone frozen";
            Console.WriteLine($"\ntraining-step: {name}, batch 2 ({height}×{width} and a padded {height * 3 / 4}×{width * 3 / 4}), {backbone}, {settings.Threads} threads");
            if (config.Stages.Bottleneck && settings.BackboneLearningRate > 0)
                Console.WriteLine("  (a process that dies here with SIGFPE met libtorch's oneDNN bug in strided 1x1 convolution backward, see bench/README.md; --backbone-lr 0 avoids it)");
            var bench = new BaselineCase($"training-step-{name}-{height}x{width}", settings.Seed, settings.Threads);
            using var python = PythonBaseline.Start("training_step.py", bench.Arguments(
                "--config", ReferenceConfigs.ToReferenceJson(config), "--height", height, "--width", width, "--backbone-lr", settings.BackboneLearningRate));

            using var scope = NewDisposeScope();
            var (images, padding, targets) = bench.TrainingBatch();
            var model = new DetrModel(config);
            DetrWeights.LoadInto(model, bench.Weights);
            using var step = new DetrTrainingStep(model, new DetrTrainerOptions { BackboneLearningRate = settings.BackboneLearningRate });

            model.eval();
            float loss;
            using (no_grad())
                loss = step.Criterion.Total(step.Criterion.Forward(model.forward(images, padding), targets)).item<float>();
            float expected = bench.Check()["loss"].item<float>();
            Console.WriteLine($"loss at the initial weights without dropout: .NET {loss:G7}, PyTorch {expected:G7} (difference {Math.Abs(loss - expected):G3})");
            model.train();

            var variants = new[]
            {
                TimedVariant.InProcess("TorchSharp", "DetrTrainingStep.Run (libtorch), DetrAdamW", () => step.Run(images, padding, targets)),
                TimedVariant.InPython("PyTorch", "Debian's torch 1.13, reference criterion (scipy matcher), torch.optim.AdamW", python),
            };
            var seconds = InterleavedTimer.Measure(variants, settings.WarmupRounds, settings.Rounds ?? 5, settings.Calls ?? 1);
            ComparisonTable.Print(variants, seconds, baseline: 1);
        }
        return 0;
    }
}
