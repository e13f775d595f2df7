using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using Detr.Training.Trainers;
using Detr.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Bench;

/// <summary>
/// One Deformable DETR training step on a padded batch of two images: <see cref="DetrTrainingStep"/> with the
/// reference's optimiser settings (lr 2e-4, backbone 2e-5 with its stem and first stage frozen, sampling offsets and
/// reference points at 0.1×, weight decay 1e-4, clip 0.1) vs Debian's PyTorch running the reference's own model and
/// focal criterion (bench/baseline/deformable_training_step.py, which draws the weights, the batch and the boxes).
/// Checks first that both give the same loss in eval mode, and reports peak memory.
/// </summary>
static class DeformableTrainingStepBenchmark
{
    public static int Run(ComparisonSettings settings)
    {
        string reference = settings.RequireDeformableReference();
        MachineReport.Print();
        torch.set_num_threads(settings.Threads);
        foreach (var (name, config, height, width) in settings.Cases(["tiny"], DeformableReferenceConfigs.Named, name => name == "tiny" ? (128, 128) : (320, 320)))
        {
            Console.WriteLine($"\ndeformable-training-step: {name} ({config.Summary}), batch 2 ({height}×{width} and a padded {height * 3 / 4}×{width * 3 / 4}), {settings.Threads} threads");
            var bench = new BaselineCase($"deformable-training-step-{name}-{height}x{width}", settings.Seed, settings.Threads);
            using var python = PythonBaseline.Start("deformable_training_step.py", bench.Arguments(
                "--config", DeformableReferenceConfigs.ToReferenceJson(config), "--height", height, "--width", width, "--reference", reference));

            using var scope = NewDisposeScope();
            var (images, padding, targets) = bench.TrainingBatch();
            var model = new DeformableDetrModel(config);
            DetrWeights.LoadInto(model, bench.Weights);
            using var step = new DetrTrainingStep(model, new DetrTrainerOptions { Model = config, LearningRate = 2e-4, BackboneLearningRate = 2e-5 });

            model.eval();
            float loss;
            using (no_grad())
                loss = step.Criterion.Total(step.Criterion.Forward(model.forward(images, padding), targets)).item<float>();
            float expected = bench.Check()["loss"].item<float>();
            Console.WriteLine($"loss at the initial weights in eval mode: .NET {loss:G7}, PyTorch {expected:G7} (difference {Math.Abs(loss - expected):G3})");
            model.train();

            var variants = new[]
            {
                TimedVariant.InProcess("TorchSharp", "DetrTrainingStep.Run (libtorch), focal SetCriterion, DetrAdamW", () => step.Run(images, padding, targets)),
                TimedVariant.InPython("PyTorch", "Debian's torch 1.13, the reference's DeformableDETR and SetCriterion (scipy matcher), torch.optim.AdamW", python),
            };
            MemoryTable.Print(variants);
            var seconds = InterleavedTimer.Measure(variants, settings.WarmupRounds, settings.Rounds ?? 5, settings.Calls ?? 1);
            ComparisonTable.Print(variants, seconds, baseline: 1);
        }
        return 0;
    }
}
