using Detr.Training.Training;
using Spectre.Console;

namespace Detr.Cli.Reporting;

/// <summary>Prints one line per finished epoch and per validation (synchronously, so lines never interleave).</summary>
public sealed class TrainingProgressPrinter(CliConsole console) : IProgress<DetrTrainingProgress>
{
    /// <inheritdoc />
    public void Report(DetrTrainingProgress p)
    {
        if (p.Validation is { } v)
        {
            console.Rich.MarkupLine($"           [blue]validation[/] epoch {p.Epoch}: loss {v["loss"]:0.000}, AP {v.GetValueOrDefault("AP"):0.000}, AP50 {v.GetValueOrDefault("AP50"):0.000}");
            return;
        }
        if (p.Step != p.StepsPerEpoch)
            return;
        console.Rich.MarkupLine(
            $"           epoch {p.Epoch,3}/{p.Epochs}  loss {p.Loss,7:0.000}  ce {p.Terms.GetValueOrDefault("loss_ce"):0.000}  " +
            $"bbox {p.Terms.GetValueOrDefault("loss_bbox"):0.000}  giou {p.Terms.GetValueOrDefault("loss_giou"):0.000}  " +
            $"lr {p.LearningRate:0.0e0}  {p.ImagesPerSecond:0.0} img/s  RSS {p.ResidentBytes / 1e9:0.00} GB  ETA {p.Remaining:hh\\:mm\\:ss}" +
            (p.SkippedSteps > 0 ? $"  ({p.SkippedSteps} steps skipped: non-finite gradients)" : ""));
    }
}
