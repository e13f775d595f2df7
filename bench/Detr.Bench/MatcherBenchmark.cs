using Detr.Training.Matching;
using Detr.Training.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Bench;

/// <summary>
/// The Hungarian matcher on a batch of 2 images, 100 queries × 20 targets each, 91 classes: our
/// <see cref="HungarianMatcher"/> (cost in TorchSharp, <see cref="LinearSumAssignment"/>) vs the reference's matcher
/// (cost in PyTorch, scipy's linear_sum_assignment) on the same inputs, drawn by bench/baseline/matcher.py. Checks
/// first that both find the same matches.
/// </summary>
static class MatcherBenchmark
{
    const int Batch = 2, Queries = 100, TargetsPerImage = 20, Classes = 91;

    public static int Run(ComparisonSettings settings)
    {
        MachineReport.Print();
        torch.set_num_threads(settings.Threads);
        Console.WriteLine($"\nmatcher: batch {Batch}, {Queries} queries × {TargetsPerImage} targets, {Classes} classes, {settings.Threads} threads");
        var bench = new BaselineCase("matcher", settings.Seed, settings.Threads);
        using var python = PythonBaseline.Start("matcher.py", bench.Arguments(
            "--batch", Batch, "--queries", Queries, "--targets", TargetsPerImage, "--classes", Classes));

        using var scope = NewDisposeScope();
        var inputs = bench.Inputs();
        var logits = inputs["logits"];
        var boxes = inputs["boxes"];
        var targets = Enumerable.Range(0, Batch).Select(i => new DetrTarget(inputs[$"labels_{i}"].to(ScalarType.Int64), inputs[$"target_boxes_{i}"])).ToList();
        var matcher = new HungarianMatcher();

        var check = bench.Check();
        var matches = matcher.Match(logits, boxes, targets);
        bool same = Enumerable.Range(0, Batch).All(i =>
            matches[i].Queries.SequenceEqual(check[$"queries_{i}"].to(ScalarType.Int64).data<long>().ToArray()) &&
            matches[i].Targets.SequenceEqual(check[$"targets_{i}"].to(ScalarType.Int64).data<long>().ToArray()));
        Console.WriteLine($"matches identical to the reference's: {(same ? "yes" : "NO")}");

        var variants = new[]
        {
            TimedVariant.InProcess("TorchSharp", "HungarianMatcher.Match (cost in libtorch, LinearSumAssignment)", () => matcher.Match(logits, boxes, targets)),
            TimedVariant.InPython("PyTorch+scipy", "the reference's matcher, Debian's torch 1.13 and scipy", python),
        };
        var seconds = InterleavedTimer.Measure(variants, settings.WarmupRounds, settings.Rounds ?? 10, settings.Calls ?? 100);
        ComparisonTable.Print(variants, seconds, baseline: 1);
        return 0;
    }
}
